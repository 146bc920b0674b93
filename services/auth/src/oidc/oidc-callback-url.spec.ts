import { oidcCallbackUrl } from './oidc.controller';

describe('the OIDC callback URL', () => {
  it('is OPENID_REDIRECT_URI when set, whatever WEBUI_URL says', () => {
    expect(
      oidcCallbackUrl({
        OPENID_REDIRECT_URI: 'https://sso.example.com/cb',
        WEBUI_URL: 'https://chat.example.com',
      }),
    ).toBe('https://sso.example.com/cb');
  });

  it("is WEBUI_URL's /oauth/oidc/callback otherwise, keeping a path prefix", () => {
    expect(oidcCallbackUrl({ WEBUI_URL: 'https://chat.example.com/' })).toBe(
      'https://chat.example.com/oauth/oidc/callback',
    );
    expect(oidcCallbackUrl({ WEBUI_URL: 'https://example.com/chat' })).toBe(
      'https://example.com/chat/oauth/oidc/callback',
    );
  });

  it('is the bare path (the host the request came to) with neither', () => {
    expect(oidcCallbackUrl({})).toBe('/oauth/oidc/callback');
  });
});
