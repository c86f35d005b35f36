// Co-development (OVL-8): another salesperson asks the owner to work a customer together, for a
// share of the commission; the owner answers in a task (customer.co-development).
import { createRoute } from '@hono/zod-openapi';
import type { RouteDeps } from '../../area.ts';
import { requireUser } from '../../../platform/http/auth.ts';
import { createRouter } from '../../../platform/http/router.ts';
import { invalidInput, unauthorized } from '../../../platform/http/schemas.ts';
import { startsAsynchronously } from '../../../engine/outbox.ts';
import { requestCoDevelopment } from '../service/co-development.ts';
import { coDevelopmentBody, coDevelopmentRequest, coDevelopmentSchema, customerParams, json } from './schemas.ts';

export function coDevelopmentRoutes(deps: Pick<RouteDeps, 'sql' | 'engine' | 'outbox' | 'authenticator'>) {
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/co-development-requests',
      tags: ['customers'],
      summary: 'Ask the owner of a protected (or owned) customer to work it together, offering a commission share (OVL-8)',
      description: 'The owner accepts or declines (a task). An accepted share is kept on the customer. Retrying while one\'s own request is pending returns it (200).',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, ...json(coDevelopmentRequest) } },
      responses: {
        201: { description: `Requested: the owner has a task. ${startsAsynchronously}`, ...json(coDevelopmentSchema) },
        200: { description: 'The caller\'s request already pending', ...json(coDevelopmentSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_A_SALESPERSON (OVL-8), SALESPERSON_LEAVING (SEC-5) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMER_NOT_OWNED (in the open pool: apply to protect it), OWN_CUSTOMER, CO_DEVELOPMENT_PENDING, ALREADY_CO_DEVELOPER (problem+json)' },
      },
    }),
    async (c) => {
      const { request, created } = await requestCoDevelopment(deps, c.var.user, c.req.valid('param').id, c.req.valid('json').share);
      return created ? c.json(coDevelopmentBody(request), 201) : c.json(coDevelopmentBody(request), 200);
    },
  );

  return router;
}
