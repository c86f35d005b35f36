// Powers of attorney's application service (BOR-7): giving one (registered in the archive,
// ARC-1, with the start of its process, in one transaction), who sees one, and revoking it (the
// revocation and the message to its process committed together), and announcing it to the running
// instances (delegationSteps, behind the service task). The only delegation code that opens
// transactions or starts and messages processes.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { findUser } from '../../platform/organisation/sql.ts';
import { isUnavailable } from '../../platform/http/problem.ts';
import type { FormValue, ServiceContext } from '../../engine/activities/services.ts';
import type { EngineClient } from '../../engine/client.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { listDefinitions } from '../../engine/sql/definitions.ts';
import { enqueueMessage, enqueueStart } from '../../engine/sql/outbox.ts';
import { delegationSignal } from '../../engine/workflow/messages.ts';
import type { DelegationNotice } from '../../engine/workflow/types.ts';
import { archiveDate, fileDocument } from '../archive/index.ts';
import { demand } from '../../platform/access.ts';
import { delegationPrincipals } from './access.ts';
import { POWER_OF_ATTORNEY_PROCESS } from './definitions.ts';
import type { delegationServices } from './service-task-specs.ts';
import {
  checkDelegation,
  delegationProcessId,
  delegationStatus,
  isDelegationOverseer,
  POWER_OF_ATTORNEY_LOCATION,
  powerOfAttorneyDocumentId,
  powerOfAttorneyTitle,
  type DelegableSecrecy,
} from './rules.ts';
import {
  delegationPageOf,
  delegationsOf,
  findDelegation,
  findDelegationByIdempotencyKey,
  insertDelegation,
  instancesAnnounced,
  instancesAwaiting,
  nextPowerOfAttorneyReference,
  recordAnnouncements,
  revokeDelegation,
  type Delegation,
} from './sql.ts';

export type { Delegation };

/** How long a revocation waits for its process to withdraw the delegate from open tasks. */
const REVOCATION_WAIT_MS = 10_000;

export interface PowerOfAttorney {
  delegateId: string;
  /** ISO 8601 instants. */
  validFrom: string;
  validTo: string;
  scope: { processKeys?: string[] | undefined; maxSecrecy: DelegableSecrecy };
  reason: string;
}

function normalisedKeys(keys: readonly string[] | undefined): string[] | null {
  return keys ? [...new Set(keys)].sort() : null;
}

/** Whether a retried request asks for what the first one created. */
function sameRequest(delegation: Delegation, request: PowerOfAttorney): boolean {
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

/** Why a delegation can no longer be revoked, if it cannot. */
function revocationConflict(delegation: Delegation, now: Date): StateConflict | undefined {
  const status = delegationStatus(delegation, now);
  if (status === 'revoked') return new StateConflict('DELEGATION_ALREADY_REVOKED', `Delegation ${delegation.id} was revoked at ${delegation.revokedAt!.toISOString()}.`, 'BOR-7');
  if (status === 'expired') return new StateConflict('DELEGATION_EXPIRED', `Delegation ${delegation.id} ended at ${delegation.validTo.toISOString()}.`, 'BOR-7');
  return undefined;
}

export function delegationService(deps: { sql: Sql; engine: EngineClient; outbox: ProcessOutbox }) {
  const { sql, engine, outbox } = deps;

  /** Queues the start of the delegation's process, in the transaction that registers the delegation. */
  const queueDelegationProcess = (tx: TransactionSql, delegation: Delegation, principal: User) =>
    enqueueStart(tx, {
      key: POWER_OF_ATTORNEY_PROCESS,
      processId: delegationProcessId(delegation.id),
      initiator: { id: principal.id, departmentId: principal.departmentId },
      variables: { delegationId: delegation.id, validFrom: delegation.validFrom.toISOString(), validTo: delegation.validTo.toISOString() },
    });

  /** The answer to a retried request: the delegation its Idempotency-Key created. */
  const replay = async (existing: Delegation, request: PowerOfAttorney): Promise<Delegation> => {
    if (!sameRequest(existing, request)) {
      throw new PolicyViolation('IDEMPOTENCY_KEY_REUSED', undefined, `This Idempotency-Key created delegation ${existing.id} from a different request.`);
    }
    // The first request's process start may still be queued (Temporal was unavailable then).
    await outbox.deliver([delegationProcessId(existing.id)]);
    return existing;
  };

  /** Refuses process keys that are not published, or that a power of attorney does not reach (BOR-7). */
  const checkProcessKeys = async (processKeys: string[]): Promise<void> => {
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
  };

  /** Files the power of attorney in the archive (ARC-1) and registers the delegation, in the caller's transaction. */
  const register = async (tx: TransactionSql, delegation: Omit<Delegation, 'documentId' | 'documentReference' | 'createdAt' | 'revokedAt' | 'revokedBy'>, principal: User, delegate: User, now: Date) => {
    const archivedOn = archiveDate(now);
    const document = await fileDocument(tx, {
      id: powerOfAttorneyDocumentId(delegation.id),
      reference: await nextPowerOfAttorneyReference(tx, archivedOn),
      title: powerOfAttorneyTitle(principal, delegate, delegation),
      category: 'power_of_attorney',
      secrecy: 'none',
      departmentId: principal.departmentId,
      original: true,
      // The retention schedule's period for powers of attorney (none: kept permanently).
      retentionYears: null,
      archivedOn,
      location: POWER_OF_ATTORNEY_LOCATION,
      registeredBy: delegation.principalId,
    });
    return insertDelegation(tx, delegation, document.id);
  };

  /**
   * BOR-7: the principal gives a power of attorney. `replayed`: the delegation a request with the
   * same Idempotency-Key created (first, or concurrently).
   */
  async function giveDelegation(principal: User, request: PowerOfAttorney, idempotencyKey: string | undefined): Promise<{ delegation: Delegation; replayed: boolean }> {
    const findReplay = () => (idempotencyKey === undefined ? Promise.resolve(undefined) : findDelegationByIdempotencyKey(sql, principal.id, idempotencyKey));

    // BOR-7, decided through the declared permission (access.ts): who is not the GM is refused (403) before anything is read.
    demand(delegationPrincipals, principal, undefined, () => new Forbidden('PRINCIPAL_NOT_GM', 'Only the GM may delegate approval.', 'BOR-7'));
    const previous = await findReplay();
    if (previous) return { delegation: await replay(previous, request), replayed: true };

    // The delegate is named in the body, not the path: an unknown one makes the request
    // unprocessable (422) rather than the resource missing (404). The organisation is no secret.
    const delegate = await findUser(sql, request.delegateId);
    if (!delegate) {
      throw new PolicyViolation('DELEGATE_NOT_FOUND', undefined, `No user "${request.delegateId}".`, [{ path: 'delegateId', message: 'names no user' }]);
    }
    const processKeys = normalisedKeys(request.scope.processKeys);
    if (processKeys) await checkProcessKeys(processKeys);
    const now = new Date();
    const validity = { validFrom: new Date(request.validFrom), validTo: new Date(request.validTo) };
    const id = randomUUID();
    let registered: Delegation;
    try {
      checkDelegation({ principal, delegate, processKeys, ...validity }, await delegationsOf(sql, principal.id), now);
      registered = await sql.begin(async (tx) => {
        const delegation = await register(
          tx,
          { id, principalId: principal.id, delegateId: delegate.id, processKeys, maxSecrecy: request.scope.maxSecrecy, reason: request.reason, idempotencyKey: idempotencyKey ?? null, ...validity },
          principal,
          delegate,
          now,
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
      if (raced) return { delegation: await replay(raced, request), replayed: true };
      if (violates(error, 'delegations_no_overlap')) {
        throw new PolicyViolation('DELEGATION_OVERLAP', 'BOR-7', 'Another delegation already covers part of this period for some of these processes.');
      }
      throw error;
    }
    await outbox.deliver([delegationProcessId(id)]);
    return { delegation: registered, replayed: false };
  }

  /** The delegation, if the user may see it: its principal, its delegate, the GM and the Office Director. */
  async function visibleDelegation(user: User, id: string): Promise<Delegation> {
    const delegation = await findDelegation(sql, id);
    if (!delegation || (delegation.principalId !== user.id && delegation.delegateId !== user.id && !isDelegationOverseer(user.roles))) {
      throw new NotFound('DELEGATION_NOT_FOUND', `No delegation ${id}.`);
    }
    return delegation;
  }

  /** A page of the powers of attorney the user has given and holds, latest period first. */
  function delegationPage(user: User, page: { limit: number; after?: { validFrom: string; id: string } | undefined }) {
    return delegationPageOf(sql, user.id, page);
  }

  /** Every delegation the user has given and holds. */
  function delegationsOfUser(user: User) {
    return delegationsOf(sql, user.id);
  }

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

  /**
   * BOR-7: the principal revokes a live power of attorney. `withdrawn`: its process has withdrawn
   * the delegate from every open task (false: still under way after the wait, or Temporal away).
   */
  async function revoke(user: User, id: string): Promise<{ delegation: Delegation; withdrawn: boolean }> {
    const delegation = await visibleDelegation(user, id);
    if (delegation.principalId !== user.id) throw new Forbidden('NOT_THE_PRINCIPAL', 'Only the principal revokes a power of attorney.', 'BOR-7');
    const now = new Date();
    const refused = revocationConflict(delegation, now);
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
      throw revocationConflict(current, new Date()) ?? new StateConflict('DELEGATION_ALREADY_REVOKED', `Delegation ${id} is no longer live.`, 'BOR-7');
    }
    const withdrawn = (await outbox.deliver([processId])) && (await processEnded(processId));
    return { delegation: revoked, withdrawn };
  }

  return { giveDelegation, visibleDelegation, delegationPage, delegationsOfUser, revoke };
}

export type DelegationService = ReturnType<typeof delegationService>;

/**
 * The steps the power-of-attorney process takes, one per service task (named as the services
 * are). BOR-7: a power of attorney starting or ending is told to the running instances it
 * concerns, which add or remove the delegate on their open tasks (the engine checks the scope).
 * Tasks that open later read the delegations table themselves (activities/engine.ts resolveCandidates).
 */
export function delegationSteps({ sql, client }: { sql: Sql; client: Client }) {
  return {
    // Idempotent: the engine ignores a notice that changes nothing, and the announcements are
    // recorded with on-conflict-do-nothing, so a retried call tells everyone again harmlessly.
    async announceDelegation(input: FormValue<(typeof delegationServices)['announceDelegation']['input']>, { at }: ServiceContext) {
      const delegation = await findDelegation(sql, input.delegationId);
      // Only a registration undone because its process could not start leaves a process without its row.
      if (!delegation) return { notified: 0 };
      // A revocation may land while the start is being announced: a revoked delegation is never
      // announced as active (its process announces the end right after).
      const active = input.active && delegation.revokedAt === null;
      const notice: DelegationNotice = {
        delegationId: delegation.id,
        principalId: delegation.principalId,
        delegateId: delegation.delegateId,
        ...(delegation.processKeys ? { processKeys: delegation.processKeys } : {}),
        maxSecrecy: delegation.maxSecrecy,
        validFrom: delegation.validFrom.getTime(),
        validTo: delegation.validTo.getTime(),
        active,
      };
      const awaiting = await instancesAwaiting(sql, delegation.principalId);
      let targets: string[];
      if (active) {
        // Recorded before telling, so that the end reaches every instance that may have heard of the start.
        await recordAnnouncements(sql, delegation.id, awaiting, new Date(at));
        targets = awaiting;
      } else {
        targets = [...new Set([...awaiting, ...(await instancesAnnounced(sql, delegation.id))])].sort();
      }
      let notified = 0;
      for (const processId of targets) {
        try {
          await client.workflow.getHandle(processId).signal(delegationSignal, notice);
          notified += 1;
        } catch (error) {
          // The instance ended after it was listed: nothing left to tell it.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      return { notified };
    },
  };
}
