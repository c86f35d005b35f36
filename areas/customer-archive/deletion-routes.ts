// SEC-4 over HTTP: a request to delete a customer's archive data, approved by the Marketing
// Director in its process; a deletion asked for without one is refused.
import { createRoute, z } from '@hono/zod-openapi';
import { requireUser } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { idParam, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import type { RouteDeps } from '../area.ts';
import { createDeletionService, type DeletionRequest } from './deletion.ts';
import { deletionScopes } from './rules.ts';

const tags = ['customer archive'];
const params = idParam();
const timestamp = z.string().openapi({ format: 'date-time' });

const deletionRequest = z
  .object({
    id: z.string(),
    customerId: z.string(),
    scope: z.enum(deletionScopes),
    reason: z.string(),
    requestedBy: z.string(),
    requestedAt: timestamp,
    processId: z.string(),
    status: z.enum(['requested', 'approved', 'refused']),
    decidedBy: z.string().nullable(),
    decidedAt: timestamp.nullable(),
  })
  .openapi('CustomerArchiveDeletion');

const body = (request: DeletionRequest): z.infer<typeof deletionRequest> => ({
  ...request,
  requestedAt: request.requestedAt.toISOString(),
  decidedAt: request.decidedAt?.toISOString() ?? null,
});

const newDeletion = z
  .object({
    scope: z.enum(deletionScopes).openapi({ description: 'card: the card; contacts: the contact records; all: both.' }),
    reason: z.string().trim().min(1).max(2_000),
  })
  .strict();

export function deletionRoutes(deps: RouteDeps) {
  const service = createDeletionService(deps);
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/deletion-requests',
      tags,
      summary: "SEC-4: ask to delete a customer's card or contact records; the Marketing Director approves (approved: deleted; refused: nothing changes)",
      description:
        '[interpretation] Deleted means: the card is blanked by a new, empty version (its earlier versions are kept, never destroyed) and the contact records are taken out of use (no longer listed or checked); the record of views is untouched. ' +
        "Asked by the card's keeper or the Marketing Director.",
      middleware: [authenticated] as const,
      request: { params, body: { required: true, content: { 'application/json': { schema: newDeletion } } } },
      responses: {
        202: { description: 'Filed; its process waits for the Marketing Director', content: { 'application/json': { schema: deletionRequest } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_KEEPER (SEC-4) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(body(await service.requestDeletion(c.var.user, c.req.valid('param').id, c.req.valid('json'))), 202),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customer-archive-deletions/{id}',
      tags,
      summary: 'SEC-4: a deletion request and its decision (its requester, the Marketing Director, HR and the GM)',
      middleware: [authenticated] as const,
      request: { params },
      responses: {
        200: { description: 'The request', content: { 'application/json': { schema: deletionRequest } } },
        401: unauthorized,
        404: { description: 'DELETION_REQUEST_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(body(await service.deletionRequest(c.var.user, c.req.valid('param').id)), 200),
  );

  for (const [path, scope] of [
    ['/api/v1/customers/{id}/card', 'card'],
    ['/api/v1/customers/{id}/contacts', 'contacts'],
  ] as const) {
    router.openapi(
      createRoute({
        method: 'delete',
        path,
        tags,
        summary: `SEC-4: refused: the ${scope === 'card' ? 'card' : 'contact records'} are deleted only through an approved deletion request`,
        description: 'Always 403 DELETION_NEEDS_APPROVAL for an existing customer; the attempt is in the audit trail (customer.deletion_attempted) for HR. Nobody is fined for it.',
        middleware: [authenticated] as const,
        request: { params },
        responses: {
          401: unauthorized,
          403: { description: 'DELETION_NEEDS_APPROVAL (SEC-4) (problem+json)' },
          404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        },
      }),
      async (c) => service.refuseUnapprovedDeletion(c.var.user, c.req.valid('param').id, scope),
    );
  }

  return router;
}
