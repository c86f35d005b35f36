// Powers of attorney 委托书 (BOR-7): the GM delegates approval to a Deputy GM or the Office
// Director for a period and a scope. Each delegation is registered as an archive document
// (ARC-1) and lived by a process (workflows/processes/delegation.ts) that announces its start and
// end to the running instances waiting on the GM.
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { listDefinitions } from '../../engine/sql/definitions.ts';
import {
  delegationPageOf,
  delegationsOf,
  findDelegation,
  findDelegationByIdempotencyKey,
  insertDelegation,
  revokeDelegation,
  type Delegation,
} from './sql.ts';
import { findUser } from '../../platform/organisation/sql.ts';
import { enqueueMessage, enqueueStart } from '../../engine/sql/outbox.ts';
import {
  archiveDate,
  checkDelegation,
  delegableSecrecyLevels,
  delegationStatus,
  delegationStatuses,
  isDelegationOverseer,
  powerOfAttorneyTitle,
} from './rules.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { definitionKey } from '../../engine/definition/definition.ts';
import { POWER_OF_ATTORNEY_PROCESS } from './definitions.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import type { EngineClient } from '../../engine/client.ts';
import { startsAsynchronously, type ProcessOutbox } from '../../engine/outbox.ts';
import { isUnavailable } from '../../platform/http/problem.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateTimeInput, idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';

/** How long a revocation waits for its process to withdraw the delegate from open tasks. */
const REVOCATION_WAIT_MS = 10_000;

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

export function delegationProcessId(delegationId: string): string {
  return `delegation-${delegationId}`;
}

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

type DelegationRequest = z.infer<typeof delegationRequest>;

function normalisedKeys(keys: readonly string[] | undefined): string[] | null {
  return keys ? [...new Set(keys)].sort() : null;
}

/** Whether a retried request asks for what the first one created. */
function sameRequest(delegation: Delegation, request: DelegationRequest): boolean {
  return (
    delegation.delegateId === request.delegateId &&
    delegation.validFrom.getTime() === Date.parse(request.validFrom) &&
    delegation.validTo.getTime() === Date.parse(request.validTo) &&
    JSON.stringify(delegation.processKeys) === JSON.stringify(normalisedKeys(request.scope.processKeys)) &&
    delegation.maxSecrecy === request.scope.maxSecrecy &&
    delegation.reason === request.reason
  );
}

function violates(error: unknown, constraint: string): boolean {
  return (error as { constraint_name?: unknown })?.constraint_name === constraint;
}

// ------------------------------------------------------------------ routes

export function delegationRoutes(deps: { sql: Sql; engine: EngineClient; outbox: ProcessOutbox; authenticator: Authenticator }) {
  const { sql, engine, outbox } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  /** Queues the start of the delegation's process, in the transaction that registers the delegation. */
  const queueDelegationProcess = (tx: TransactionSql, delegation: Delegation, principal: User) =>
    enqueueStart(tx, {
      key: POWER_OF_ATTORNEY_PROCESS,
      processId: delegationProcessId(delegation.id),
      initiator: { id: principal.id, departmentId: principal.departmentId },
      variables: { delegationId: delegation.id, validFrom: iso(delegation.validFrom), validTo: iso(delegation.validTo) },
    });

  /** The answer to a retried request: the delegation its Idempotency-Key created. */
  const replay = async (existing: Delegation, request: DelegationRequest): Promise<DelegationBody> => {
    if (!sameRequest(existing, request)) {
      throw new PolicyViolation('IDEMPOTENCY_KEY_REUSED', undefined, `This Idempotency-Key created delegation ${existing.id} from a different request.`);
    }
    // The first request's process start may still be queued (Temporal was unavailable then).
    await outbox.deliver([delegationProcessId(existing.id)]);
    return delegationBody(existing, new Date());
  };

  /** The delegation, if the user may see it: its principal, its delegate, the GM and the Office Director. */
  const visibleDelegation = async (id: string, user: User): Promise<Delegation> => {
    const delegation = await findDelegation(sql, id);
    if (!delegation || (delegation.principalId !== user.id && delegation.delegateId !== user.id && !isDelegationOverseer(user.roles))) {
      throw new NotFound('DELEGATION_NOT_FOUND', `No delegation ${id}.`);
    }
    return delegation;
  };

  /** Waits (bounded) until the delegation's process has ended, i.e. has withdrawn the delegate. */
  const processEnded = async (processId: string): Promise<boolean> => {
    const deadline = Date.now() + REVOCATION_WAIT_MS;
    for (;;) {
      const running = await engine.client.workflow
        .getHandle(processId)
        .describe()
        .then(
          (description) => description.status.name === 'RUNNING',
          (error: unknown) => {
            if (error instanceof WorkflowNotFoundError) return false;
            // The revocation stands and its message is delivered; Temporal went away meanwhile.
            if (isUnavailable(error)) return true;
            return Promise.reject(error);
          },
        );
      if (!running) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

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
        422: {
          description:
            'Refused (problem+json): PRINCIPAL_NOT_GM, DELEGATE_NOT_ELIGIBLE, DELEGATE_INACTIVE, SELF_DELEGATION, REDELEGATION_FORBIDDEN, DELEGATION_OVERLAP (ruleId BOR-7); ' +
            'DELEGATE_NOT_FOUND, UNKNOWN_PROCESS_KEY, VALID_FROM_NOT_BEFORE_VALID_TO, VALIDITY_IN_PAST, IDEMPOTENCY_KEY_REUSED',
        },
      },
    }),
    async (c) => {
      const request = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      const principal = c.var.user;
      const findReplay = () => (key === undefined ? Promise.resolve(undefined) : findDelegationByIdempotencyKey(sql, principal.id, key));

      const previous = await findReplay();
      if (previous) return c.json(await replay(previous, request), 200);

      // The delegate is named in the body, not the path: an unknown one makes the request
      // unprocessable (422) rather than the resource missing (404). The organisation is no secret.
      const delegate = await findUser(sql, request.delegateId);
      if (!delegate) {
        throw new PolicyViolation('DELEGATE_NOT_FOUND', undefined, `No user "${request.delegateId}".`, [{ path: 'delegateId', message: 'names no user' }]);
      }
      const processKeys = normalisedKeys(request.scope.processKeys);
      if (processKeys) {
        const published = new Map((await listDefinitions(sql)).map((definition) => [definition.key, definition]));
        const unknown = processKeys.filter((processKey) => !published.has(processKey));
        if (unknown.length > 0) {
          throw new PolicyViolation(
            'UNKNOWN_PROCESS_KEY',
            undefined,
            `No published process ${unknown.join(', ')}.`,
            unknown.map((processKey) => ({ path: 'scope.processKeys', message: `${processKey} is not a published process` })),
          );
        }
        // listDefinitions is ordered by version: the map holds each key's newest.
        const outside = processKeys.filter((processKey) => !published.get(processKey)!.powerOfAttorney);
        if (outside.length > 0) {
          throw new PolicyViolation(
            'OUTSIDE_POWER_OF_ATTORNEY',
            'BOR-7',
            `A power of attorney covers the GM's borrowing approvals, not ${outside.join(', ')} (DES-3: destruction needs the GM himself).`,
            outside.map((processKey) => ({ path: 'scope.processKeys', message: `${processKey} is not within a power of attorney` })),
          );
        }
      }
      const now = new Date();
      const validity = { validFrom: new Date(request.validFrom), validTo: new Date(request.validTo) };
      const id = randomUUID();
      let registered: Delegation;
      try {
        checkDelegation({ principal, delegate, processKeys, ...validity }, await delegationsOf(sql, principal.id), now);
        registered = await sql.begin(async (tx) => {
          const { delegation } = await insertDelegation(
            tx,
            { id, principalId: principal.id, delegateId: delegate.id, processKeys, maxSecrecy: request.scope.maxSecrecy, reason: request.reason, idempotencyKey: key ?? null, ...validity },
            { title: powerOfAttorneyTitle(principal, delegate, validity), departmentId: principal.departmentId, archivedOn: archiveDate(now) },
          );
          // Without its process nobody would announce it: the two are committed together.
          await queueDelegationProcess(tx, delegation, principal);
          return delegation;
        });
      } catch (error) {
        // A concurrent request with the same key may have got in first, and its delegation now
        // clashes with this one (in the check, or in the database's trigger): answer with it.
        const clashed = (error instanceof PolicyViolation && error.code === 'DELEGATION_OVERLAP') || violates(error, 'delegations_no_overlap');
        const raced = clashed || violates(error, 'delegations_idempotency_key') ? await findReplay() : undefined;
        if (raced) return c.json(await replay(raced, request), 200);
        if (violates(error, 'delegations_no_overlap')) {
          throw new PolicyViolation('DELEGATION_OVERLAP', 'BOR-7', 'Another delegation already covers part of this period for some of these processes.');
        }
        throw error;
      }
      await outbox.deliver([delegationProcessId(id)]);
      return c.json(delegationBody(registered, new Date()), 201);
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
      const page = await delegationPageOf(sql, userId, { limit, after: parts && { validFrom: parts[0], id: parts[1] } });
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
      const delegation = await visibleDelegation(c.req.valid('param').id, c.var.user);
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
      const user = c.var.user;
      const id = c.req.valid('param').id;
      const conflict = (delegation: Delegation, now: Date): StateConflict | undefined => {
        const status = delegationStatus(delegation, now);
        if (status === 'revoked') return new StateConflict('DELEGATION_ALREADY_REVOKED', `Delegation ${id} was revoked at ${iso(delegation.revokedAt!)}.`, 'BOR-7');
        if (status === 'expired') return new StateConflict('DELEGATION_EXPIRED', `Delegation ${id} ended at ${iso(delegation.validTo)}.`, 'BOR-7');
        return undefined;
      };
      const delegation = await visibleDelegation(id, user);
      if (delegation.principalId !== user.id) throw new Forbidden('NOT_THE_PRINCIPAL', 'Only the principal revokes a power of attorney.', 'BOR-7');
      const now = new Date();
      const refused = conflict(delegation, now);
      if (refused) throw refused;

      const processId = delegationProcessId(id);
      // The revocation and the message that tells its process are committed together; the
      // outbox drops the message if the process is already over (it ended as the delegation expired).
      const revoked = await sql.begin(async (tx) => {
        const done = await revokeDelegation(tx, { id, revokedBy: user.id, at: now });
        if (done) await enqueueMessage(tx, processId, { id: `revoke-${id}`, name: 'revoked', payload: { revokedBy: user.id }, actorId: user.id });
        return done;
      });
      if (!revoked) {
        // Revoked or ended between the read and the update.
        const current = (await findDelegation(sql, id))!;
        throw conflict(current, new Date()) ?? new StateConflict('DELEGATION_ALREADY_REVOKED', `Delegation ${id} is no longer live.`, 'BOR-7');
      }
      const withdrawn = (await outbox.deliver([processId])) && (await processEnded(processId));
      return c.json(delegationBody(revoked, new Date()), withdrawn ? 200 : 202);
    },
  );

  return router;
}
