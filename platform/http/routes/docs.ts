import { createRequire } from 'node:module';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { withCommonAnswers } from '../openapi.ts';

// Swagger UI is served from the installed package, so the docs work without internet.
const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Custodian API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true });
</script>
</body>
</html>`;

/** OpenAPI 3.1 at /api/v1/openapi.json (generated from the routes' zod schemas) and docs at /docs. */
export function docsRoutes(app: OpenAPIHono, options: { temporalUiUrl: string }): Hono {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const router = new Hono();
  router.get('/api/v1/openapi.json', (c) =>
    c.json(
      withCommonAnswers(app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Custodian',
          version: '1',
          description:
            'Approval engine for the company archive and customer archives. Every policy process runs as a ' +
            `durable Temporal workflow; operators watch instances in the Temporal UI (${options.temporalUiUrl}). ` +
            'Errors are application/problem+json with a stable `code`, and `ruleId` citing the policy catalogue ' +
            'when a rule refused the action.',
        },
        security: [{ bearer: [] }],
      })),
    ),
  );
  router.get('/docs', (c) => c.html(page));
  router.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    // An own key only: `constructor` or `__proto__` is no asset, however an object looks it up.
    const type = Object.hasOwn(assets, file) ? assets[file] : undefined;
    if (type === undefined) return c.notFound();
    return c.body(await readFile(path.join(swaggerDir, file)), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return router;
}
