// The application service of overlapping customers (OVL-1..4, OVL-7): a claim on a customer held
// by someone else (or on another department's pool customer) opens an adjudication; a Department
// Manager or the Marketing Director raises a dispute; committee members score; and the process's
// own steps (evidence, signatures, the tally, the result). The only code of the area that opens
// transactions and starts or messages processes.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { completeTask, type EngineClient } from '../../engine/client.ts';
import { policyDate } from '../../engine/definition/feel.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { enqueueStart } from '../../engine/sql/outbox.ts';
import { openTasksOf } from '../../engine/sql/tasks.ts';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { Sql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import { holdsRole, type User } from '../../platform/organisation/model.ts';
import { departmentManagers, deputyGmInCharge, findUser, usersWithRole } from '../../platform/organisation/sql.ts';
import { cardFieldCount } from '../customer-archive/index.ts';
import { adjudicateOwnership } from '../customers/index.ts';
import {
  adjudicationProcessId,
  adjudicationProcessKey,
  checkDeference,
  checkScores,
  committee,
  deference,
  departmentParty,
  mayRaiseDispute,
  mayReadAdjudication,
  overlapSettings,
  personParty,
  suggestedScores,
  verdict,
  type MemberScore,
  type Party,
} from './rules.ts';
import {
  closeAdjudication,
  computeEvidence,
  findAdjudication,
  findClaimedCustomer,
  insertAdjudication,
  insertScore,
  isSecondAdjudication,
  openAdjudicationOf,
  recordAverage,
  recordSignature,
  salesFloorTraders,
  storeEvidence,
  type AdjudicationRecord,
  type ClaimedCustomer,
} from './sql.ts';

export interface OverlapDeps {
  sql: Sql;
  outbox: ProcessOutbox;
}

export interface OpenedAdjudication {
  adjudication: AdjudicationRecord;
  created: boolean;
}

const notFound = (id: string) => new NotFound('ADJUDICATION_NOT_FOUND', `No adjudication ${id}.`);

/** Opens an adjudication with its process, in one transaction; a second one for the customer is a 409. */
async function openAdjudication(deps: OverlapDeps, customer: ClaimedCustomer, raisedBy: User, kind: 'claim' | 'dispute', reason: string, parties: readonly Party[]): Promise<OpenedAdjudication> {
  const id = randomUUID();
  const processId = adjudicationProcessId(id);
  try {
    await deps.sql.begin(async (tx) => {
      await insertAdjudication(tx, { id, customerId: customer.id, kind, ruleId: kind === 'claim' ? 'OVL-1' : 'OVL-7', raisedBy: raisedBy.id, reason, processId, openedAt: new Date() }, parties);
      await enqueueStart(tx, {
        key: adjudicationProcessKey,
        processId,
        initiator: { id: raisedBy.id, departmentId: raisedBy.departmentId },
        variables: { adjudicationId: id, customerId: customer.id },
      });
    });
  } catch (error) {
    if (isSecondAdjudication(error)) // ACC-4: the refusal names no customer (the caller may not see it).
    throw new StateConflict('ADJUDICATION_UNDER_WAY', `Customer ${customer.id} is being adjudicated already.`, 'OVL-1');
    throw error;
  }
  await deps.outbox.deliver([processId]);
  return { adjudication: (await findAdjudication(deps.sql, id))!, created: true };
}

/**
 * OVL-4: a Business Dept salesperson's claim on a customer that trades with the Sales Floor is
 * refused; the Sales Floor salespeople are told that the colleague has information to share (once
 * a day per claimant), and the refusal is in the audit trail.
 */
async function deferToSalesFloor(sql: Sql, claimant: User, customer: ClaimedCustomer): Promise<void> {
  if (claimant.departmentId !== deference.defersDepartment) return;
  const traders = await salesFloorTraders(sql, customer.id, deference.toDepartment);
  if (traders.length === 0) return;
  const at = Date.now();
  const key = `ovl4:${customer.id}:${claimant.id}:${policyDate(at)}`;
  await sql.begin(async (tx) => {
    await insertNotices(tx, {
      key,
      processId: null,
      userIds: traders,
      ...notice('customer.deference', { claimantId: claimant.id, claimant: { en: claimant.displayName, zh: claimant.displayNameZh }, customerName: customer.name }),
      at,
    });
    await insertAudit(tx, [{ key, at, processId: null, event: 'customer.deferred', actorId: claimant.id, ruleId: 'OVL-4', detail: { customerId: customer.id, salesFloor: traders } }]);
  });
  checkDeference(claimant, customer.name, traders);
}

/**
 * OVL-1, OVL-4 (the customers area's claim path hands over here): a salesperson's claim on a
 * customer someone else owns or protects, or on another department's pool customer, opens an
 * adjudication (the claimant's own retry answers with it). Undefined when the claim is not an
 * overlap and takes the protection path (the pool of the claimant's department; a request pending
 * with its Department Manager, who decides first).
 */
export async function claimOverlap(deps: OverlapDeps, claimant: User, customer: ClaimedCustomer, reason: string): Promise<OpenedAdjudication | undefined> {
  const { sql } = deps;
  const running = await openAdjudicationOf(sql, customer.id);
  if (running) {
    const record = (await findAdjudication(sql, running.id))!;
    if (record.parties.some((p) => p.userId === claimant.id)) return { adjudication: record, created: false };
    throw new StateConflict('ADJUDICATION_UNDER_WAY', `Customer ${customer.id} is being adjudicated between its parties; the committee's decision comes first.`, 'OVL-1');
  }
  await deferToSalesFloor(sql, claimant, customer);
  if (customer.ownerId !== null && customer.ownerId !== claimant.id) {
    // the holder answers for the customer in its department
    return openAdjudication(deps, customer, claimant, 'claim', reason, [personParty(claimant, true), personParty({ id: customer.ownerId, departmentId: customer.departmentId }, false)]);
  }
  if (customer.status === 'open' && customer.departmentId !== claimant.departmentId) {
    return openAdjudication(deps, customer, claimant, 'claim', reason, [personParty(claimant, true), departmentParty(customer.departmentId)]);
  }
  return undefined;
}

/** An active salesperson named as a party of a dispute, or 422. */
async function namedParty(sql: Sql, userId: string, index: number): Promise<User> {
  const user = await findUser(sql, userId);
  if (!user || !user.active || !holdsRole(user.roles, ['salesperson'])) {
    throw new PolicyViolation('NOT_AN_ACTIVE_SALESPERSON', 'OVL-1', `${userId} is not an active salesperson.`, [{ path: `parties.${index}`, message: 'must be an active salesperson' }]);
  }
  return user;
}

export function overlapService(deps: OverlapDeps & { engine: EngineClient }) {
  const { sql, engine } = deps;

  async function visible(user: User, id: string): Promise<AdjudicationRecord> {
    const record = await findAdjudication(sql, id);
    if (!record || !mayReadAdjudication(user, record)) throw notFound(id);
    return record;
  }

  return {
    visible,

    /**
     * OVL-7 (and any overlap OVL-1 covers): a Department Manager of a party's department, or the
     * Marketing Director, raises a dispute over a customer between named salespeople.
     */
    async raiseDispute(user: User, customerId: string, request: { parties: string[]; reason: string }): Promise<OpenedAdjudication> {
      const customer = await findClaimedCustomer(sql, customerId);
      if (!customer) throw new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);
      const named = [...new Set(request.parties)];
      if (named.length < 2) throw new PolicyViolation('TOO_FEW_PARTIES', 'OVL-1', 'A dispute is between at least two different salespeople.', [{ path: 'parties', message: 'at least two different salespeople' }]);
      const parties = await Promise.all(named.map((id, i) => namedParty(sql, id, i)));
      if (!mayRaiseDispute(user, parties.map((p) => p.departmentId))) {
        throw new Forbidden('NOT_A_DISPUTE_RAISER', "A dispute is raised by a party's Department Manager or the Marketing Director.", 'OVL-7');
      }
      return openAdjudication(deps, customer, user, 'dispute', request.reason, parties.map((p) => personParty(p, false)));
    },

    /**
     * OVL-2: a committee member scores every party. A party left out gets the computed suggestion
     * (the form is pre-filled with it); a changed score needs a reason.
     */
    async score(user: User, id: string, scores: (Omit<MemberScore, 'score'> & { score?: number | undefined })[]): Promise<AdjudicationRecord> {
      const record = await visible(user, id);
      const task = (await openTasksOf(sql, record.processId)).find((t) => t.nodeId === 'score' && t.candidateIds.includes(user.id));
      if (!task) throw new StateConflict('NO_SCORE_TASK', `You have no scores to give on adjudication ${id} now.`, 'OVL-3');
      const suggestions = suggestionsOf(record);
      // The form is pre-filled: a party not given a score keeps its suggestion.
      const given = new Map(scores.map((s) => [s.party, s]));
      const full: MemberScore[] = [
        ...[...suggestions].map(([party, suggested]) => ({ party, score: given.get(party)?.score ?? suggested, reason: given.get(party)?.reason ?? null })),
        ...scores.filter((s) => !suggestions.has(s.party)).map((s) => ({ party: s.party, score: s.score ?? 0, reason: s.reason })),
      ];
      checkScores(full, suggestions);
      await completeTask(engine, record.processId, { taskId: task.id, actorId: user.id, outcome: 'scored', data: { scores: full.map((s) => ({ party: s.party, score: s.score, reason: s.reason ?? null })) } });
      return (await findAdjudication(sql, id))!;
    },
  };
}

export type OverlapService = ReturnType<typeof overlapService>;

/** OVL-1: the suggested score of each party, by party key. */
export function suggestionsOf(record: AdjudicationRecord): Map<string, number> {
  return new Map(record.parties.map((p) => [p.key, p.suggestedScore ?? 0]));
}

export async function adjudicationByProcess(sql: Sql, processId: string): Promise<AdjudicationRecord | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from adjudications where process_id = ${processId}`;
  return row && findAdjudication(sql, row.id);
}

// ---- what the adjudication process does (service-tasks.ts calls these)

/** The process is started after its record is stored: a missing one is a defect, not a fault to retry. */
const missing = (adjudicationId: string) => ApplicationFailure.nonRetryable(`no adjudication ${adjudicationId}`, 'ADJUDICATION_NOT_FOUND');

/**
 * OVL-1, OVL-3: the evidence of each party and the suggested scores, stored once; and who decides:
 * the parties (each signed by its Department Manager) and the committee.
 */
export async function prepareAdjudication(sql: Sql, adjudicationId: string, at: number) {
  const record = await findAdjudication(sql, adjudicationId);
  if (!record) throw missing(adjudicationId);
  if (record.parties.some((p) => p.evidence === null)) {
    const evidence = await computeEvidence(sql, adjudicationId, policyDate(at));
    const points = suggestedScores(evidence, cardFieldCount);
    for (const [i, e] of evidence.entries()) await storeEvidence(sql, adjudicationId, e.party, e, points[i]!.suggested, new Date(at));
  }
  const departments = [...new Set(record.parties.map((p) => p.departmentId))];
  const deputies = await Promise.all(departments.map((d) => deputyGmInCharge(sql, d)));
  const sameDeputy = deputies.every((d) => d !== undefined && d.id === deputies[0]!.id);
  const gm = (await usersWithRole(sql, 'gm'))[0];
  const chair = overlapSettings.deputyGmChairs && sameDeputy ? deputies[0]!.id : gm?.id;
  if (!chair) throw new Error('OVL-3: the committee has no chair (no GM)');
  const marketingDirectors = (await usersWithRole(sql, 'marketing_director')).map((u) => u.id);
  const managers = (await Promise.all(departments.map((d) => departmentManagers(sql, d)))).flat().map((u) => u.id);
  return {
    parties: record.parties.map((p) => ({ key: p.key, departmentId: p.departmentId })),
    members: committee(chair, marketingDirectors, managers).map((userId) => ({ userId })),
    chairId: chair,
  };
}

export async function signSubmissions(sql: Sql, adjudicationId: string, signatures: readonly { party: string; by: string; note?: string | null | undefined }[], at: number): Promise<{ signed: number }> {
  for (const s of signatures) await recordSignature(sql, adjudicationId, s.party, { by: s.by, note: s.note ?? null, at: new Date(at) });
  return { signed: signatures.length };
}

/** OVL-2: every member's scores recorded, the averages; the leader, or a tie for the GM. */
export async function tallyAdjudication(sql: Sql, adjudicationId: string, scores: readonly { memberId: string; party: string; score: number; reason?: string | null | undefined }[], at: number) {
  const record = await findAdjudication(sql, adjudicationId);
  if (!record) throw missing(adjudicationId);
  const suggestions = suggestionsOf(record);
  const { averages, leaders } = verdict(scores);
  await sql.begin(async (tx) => {
    for (const s of scores) {
      await insertScore(tx, adjudicationId, { memberId: s.memberId, party: s.party, score: s.score, suggestedScore: suggestions.get(s.party) ?? 0, reason: s.reason?.trim() || null, at: new Date(at) });
    }
    for (const [party, average] of averages) await recordAverage(tx, adjudicationId, party, average);
  });
  return { tie: leaders.length > 1, leader: leaders[0] ?? '', leaders };
}

/** OVL-2: the customer goes to the winner; the parties and their managers are told. Once. */
export async function settleAdjudication(sql: Sql, adjudicationId: string, decision: { winner: string; tieBrokenBy: string | null; key: string; at: number }): Promise<{ winner: string }> {
  const record = await findAdjudication(sql, adjudicationId);
  if (!record) throw missing(adjudicationId);
  const winner = record.parties.find((p) => p.key === decision.winner);
  if (!winner) throw ApplicationFailure.nonRetryable(`${decision.winner} is not a party of adjudication ${adjudicationId}`, 'NOT_A_PARTY');
  const at = new Date(decision.at);
  await sql.begin(async (tx) => {
    if (!(await closeAdjudication(tx, adjudicationId, { winnerKey: winner.key, tieBrokenBy: decision.tieBrokenBy, at }))) return;
    await adjudicateOwnership(tx, { customerId: record.customerId, toOwnerId: winner.userId, departmentId: winner.departmentId, actorId: decision.tieBrokenBy, at, key: decision.key });
  });
  const managers = (await Promise.all([...new Set(record.parties.map((p) => p.departmentId))].map((d) => departmentManagers(sql, d)))).flat().map((u) => u.id);
  await insertNotices(sql, {
    key: `${decision.key}:notice`,
    processId: record.processId,
    userIds: [...record.parties.flatMap((p) => (p.userId ? [p.userId] : [])), ...managers],
    ...notice('customer.adjudicated', {
      customerId: record.customerId,
      winner: winner.key,
      averages: record.parties.map((p) => ({ party: p.key, average: p.averageScore })),
      tieBroken: decision.tieBrokenBy !== null,
    }),
    at: decision.at,
  });
  return { winner: winner.key };
}
