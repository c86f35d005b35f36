// Powers of attorney 委托书 (BOR-7): the GM delegates approval to a Deputy GM or the Office
// Director for a period and a scope. Each delegation is registered as an archive document
// (ARC-1) and lived by a process (workflows/processes/delegation.ts) that announces its start and
// end to the running instances waiting on the GM.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import type { Delegation, DelegationService } from './service.ts';
import { delegableSecrecyLevels, delegationProcessId, delegationStatus, delegationStatuses } from './rules.ts';
import { definitionKey } from '../../engine/definition/definition.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { startsAsynchronously } from '../../engine/outbox.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateTimeInput, idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';

// ------------------------------------------------------------------ schemas

const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });
const iso = (date: Date) => date.toISOString();

export const delegationSchema = z
  .object({
    id: z.string(),
    principalId: z.string().openapi({ example: 'gm' }),
    delegateId: z.string().openapi({ example: 'dgm-admin' }),
    validFrom: timestamp,
    validTo: timestamp.openapi({ description: 'The first instant the delegation is no longer in force.' }),
    scope: z.object({
      processKeys: z.array(z.string()).nullable().openapi({ description: 'The processes covered; null for every process a power of attorney may reach (BOR-7: the borrowing approvals).' }),
      maxSecrecy: z.enum(delegableSecrecyLevels).openapi({ description: "The highest secrecy level of an instance it covers (the instance's `secrecy`)." }),
    }),
    reason: z.string(),
    status: z.enum(delegationStatuses).openapi({ description: 'From the time of the request: scheduled before validFrom, active until validTo, then expired; revoked once revoked.' }),
    createdAt: timestamp,
    revokedAt: timestamp.nullable(),
    revokedBy: z.string().nullable(),
    processId: z.string().openapi({ description: 'The instance of delegation.power-of-attorney that announces its start and end.' }),
    powerOfAttorney: z
      .object({ documentId: z.string(), reference: z.string().openapi({ example: 'POA-2026-0001' }) })
      .openapi({ description: 'The 委托书 as registered in the archive (ARC-1).' }),
  })
  .openapi('Delegation');

export type DelegationBody = z.infer<typeof delegationSchema>;

const delegationRequest = z
  .object({
    delegateId: identifier().openapi({ example: 'dgm-admin' }),
    validFrom: dateTimeInput,
    validTo: dateTimeInput.openapi({ example: '2026-03-06T00:00:00+08:00' }),
    scope: z
      .object({
        processKeys: z
          .array(definitionKey.max(200))
          .min(1)
          .max(100)
          .optional()
          .openapi({
            description:
              'Omit for every process a power of attorney may reach. BOR-7: that is the GM\'s borrowing approvals; a process outside it (destruction, DES-3, or any other) is refused with OUTSIDE_POWER_OF_ATTORNEY.',
            example: ['archive.borrow.secret'],
          }),
        maxSecrecy: z.enum(delegableSecrecyLevels).openapi({ description: 'Top Secret is never delegable (BOR-3).' }),
      })
      .strict(),
    reason: z.string().trim().min(1).max(2_000).openapi({ example: 'Business trip to Shanghai' }),
  })
  .strict()
  .openapi('DelegationRequest');

const idempotency = idempotencyHeaders('a retried request with the same key returns the delegation the first one created.');

const delegationParams = idParam();

export const delegationLists = z
  .object({ given: z.array(delegationSchema), held: z.array(delegationSchema) })
  .openapi('DelegationLists', { description: 'Powers of attorney the user has given (as principal) and holds (as delegate), latest period first.' });

/** Pages of a user's delegations: validFrom as PostgreSQL printed it, then id. */
const delegationKey = keysetCursor('timestamp', 'text');

const delegationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: delegationKey.query,
});

const delegationPage = delegationLists
  .extend({ nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('DelegationPage', {
    description: 'A page of the powers of attorney the user has given (as principal) and holds (as delegate), latest period first; `limit` counts both lists together.',
  });

// ------------------------------------------------------------------ mapping

export function delegationBody(delegation: Delegation, now: Date): DelegationBody {
  return {
    id: delegation.id,
    principalId: delegation.principalId,
    delegateId: delegation.delegateId,
    validFrom: iso(delegation.validFrom),
    validTo: iso(delegation.validTo),
    scope: { processKeys: delegation.processKeys, maxSecrecy: delegation.maxSecrecy },
    reason: delegation.reason,
    status: delegationStatus(delegation, now),
    createdAt: iso(delegation.createdAt),
    revokedAt: delegation.revokedAt && iso(delegation.revokedAt),
    revokedBy: delegation.revokedBy,
    processId: delegationProcessId(delegation.id),
    powerOfAttorney: { documentId: delegation.documentId, reference: delegation.documentReference },
  };
}

// ------------------------------------------------------------------ routes

export function delegationRoutes(deps: { delegations: DelegationService; sql: Sql; authenticator: Authenticator }) {
  const { delegations } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/delegations',
      tags: ['delegations'],
      summary: 'Give a power of attorney 委托书 (BOR-7)',
      description:
        'The caller is the principal. Only the GM may delegate, only to a Deputy GM or the Office Director, never to themselves, and not while holding a delegation themselves ' +
        '([interpretation] a delegate may not delegate while their power of attorney is in force or for a period overlapping it). Two live delegations of the GM may not cover the ' +
        'same process at the same moment. The power of attorney is registered in the archive (ARC-1, category power_of_attorney) in the same transaction.',
      middleware: [authenticated] as const,
      request: {
        headers: idempotency,
        body: { required: true, content: { 'application/json': { schema: delegationRequest } } },
      },
      responses: {
        201: { description: `Given; its process is started. ${startsAsynchronously}`, content: { 'application/json': { schema: delegationSchema } } },
        200: { description: 'The delegation a request with the same Idempotency-Key created', content: { 'application/json': { schema: delegationSchema } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'PRINCIPAL_NOT_GM: only the GM gives a power of attorney (ruleId BOR-7; problem+json)' },
        422: {
          description:
            'Refused (problem+json): DELEGATE_NOT_ELIGIBLE, DELEGATE_INACTIVE, SELF_DELEGATION, REDELEGATION_FORBIDDEN, DELEGATION_OVERLAP (ruleId BOR-7); ' +
            'DELEGATE_NOT_FOUND, UNKNOWN_PROCESS_KEY, VALID_FROM_NOT_BEFORE_VALID_TO, VALIDITY_IN_PAST, IDEMPOTENCY_KEY_REUSED',
        },
      },
    }),
    async (c) => {
      const { delegation, replayed } = await delegations.giveDelegation(c.var.user, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      return c.json(delegationBody(delegation, new Date()), replayed ? 200 : 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/delegations',
      tags: ['delegations'],
      summary: 'The powers of attorney I have given and those I hold, a page at a time',
      middleware: [authenticated] as const,
      request: { query: delegationQuery },
      responses: {
        200: { description: 'Given and held, latest period first', content: { 'application/json': { schema: delegationPage } } },
        400: { description: 'INVALID_INPUT: a bad limit; INVALID_CURSOR (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const userId = c.var.user.id;
      const parts = cursor === undefined ? undefined : delegationKey.parse(cursor)!;
      const page = await delegations.delegationPage(c.var.user, { limit, after: parts && { validFrom: parts[0], id: parts[1] } });
      const now = new Date();
      const bodies = (side: 'principalId' | 'delegateId') => page.delegations.filter((d) => d[side] === userId).map((d) => delegationBody(d, now));
      return c.json({ given: bodies('principalId'), held: bodies('delegateId'), nextCursor: page.next && delegationKey.format([page.next.validFrom, page.next.id]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/delegations/{id}',
      tags: ['delegations'],
      summary: 'One power of attorney',
      description: 'Visible to its principal, its delegate, the GM and the Office Director; 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: delegationParams },
      responses: {
        200: { description: 'The delegation', content: { 'application/json': { schema: delegationSchema } } },
        401: unauthorized,
        404: { description: 'DELEGATION_NOT_FOUND: no such delegation, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => {
      const delegation = await delegations.visibleDelegation(c.var.user, c.req.valid('param').id);
      return c.json(delegationBody(delegation, new Date()), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/delegations/{id}/revoke',
      tags: ['delegations'],
      summary: 'Revoke a power of attorney before it ends (BOR-7)',
      description:
        'Only its principal revokes it. The answer comes once its process has withdrawn the delegate from every open task (200), so the delegate can no longer decide; ' +
        'if that takes longer than 10 seconds, or Temporal is momentarily unavailable, the revocation stands and is answered with 202 while the withdrawal completes.',
      middleware: [authenticated] as const,
      request: { params: delegationParams },
      responses: {
        200: { description: 'Revoked, and withdrawn from open tasks', content: { 'application/json': { schema: delegationSchema } } },
        202: { description: 'Revoked; the withdrawal from open tasks is still under way', content: { 'application/json': { schema: delegationSchema } } },
        401: unauthorized,
        403: { description: 'NOT_THE_PRINCIPAL (problem+json)' },
        404: { description: 'DELEGATION_NOT_FOUND (problem+json)' },
        409: { description: 'DELEGATION_ALREADY_REVOKED, or DELEGATION_EXPIRED (problem+json)' },
      },
    }),
    async (c) => {
      const { delegation, withdrawn } = await delegations.revoke(c.var.user, c.req.valid('param').id);
      return c.json(delegationBody(delegation, new Date()), withdrawn ? 200 : 202);
    },
  );

  return router;
}
