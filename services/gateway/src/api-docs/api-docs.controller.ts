import { Controller, Res } from '@nestjs/common';
import type { Response } from 'express';
import { dirname, join } from 'node:path';
import { DomainError, ErrorKind } from '@parley/errors';
import { GATEWAY_ROUTES } from '../contract/gateway-routes';
import { buildOpenApiDocument } from '../contract/openapi-document';
import type { RouteInput as Input } from '../contract/route-contract';
import { Route, RouteInput } from '../contract/route.decorator';
import { apiDocsContract as c } from './api-docs.contract';

/** The page stays tiny: the viewer's bundle (about 1.5 MB) is fetched only when someone opens /docs. */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Parley REST API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="api-reference"></div>
    <script src="/docs/assets/swagger-ui-bundle.js" defer></script>
    <script src="/docs/assets/docs-init.js" defer></script>
  </body>
</html>
`;

// An external script, not an inline one: the gateway's CSP allows scripts from this origin only.
// validatorUrl null: Swagger UI would otherwise send the document to an online validator.
// docExpansion none: the tags start folded. Swagger UI 5's default (every tag unfolded) stopped
// rendering after the second tag once the document passed about 130 operations and 16 tags.
const INIT = `window.addEventListener('load', function () {
  window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#api-reference',
    validatorUrl: null,
    deepLinking: true,
    docExpansion: 'none',
  });
});
`;

const ASSETS: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};

const CACHE = 'public, max-age=300';

/** GET /openapi.json (built once from the route contracts) and the API reference page at /docs. */
@Controller()
export class ApiDocsController {
  private document?: string;

  @Route(c.openapi)
  openapi(@Res() res: Response): void {
    this.document ??= JSON.stringify(buildOpenApiDocument(GATEWAY_ROUTES));
    res.status(200).setHeader('Cache-Control', CACHE).type('application/json').send(this.document);
  }

  @Route(c.page)
  page(@Res() res: Response): void {
    res.status(200).setHeader('Cache-Control', CACHE).type('text/html').send(PAGE);
  }

  @Route(c.asset)
  asset(@RouteInput() { params }: Input<typeof c.asset>, @Res() res: Response): void {
    if (params.file === 'docs-init.js') {
      res.status(200).setHeader('Cache-Control', CACHE).type('text/javascript').send(INIT);
      return;
    }
    const type = Object.hasOwn(ASSETS, params.file) ? ASSETS[params.file] : undefined;
    if (!type) throw new DomainError(ErrorKind.NotFound, 'No such file of the API reference page.');
    res.sendFile(join(swaggerUiDir(), params.file), {
      headers: { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' },
    });
  }
}

function swaggerUiDir(): string {
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}
