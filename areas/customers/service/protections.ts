// The application service of protections 保护期 (OVL-8): claiming a customer of the open pool (a
// request, or the Department Manager's assignment), progress reports and intent orders, and the
// protection process's own steps.
import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from '../../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../../platform/errors.ts';
import type { User } from '../../../platform/organisation/model.ts';
import { findUser } from '../../../platform/organisation/sql.ts';
import { processState, sendMessage } from '../../../engine/client.ts';
import { enqueueMessage, enqueueStart } from '../../../engine/sql/outbox.ts';
import { archiveDate } from '../../delegation/index.ts';
import { claimOverlap, type OpenedAdjudication } from '../../overlap/index.ts';
import {
  activateProtection,
  closeProtection,
  currentProtection,
  findProtection,
  insertProtection,
  insertProtectionReport,
  isSecondProtection,
  lastReleaseFrom,
  openDepartureOf,
  reportsOf,
  type Customer,
  type Protection,
  type ProtectionReport,
} from '../sql.ts';
import {
  checkCardKeeper,
  customerProcessKeys,
  isSalesperson,
  managesDepartment,
  mayViewProtection,
  protectionProcessId,
  reclaimBlockedUntil,
  reportMessage,
  reportTarget,
  type ProtectionKind,
} from '../rules.ts';
import { customerAsKnownTo, existingCustomer, namedUser, type CustomerDeps } from './customers.ts';
import { refuseLeaver } from './departures.ts';

/** OVL-8: the release day of a running protection (the end of its last month). */
export const releaseAt = (protection: Protection): Date | undefined => protection.monthEnds.at(-1);

export interface ProtectionView {
  protection: Protection;
  reports: ProtectionReport[];
}

/** What a claim answers: the protection it started, or the caller's own one already under way. */
export interface Claim extends ProtectionView {
  created: boolean;
}

/**
 * OVL-8: whether the customer may be protected for `salesperson` now: it is in the open pool
 * with no request pending, its card is one their department keeps (CUS-4), and they did not
 * lose it to the pool within the reclaim block.
 */
async function checkClaim(sql: Sql, customer: Customer, current: Protection | undefined, salesperson: User, caller: User): Promise<void> {
  // ACC-4: the refusal names the customer, its protector and the end date only to a caller who may see it.
  const { known, label } = await customerAsKnownTo(sql, caller, customer);
  if (current?.status === 'requested') {
    throw new StateConflict('PROTECTION_PENDING', `A protection request for ${label} is awaiting its Department Manager's decision.`, 'OVL-8');
  }
  if (current?.status === 'active') {
    const protector = known ? await findUser(sql, current.protectorId) : undefined;
    const until = archiveDate(releaseAt(current)!);
    const who = current.protectorId === salesperson.id ? 'you' : `${protector?.displayNameZh ?? current.protectorId} (${current.protectorId})`;
    const by = known || current.protectorId === salesperson.id ? ` by ${who} until ${until}` : '';
    throw new StateConflict(
      'CUSTOMER_PROTECTED',
      `${label} is protected${by}; during the protection others may work it only by agreement with the protector (a co-development request).`,
      'OVL-8',
    );
  }
  if (customer.status === 'owned') {
    const whose = customer.ownerId === salesperson.id ? 'yours' : known ? `${customer.ownerId}'s` : "another salesperson's";
    throw new StateConflict('CUSTOMER_OWNED', `${label} is ${whose} (an intent order ended its protection).`, 'OVL-8');
  }
  checkCardKeeper(salesperson.departmentId, customer.cardType);
  const released = await lastReleaseFrom(sql, customer.id, salesperson.id);
  const until = released && reclaimBlockedUntil(released);
  if (until && until > new Date()) {
    throw new PolicyViolation(
      'RECLAIM_BLOCKED',
      'OVL-8',
      `${salesperson.id} lost ${customer.name} to the open pool on ${archiveDate(released)} and may not reclaim it until ${archiveDate(until)}.`,
    );
  }
}

/**
 * Records a protection with the start of its process, both in one transaction, then starts it. A
 * claim that loses the race to another one (protections_one_per_customer) is undone by that
 * transaction and answered 409.
 */
async function claim({ sql, outbox }: CustomerDeps, customer: Customer, salesperson: User, kind: ProtectionKind, requestedBy: User, reason: string | null): Promise<Protection> {
  const protectionId = randomUUID();
  let protection: Protection;
  try {
    protection = await sql.begin(async (tx) => {
      const inserted = await insertProtection(tx, {
        id: protectionId,
        customerId: customer.id,
        protectorId: salesperson.id,
        departmentId: salesperson.departmentId,
        kind,
        requestedBy: requestedBy.id,
        reason,
        processId: protectionProcessId(protectionId),
      });
      await enqueueStart(tx, {
        key: customerProcessKeys.protection,
        processId: inserted.processId,
        // The protector is the initiator, also of an assignment: the Department Manager decides its
        // monthly tasks, which the engine never gives to an instance's initiator.
        initiator: { id: salesperson.id, departmentId: salesperson.departmentId },
        variables: {
          protectionId,
          customerId: customer.id,
          protectorId: salesperson.id,
          departmentId: salesperson.departmentId,
          requestedBy: requestedBy.id,
          assigned: kind === 'assignment',
        },
      });
      return inserted;
    });
  } catch (error) {
    if (isSecondProtection(error)) {
      throw new StateConflict('PROTECTION_PENDING', `${customer.name} was claimed a moment ago; its protection request or protection is under way.`, 'OVL-8');
    }
    throw error;
  }
  await outbox.deliver([protection.processId]);
  return protection;
}

/**
 * OVL-8: a salesperson applies to protect a customer of the open pool; their own pending request
 * again is returned as it is. OVL-1, OVL-4: a claim on a customer someone else holds, or on
 * another department's pool customer, goes to the overlap adjudication (areas/overlap).
 */
export async function requestProtection(deps: CustomerDeps, user: User, customerId: string, reason: string): Promise<Claim | OpenedAdjudication> {
  if (!isSalesperson(user)) throw new Forbidden('NOT_A_SALESPERSON', 'Only salespeople apply to protect customers.', 'OVL-8');
  await refuseLeaver(deps.sql, user, 'a protection request');
  const customer = await existingCustomer(deps.sql, customerId);
  const current = await currentProtection(deps.sql, customer.id);
  if (current?.status === 'requested' && current.kind === 'request' && current.protectorId === user.id) {
    return { protection: current, reports: [], created: false };
  }
  checkCardKeeper(user.departmentId, customer.cardType);
  const adjudication = current?.status === 'requested' ? undefined : await claimOverlap(deps, user, customer, reason);
  if (adjudication) return adjudication;
  await checkClaim(deps.sql, customer, current, user, user);
  return { protection: await claim(deps, customer, user, 'request', user, reason), reports: [], created: true };
}

/** OVL-8: the Department Manager assigns a customer of the open pool to an active salesperson of their department; its protection starts at once. */
export async function assignCustomer(deps: CustomerDeps, user: User, customerId: string, salespersonId: string): Promise<Claim> {
  const { sql } = deps;
  const salesperson = await namedUser(sql, salespersonId, 'salespersonId');
  if (!managesDepartment(user, salesperson.departmentId)) {
    throw new Forbidden('NOT_THEIR_DEPARTMENT_MANAGER', `Only the Department Manager of ${salesperson.departmentId} assigns customers to ${salesperson.id}.`, 'CUS-2');
  }
  const leaving = await openDepartureOf(sql, salesperson.id);
  if (!salesperson.active || !isSalesperson(salesperson) || leaving) {
    throw new PolicyViolation('NOT_AN_ACTIVE_SALESPERSON', leaving ? 'SEC-5' : undefined, `${salesperson.id} is not an active salesperson${leaving ? ' (leaving)' : ''}.`, [
      { path: 'salespersonId', message: 'must be an active salesperson' },
    ]);
  }
  const customer = await existingCustomer(sql, customerId);
  const current = await currentProtection(sql, customer.id);
  if (current?.kind === 'assignment' && current.protectorId === salesperson.id && current.requestedBy === user.id) {
    return { protection: current, reports: await reportsOf(sql, current.id), created: false };
  }
  if (customer.status === 'open' && customer.departmentId !== salesperson.departmentId) {
    // OVL-1 (issue 14.9): another department's pool customer does not go to the first comer
    throw new StateConflict('CUSTOMER_OF_ANOTHER_DEPARTMENT', `${customer.name} is in the ${customer.departmentId} pool: the salesperson claims it (a protection request) and the committee decides.`, 'OVL-1');
  }
  await checkClaim(sql, customer, current, salesperson, user);
  return { protection: await claim(deps, customer, salesperson, 'assignment', user, null), reports: [], created: true };
}

/** A protection the user may see (SEC-1), or 404. */
export async function visibleProtection(sql: Sql, user: User, protectionId: string): Promise<Protection> {
  const protection = await findProtection(sql, protectionId);
  if (!protection || !mayViewProtection(user, protection)) throw new NotFound('PROTECTION_NOT_FOUND', `No protection ${protectionId}.`);
  return protection;
}

export async function protectionView(sql: Sql, user: User, protectionId: string): Promise<ProtectionView> {
  const protection = await visibleProtection(sql, user, protectionId);
  return { protection, reports: await reportsOf(sql, protection.id) };
}

const protectionEnded = (protection: Pick<Protection, 'id' | 'status'>) =>
  new StateConflict('PROTECTION_ENDED', `Protection ${protection.id} is ${protection.status === 'requested' ? 'not yet approved' : `over (${protection.status})`}.`, 'OVL-8');

/** An instance that has ended answers as a protection that is over. */
const endedInstance = (protection: Protection) => (error: unknown) => {
  throw error instanceof StateConflict ? protectionEnded({ ...protection, status: 'released' }) : error;
};

/**
 * OVL-8: the protector files a progress report. Every report is recorded; the first of a
 * protection month is also the month's message to the process, committed with it.
 */
export async function fileProgressReport({ sql, engine, outbox }: CustomerDeps, user: User, protectionId: string, summary: string): Promise<ProtectionReport> {
  const protection = await visibleProtection(sql, user, protectionId);
  if (protection.protectorId !== user.id) throw new Forbidden('NOT_THE_PROTECTOR', `Progress reports on protection ${protection.id} are filed by its protector.`, 'OVL-8');
  if (protection.status !== 'active') throw protectionEnded(protection);
  // Which month it counts for is where the instance is, in workflow time.
  const view = await processState(engine, protection.processId).catch(endedInstance(protection));
  const target = reportTarget(view.activeNodes);
  // Between its last month and its end (releasing, or recording an intent order): nothing left to report on.
  if (!target) throw new StateConflict('PROTECTION_ENDED', `Protection ${protection.id} is ending; it takes no more reports.`, 'OVL-8');
  const reports = await reportsOf(sql, protection.id);
  const forwarded = target.forward && !reports.some((report) => report.month === target.month && report.forwarded);
  const reportId = randomUUID();
  const report = await sql.begin(async (tx) => {
    const inserted = await insertProtectionReport(tx, { id: reportId, protectionId: protection.id, month: target.month, authorId: user.id, summary, forwarded });
    // One message a month, by id: the process ignores a repeat.
    if (forwarded) await enqueueMessage(tx, protection.processId, { id: `${protection.id}:report:${target.month}`, name: reportMessage(target.month), payload: { reportId }, actorId: user.id });
    return inserted;
  });
  if (forwarded) await outbox.deliver([protection.processId]);
  return report;
}

/** OVL-8: the message that tells a protection's process an intent order 意向单 was filed; the process takes it once. */
const intentOrderMessage = (protectionId: string, reference: string, filedBy: string) => ({
  id: `${protectionId}:intent-order`,
  name: 'intentOrder',
  payload: { reference, filedBy },
  actorId: filedBy,
});

/**
 * OVL-8: an intent order recorded in the caller's transaction (an order of areas/sales) ends the
 * customer's running protection as fileIntentOrder does: its message is queued with the record.
 * The process id to deliver to after the commit; undefined when no protection runs.
 */
export async function queueIntentOrder(tx: TransactionSql, customerId: string, reference: string, filedBy: string): Promise<string | undefined> {
  const protection = await currentProtection(tx, customerId);
  if (protection?.status !== 'active') return undefined;
  await enqueueMessage(tx, protection.processId, intentOrderMessage(protection.id, reference, filedBy));
  return protection.processId;
}

/** OVL-8: the protector or their Department Manager files the intent order 意向单 that ends the protection with the customer owned. */
export async function fileIntentOrder({ sql, engine }: CustomerDeps, user: User, protectionId: string, reference: string): Promise<ProtectionView> {
  const protection = await visibleProtection(sql, user, protectionId);
  if (protection.protectorId !== user.id && !managesDepartment(user, protection.departmentId)) {
    throw new Forbidden('NOT_THE_PROTECTOR', `The intent order of protection ${protection.id} is filed by its protector or their Department Manager.`, 'OVL-8');
  }
  // SEC-5: a protector whose departure is filed takes on nothing more; their Department Manager decides.
  if (protection.protectorId === user.id) await refuseLeaver(sql, user, 'an intent order');
  if (protection.status !== 'active') throw protectionEnded(protection);
  await sendMessage(engine, protection.processId, intentOrderMessage(protection.id, reference, user.id)).catch(endedInstance(protection));
  return { protection, reports: await reportsOf(sql, protection.id) };
}

// ------------------------------------------------------------------ the process's steps

/**
 * OVL-8: the protection starts: the customer becomes the protector's, and its department's. Done
 * once: a retry finds it started and returns it as it is. Undefined when the customer is no longer
 * in the pool.
 */
export async function startProtection(sql: Sql, start: Parameters<typeof activateProtection>[1]): Promise<Protection | undefined> {
  return sql.begin((tx) => activateProtection(tx, start));
}

/**
 * Ends a running protection: with an intent order the customer stays the protector's (owned);
 * otherwise it goes to the open pool. Undefined when it had already ended otherwise.
 */
export async function endProtection(sql: Sql, end: Parameters<typeof closeProtection>[1]): Promise<Protection | undefined> {
  return sql.begin((tx) => closeProtection(tx, end));
}
