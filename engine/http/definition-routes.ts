// Published process definitions: the list, one definition, and its BPMN 2.0 rendering.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { idParam, INT4_MAX, unauthorized } from '../../platform/http/schemas.ts';
import { iso, label, timestamp } from './bodies.ts';
import type { EngineService } from './service.ts';

const definitionSummary = z
  .object({ key: z.string().openapi({ example: 'archive.borrow' }), version: z.number().int(), name: label, publishedAt: timestamp })
  .openapi('ProcessDefinitionSummary');

// The definition schema is recursive (candidate fallbacks), so the document describes only its
// outline here; domain/process/definition.ts is the full contract.
const definitionDocument = z
  .looseObject({ key: z.string(), version: z.number().int(), name: label, nodes: z.array(z.looseObject({ id: z.string(), type: z.string() })) })
  .openapi('ProcessDefinition', { description: 'A published definition, as validated by domain/process/definition.ts.' });

const definitionParams = idParam('key', { example: 'archive.borrow' }).extend({
  version: z.coerce.number().int().min(1).max(INT4_MAX).openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
});


export function definitionRoutes(deps: { service: EngineService; sql: Sql; authenticator: Authenticator }) {
  const { service } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/process-definitions',
      tags: ['processes'],
      summary: 'Published process definitions, every version',
      middleware: [authenticated] as const,
      responses: {
        200: { description: 'The definitions, by key then version', content: { 'application/json': { schema: z.object({ definitions: z.array(definitionSummary) }) } } },
        401: unauthorized,
      },
    }),
    async (c) => {
      const definitions = await service.definitions();
      return c.json({ definitions: definitions.map((d) => ({ ...d, publishedAt: iso(d.publishedAt) })) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/process-definitions/{key}/{version}',
      tags: ['processes'],
      summary: 'One published definition',
      middleware: [authenticated] as const,
      request: { params: definitionParams },
      responses: {
        200: { description: 'The definition', content: { 'application/json': { schema: definitionDocument } } },
        401: unauthorized,
        404: { description: 'DEFINITION_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const { key, version } = c.req.valid('param');
      return c.json((await service.definition(key, version)) as z.infer<typeof definitionDocument>, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/process-definitions/{key}/{version}/bpmn',
      tags: ['processes'],
      summary: 'The definition as BPMN 2.0 XML with diagram layout (opens in bpmn.io or Camunda Modeler)',
      middleware: [authenticated] as const,
      request: { params: definitionParams },
      responses: {
        200: { description: 'BPMN 2.0 XML', content: { 'application/xml': { schema: z.string() } } },
        401: unauthorized,
        404: { description: 'DEFINITION_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const { key, version } = c.req.valid('param');
      const { ref, xml } = await service.definitionBpmn(key, version);
      return c.body(xml, 200, {
        'content-type': 'application/xml; charset=utf-8',
        'content-disposition': `attachment; filename="${ref}.bpmn"`,
      });
    },
  );

  return router;
}
