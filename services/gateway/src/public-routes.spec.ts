import { gatewayNestRoutes } from './testing/nest-routes';

/**
 * Every route needs a signed-in user (the global AuthGuard) unless it is marked public. This test
 * lists the public ones, so making a route public is a visible, reviewed change. The routes are read
 * from the gateway's module, so a new controller is covered without touching this file.
 */
const routes = () => gatewayNestRoutes().map((r) => ({ route: r.route, isPublic: r.auth === 'public' }));

describe('gateway route guards', () => {
  it('exposes exactly these routes without sign-in', () => {
    expect(
      routes()
        .filter((r) => r.isPublic)
        .map((r) => r.route)
        .sort(),
    ).toEqual([
      // Open WebUI answers these without sign-in too (the about screen asks before anyone signs in).
      'GET /api/changelog',
      'GET /api/config',
      'GET /api/v1/auths/signout',
      'GET /api/version',
      'GET /docs',
      'GET /docs/assets/:file',
      'GET /health',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'GET /openapi.json',
      'POST /api/v1/auths/ldap',
      'POST /api/v1/auths/signin',
      'POST /api/v1/auths/signup',
    ]);
  });

  it('finds the guarded routes too (the walk itself works)', () => {
    expect(
      routes()
        .filter((r) => !r.isPublic)
        .map((r) => r.route),
    ).toEqual(
      expect.arrayContaining([
        'POST /api/v1/chats/new',
        'GET /api/v1/chats',
        'GET /api/v1/chats/:id',
        'GET /api/v1/auths',
      ]),
    );
  });
});
