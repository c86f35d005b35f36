// Protections 保护期 (OVL-8): a salesperson's request or the Department Manager's assignment, the
// monthly progress reports and the intent order 意向单. The process (customer.protection) runs
// the months; these routes start and feed it through the service (service/protections.ts).
import { createRoute } from '@hono/zod-openapi';
import type { RouteDeps } from '../../area.ts';
import { requireUser } from '../../../platform/http/auth.ts';
import { createRouter } from '../../../platform/http/router.ts';
import { invalidInput, unauthorized } from '../../../platform/http/schemas.ts';
import { startsAsynchronously } from '../../../engine/outbox.ts';
import { assignCustomer, fileIntentOrder, fileProgressReport, protectionView, requestProtection } from '../service/protections.ts';
import { adjudicationBody, adjudicationSchema } from '../../overlap/index.ts';
import { assignmentRequest, customerParams, intentOrderRequest, json, protectionParams, protectionRequest, protectionSchema, protectionViewBody, reportBody, reportRequest, reportSchema } from './schemas.ts';

export function protectionRoutes(deps: Pick<RouteDeps, 'sql' | 'engine' | 'outbox' | 'authenticator'>) {
  const { sql } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/protection-requests',
      tags: ['customers'],
      summary: 'Apply to protect a customer of the open pool for 4 months (OVL-8)',
      description:
        'The caller\'s Department Manager decides. While the customer is protected by someone else the request is refused (409 CUSTOMER_PROTECTED, naming the protector and ' +
        'the end date): ask to co-develop instead. [interpretation] A salesperson who lost the customer to the open pool may not apply for it again for 30 days ' +
        '(422 RECLAIM_BLOCKED, OVL-8). Retrying while one\'s own request is pending returns it (200). OVL-1: a claim on a customer someone else owns or protects, or on ' +
        'another department\'s pool customer, opens an adjudication by the committee (202, the adjudication); OVL-4: a Business Dept salesperson\'s claim on a customer ' +
        'trading with the Sales Floor is refused (409 DEFER_TO_SALES_FLOOR) and the Sales Floor salesperson is told.',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, ...json(protectionRequest) } },
      responses: {
        201: { description: `Requested: the Department Manager has a task. ${startsAsynchronously}`, ...json(protectionSchema) },
        200: { description: 'The caller\'s request already pending', ...json(protectionSchema) },
        202: { description: `An overlap: the adjudication opened (or the caller's one under way). ${startsAsynchronously}`, ...json(adjudicationSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_A_SALESPERSON (OVL-8), SALESPERSON_LEAVING (SEC-5) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMER_PROTECTED, CUSTOMER_OWNED (the caller\'s own), PROTECTION_PENDING (OVL-8), ADJUDICATION_UNDER_WAY (OVL-1), DEFER_TO_SALES_FLOOR (OVL-4) (problem+json)' },
        422: { description: 'RECLAIM_BLOCKED (OVL-8), CARD_NOT_KEPT_BY_DEPARTMENT (CUS-4) (problem+json)' },
      },
    }),
    async (c) => {
      const claim = await requestProtection(deps, c.var.user, c.req.valid('param').id, c.req.valid('json').reason);
      if ('adjudication' in claim) {
        c.header('location', `/api/v1/adjudications/${claim.adjudication.id}`);
        return c.json(adjudicationBody(claim.adjudication), 202);
      }
      if (!claim.created) return c.json(protectionViewBody(claim), 200);
      c.header('location', `/api/v1/protections/${claim.protection.id}`);
      return c.json(protectionViewBody(claim), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/assignments',
      tags: ['customers'],
      summary: 'Assign a customer of the open pool to a salesperson: their 4-month protection starts at once (OVL-8)',
      description:
        'By the Department Manager of the salesperson, to an active salesperson of their department. The same checks as a protection request apply to the salesperson. ' +
        'Retrying returns the protection it started (200).',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, ...json(assignmentRequest) } },
      responses: {
        201: { description: `Assigned: the protection is starting. ${startsAsynchronously}`, ...json(protectionSchema) },
        200: { description: 'This assignment was already made', ...json(protectionSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THEIR_DEPARTMENT_MANAGER (CUS-2) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMER_PROTECTED, PROTECTION_PENDING, CUSTOMER_OWNED (OVL-8), CUSTOMER_OF_ANOTHER_DEPARTMENT (OVL-1: claimed, it is adjudicated) (problem+json)' },
        422: { description: 'USER_NOT_FOUND, NOT_AN_ACTIVE_SALESPERSON (SEC-5), RECLAIM_BLOCKED (OVL-8), CARD_NOT_KEPT_BY_DEPARTMENT (CUS-4) (problem+json)' },
      },
    }),
    async (c) => {
      const claim = await assignCustomer(deps, c.var.user, c.req.valid('param').id, c.req.valid('json').salespersonId);
      if (!claim.created) return c.json(protectionViewBody(claim), 200);
      c.header('location', `/api/v1/protections/${claim.protection.id}`);
      return c.json(protectionViewBody(claim), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/protections/{id}',
      tags: ['customers'],
      summary: 'A protection: its months, the progress reports filed in each, and the release day (OVL-8)',
      description: 'Visible to the protector, the requester, the Department Manager and the company-level viewers (SEC-1); 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: protectionParams },
      responses: {
        200: { description: 'The protection', ...json(protectionSchema) },
        401: unauthorized,
        404: { description: 'PROTECTION_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(protectionViewBody(await protectionView(sql, c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/protections/{id}/reports',
      tags: ['customers'],
      summary: 'File a progress report to the Department Manager (OVL-8: at least one a month)',
      description:
        'By the protector. Every report is recorded; the first of a protection month satisfies that month in the process (`forwarded`). A report filed while the Department ' +
        'Manager decides on a missed month counts for the month under way.',
      middleware: [authenticated] as const,
      request: { params: protectionParams, body: { required: true, ...json(reportRequest) } },
      responses: {
        201: { description: 'Filed', ...json(reportSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_PROTECTOR (OVL-8) (problem+json)' },
        404: { description: 'PROTECTION_NOT_FOUND (problem+json)' },
        409: { description: 'PROTECTION_ENDED: not yet approved, or over (problem+json)' },
      },
    }),
    async (c) => c.json(reportBody(await fileProgressReport(deps, c.var.user, c.req.valid('param').id, c.req.valid('json').summary)), 201),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/protections/{id}/intent-orders',
      tags: ['customers'],
      summary: 'File the intent order 意向单 that ends the protection successfully: the customer stays the protector\'s (OVL-8)',
      description: 'By the protector or their Department Manager, at any time during the protection. The process records it at once; the answer is the protection as it is now.',
      middleware: [authenticated] as const,
      request: { params: protectionParams, body: { required: true, ...json(intentOrderRequest) } },
      responses: {
        202: { description: 'Accepted: the protection ends with the customer owned', ...json(protectionSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_PROTECTOR (OVL-8) (problem+json)' },
        404: { description: 'PROTECTION_NOT_FOUND (problem+json)' },
        409: { description: 'PROTECTION_ENDED (problem+json)' },
      },
    }),
    async (c) => c.json(protectionViewBody(await fileIntentOrder(deps, c.var.user, c.req.valid('param').id, c.req.valid('json').reference)), 202),
  );

  return router;
}
