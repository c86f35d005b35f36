// The customer archive (CUS-1..4, SEC-1): entering prospects into the open pool 公海, who sees
// which customers, and transfers by the Department Manager (SEC-5). Thin: parse, call the
// service (service/customers.ts), map.
import { createRoute } from '@hono/zod-openapi';
import type { RouteDeps } from '../../area.ts';
import { requireUser } from '../../../platform/http/auth.ts';
import { createRouter } from '../../../platform/http/router.ts';
import { invalidInput, unauthorized } from '../../../platform/http/schemas.ts';
import { createCustomer, customerDetail, customersVisibleTo, transferCustomer, visibleCustomer } from '../service/customers.ts';
import {
  customerBody,
  customerCursor,
  customerDetail as customerDetailSchema,
  customerDetailBody,
  customerKey,
  customerPage,
  customerParams,
  customerQuery,
  customerSchema,
  json,
  newCustomer,
  transferRequest,
} from './schemas.ts';

export function customerRoutes(deps: Pick<RouteDeps, 'sql' | 'engine' | 'outbox' | 'authenticator'>) {
  const { sql } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers',
      tags: ['customers'],
      summary: 'Enter a prospect into the customer archive (CUS-1)',
      description:
        '[interpretation] CUS-1 covers future customers, so a prospect is archived at once, in the creator\'s department, and starts in the open pool 公海 (status open, no owner): ' +
        'only a protection request approved by the Department Manager, or an assignment, makes it a salesperson\'s (OVL-8). CUS-4: the card type must be one the department keeps.',
      middleware: [authenticated] as const,
      request: { body: { required: true, ...json(newCustomer) } },
      responses: {
        201: { description: 'Archived, in the open pool', ...json(customerSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_SALES_STAFF: only salespeople and Department Managers enter customers (CUS-2) (problem+json)' },
        422: { description: 'CARD_NOT_KEPT_BY_DEPARTMENT (CUS-4) (problem+json)' },
      },
    }),
    async (c) => {
      const customer = await createCustomer(sql, c.var.user, c.req.valid('json'));
      c.header('location', `/api/v1/customers/${customer.id}`);
      return c.json(customerBody(customer), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customers',
      tags: ['customers'],
      summary: 'The customers I may see: by status, department, owner or words of the name, city or region',
      description:
        'SEC-1: the GM, the Marketing Director and the Marketing VP see every customer; a Department Manager their department\'s; a salesperson ' +
        'their own, those they co-develop and their own department\'s open pool (the pool is confidential too: another department\'s pool customer is a 404); anyone else none. By name, a page at a time.',
      middleware: [authenticated] as const,
      request: { query: customerQuery },
      responses: {
        200: { description: 'A page of customers', ...json(customerPage) },
        400: { description: 'INVALID_INPUT: an unknown status, a bad limit or cursor (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await customersVisibleTo(sql, c.var.user, {
        status: query.status,
        departmentId: query.department,
        ownerId: query.owner,
        q: query.q,
        limit: query.limit,
        after: query.cursor === undefined ? undefined : customerCursor(query.cursor),
      });
      return c.json({ customers: page.customers.map(customerBody), nextCursor: page.next && customerKey.format([page.next.name, page.next.id]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customers/{id}',
      tags: ['customers'],
      summary: 'One customer, with its protection, co-developers and ownership history',
      middleware: [authenticated] as const,
      request: { params: customerParams },
      responses: {
        200: { description: 'The customer', ...json(customerDetailSchema) },
        401: unauthorized,
        404: { description: 'CUSTOMER_NOT_FOUND: no such customer, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => c.json(customerDetailBody(await customerDetail(sql, await visibleCustomer(sql, c.var.user, c.req.valid('param').id))), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/transfers',
      tags: ['customers'],
      summary: 'Hand a customer to another salesperson of its department (the Department Manager only, SEC-5)',
      description:
        'SEC-5: customers are handed over by the Department Manager, never by their salesperson; a leaver\'s own attempt is refused (403, ruleId SEC-5). A protected customer is ' +
        'not transferred (409 PROTECTED_CUSTOMER, ruleId OVL-8): it moves only at the end of its protection, by an intent order or on its protector leaving.',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, ...json(transferRequest) } },
      responses: {
        200: { description: 'Transferred', ...json(customerDetailSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'LEAVER_MAY_NOT_TRANSFER, ONLY_DEPARTMENT_MANAGER_TRANSFERS (SEC-5) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMER_NOT_OWNED (in the open pool: assign it instead), PROTECTED_CUSTOMER (OVL-8: it moves only at the end of its protection, by an intent order or a departure), CUSTOMER_CHANGED (problem+json)' },
        422: { description: 'HAND_OVER_REFUSED with `errors` (SEC-5) (problem+json)' },
      },
    }),
    async (c) => c.json(customerDetailBody(await transferCustomer(sql, c.var.user, c.req.valid('param').id, c.req.valid('json').toSalespersonId)), 200),
  );

  return router;
}
