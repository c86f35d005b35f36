// Departures (SEC-5): HR or the Department Manager reports a salesperson leaving, and the
// Department Manager reassigns their customers within the department (customer.departure).
import { createRoute } from '@hono/zod-openapi';
import type { RouteDeps } from '../../area.ts';
import { requireUser } from '../../../platform/http/auth.ts';
import { createRouter } from '../../../platform/http/router.ts';
import { accepted, invalidInput, unauthorized } from '../../../platform/http/schemas.ts';
import { startsAsynchronously } from '../../../engine/outbox.ts';
import { departureView, reassignCustomers, reportDeparture, visibleDeparture } from '../service/departures.ts';
import { departureBody, departureParams, departureRequest, departureSchema, json, reassignmentRequest, userParams } from './schemas.ts';

export function departureRoutes(deps: Pick<RouteDeps, 'sql' | 'engine' | 'outbox' | 'authenticator'>) {
  const { sql } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/users/{id}/departure',
      tags: ['customers'],
      summary: 'Report a salesperson leaving: their Department Manager reassigns their customers (SEC-5)',
      description:
        'By HR or the leaver\'s Department Manager. The leaver\'s account stays active until every customer is reassigned, then it is closed (users.active false, left_at set). ' +
        'Reporting again while the reassignment is under way returns it (200).',
      middleware: [authenticated] as const,
      request: { params: userParams, body: { required: true, ...json(departureRequest) } },
      responses: {
        201: { description: `Reported: the Department Manager has a reassignment task (none if the leaver holds no customer). ${startsAsynchronously}`, ...json(departureSchema) },
        200: { description: 'The departure already under way', ...json(departureSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'DEPARTURE_NOT_ALLOWED (SEC-5) (problem+json)' },
        404: { description: 'USER_NOT_FOUND (problem+json)' },
        409: { description: 'USER_INACTIVE: the user has left already (problem+json)' },
        422: { description: 'NOT_A_SALESPERSON (SEC-5) (problem+json)' },
      },
    }),
    async (c) => {
      const reported = await reportDeparture(deps, c.var.user, c.req.valid('param').id, c.req.valid('json').note);
      if (!reported.created) return c.json(departureBody(reported), 200);
      c.header('location', `/api/v1/departures/${reported.departure.id}`);
      return c.json(departureBody(reported), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/departures/{id}',
      tags: ['customers'],
      summary: "A departure: the customers the leaver still holds, and the Department Manager's reassignment task",
      description: 'Visible to the leaver, the reporter, HR, the Department Manager and the company-level viewers; 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: departureParams },
      responses: {
        200: { description: 'The departure', ...json(departureSchema) },
        401: unauthorized,
        404: { description: 'DEPARTURE_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(departureBody(await departureView(sql, await visibleDeparture(sql, c.var.user, c.req.valid('param').id))), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/departures/{id}/reassignments',
      tags: ['customers'],
      summary: "Decide the reassignment task: each of the leaver's customers to another salesperson of the department (SEC-5)",
      description:
        'Checked before the task is decided: every customer must still be the leaver\'s and every salesperson an active salesperson of the department, not leaving (422 with ' +
        '`errors`). Customers left out stay with the task, which opens again for them. A running protection goes with its customer.',
      middleware: [authenticated] as const,
      request: { params: departureParams, body: { required: true, ...json(reassignmentRequest) } },
      responses: {
        200: { description: 'Reassigned; the departure as it is now', ...json(departureSchema) },
        202: accepted,
        400: invalidInput,
        401: unauthorized,
        403: { description: 'LEAVER_MAY_NOT_TRANSFER (SEC-5), NOT_A_CANDIDATE (problem+json)' },
        404: { description: 'DEPARTURE_NOT_FOUND (problem+json)' },
        409: { description: 'DEPARTURE_COMPLETED, REASSIGNMENT_NOT_OPEN (problem+json)' },
        422: { description: 'REASSIGNMENT_REFUSED with `errors` (SEC-5) (problem+json)' },
      },
    }),
    async (c) => c.json(departureBody(await reassignCustomers(deps, c.var.user, c.req.valid('param').id, c.req.valid('json').assignments)), 200),
  );

  return router;
}
