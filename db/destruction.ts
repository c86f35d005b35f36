// Holds, destruction requests, their decisions, and the destruction register (DES-1..5). The
// database guards what matters whoever writes (0007_destruction.sql): documents become
// `destroyed` only through a register entry, and the register is append-only and chained.
import type { DocumentCategory } from '../domain/archive.ts';
import {
  destructionBlocker,
  supervisorDesignationProblem,
  verificationMismatch,
  type DestructionCandidate,
  type DestructionItemState,
  type DestructionRequestStatus,
  type DestructionStep,
} from '../domain/destruction.ts';
import { StateConflict } from '../domain/errors.ts';
import type { SecrecyLevel } from '../domain/secrecy.ts';
import type { Sql, TransactionSql } from './client.ts';
import { insertAudit } from './audit.ts';

type Db = Sql | TransactionSql;

// ------------------------------------------------------------------ candidates and retention

/** A document as a destruction request sees it: the rules' facts and what the form shows. */
export interface CandidateDocument extends DestructionCandidate {
  reference: string;
  title: string;
  category: DocumentCategory;
  secrecy: SecrecyLevel;
}

/** DES-2: a document's destruction date, from its own retention or its category's (0010_policy_fidelity.sql); null when kept permanently. */
function retentionEndsOn(sql: Db) {
  return sql`retention_ends_on(d.archived_on, document_retention_years(d.category, d.retention_years, d.retention_permanent))`;
}

function candidateColumns(sql: Db) {
  return sql`d.id, d.reference, d.title, d.category, d.secrecy, d.status,
    to_char(${retentionEndsOn(sql)}, 'YYYY-MM-DD') as "retentionEndsOn",
    (select json_build_object('id', h.id, 'reason', h.reason) from document_holds h
      where h.document_id = d.id and h.released_at is null order by h.placed_at, h.id limit 1) as hold`;
}

/** The given documents (those that exist), locked for the caller's transaction. */
export async function lockCandidates(tx: TransactionSql, documentIds: readonly string[]): Promise<CandidateDocument[]> {
  return tx<CandidateDocument[]>`
    select ${candidateColumns(tx)} from documents d where d.id = any(${documentIds as string[]}) order by d.id for update of d`;
}

/**
 * DES-2: the documents that have reached their destruction date by `today` (YYYY-MM-DD, the
 * company's calendar) and may enter destruction: in the archive, not held, in no request.
 */
export async function retentionDue(sql: Db, today: string): Promise<CandidateDocument[]> {
  const rows = await sql<CandidateDocument[]>`
    select ${candidateColumns(sql)} from documents d
    where d.status = 'in_archive' and ${retentionEndsOn(sql)} <= ${today}::date
    order by ${retentionEndsOn(sql)}, d.reference`;
  return rows.filter((row) => destructionBlocker(row, today) === undefined);
}

// ------------------------------------------------------------------ holds

export interface Hold {
  id: string;
  documentId: string;
  reason: string;
  placedBy: string;
  placedAt: Date;
  releasedBy: string | null;
  releasedAt: Date | null;
}

function holdColumns(sql: Db) {
  return sql`id, document_id as "documentId", reason, placed_by as "placedBy", placed_at as "placedAt",
    released_by as "releasedBy", released_at as "releasedAt"`;
}

/**
 * Places a hold. The document's row is locked first, as the destruction's execution locks it
 * before it re-reads the holds: a hold either lands before execution (and withdraws the
 * document) or finds the document destroyed. Undefined when there is no such document.
 */
export async function placeHold(
  sql: Sql,
  hold: { id: string; documentId: string; reason: string; placedBy: string },
): Promise<{ hold: Hold; destructionRequestId: string | null } | undefined> {
  return sql.begin(async (tx) => {
    const [document] = await tx<{ status: string }[]>`select status from documents where id = ${hold.documentId} for update`;
    if (!document) return undefined;
    if (document.status === 'destroyed') throw new StateConflict('DOCUMENT_DESTROYED', `Document ${hold.documentId} has been destroyed; there is nothing left to hold.`);
    const [placed] = await tx<Hold[]>`
      insert into document_holds (id, document_id, reason, placed_by)
      values (${hold.id}, ${hold.documentId}, ${hold.reason}, ${hold.placedBy})
      returning ${holdColumns(tx)}`;
    const [item] = await tx<{ requestId: string }[]>`
      select request_id as "requestId" from destruction_request_items where document_id = ${hold.documentId} and state = 'pending'`;
    await auditHold(tx, placed!, 'placed', { reason: hold.reason, destructionRequestId: item?.requestId ?? null });
    return { hold: placed!, destructionRequestId: item?.requestId ?? null };
  });
}

/** DES-2: placing and releasing a hold changes what may be destroyed, so the audit trail records both. */
async function auditHold(tx: TransactionSql, hold: Hold, change: 'placed' | 'released', detail: Record<string, unknown>): Promise<void> {
  await insertAudit(tx, [
    {
      key: `${hold.id}:${change}`,
      at: (change === 'placed' ? hold.placedAt : hold.releasedAt!).getTime(),
      processId: null,
      event: `hold.${change}`,
      actorId: change === 'placed' ? hold.placedBy : hold.releasedBy,
      ruleId: 'DES-2',
      detail: { holdId: hold.id, documentId: hold.documentId, ...detail },
    },
  ]);
}

export async function findHold(sql: Db, documentId: string, holdId: string): Promise<Hold | undefined> {
  const [row] = await sql<Hold[]>`select ${holdColumns(sql)} from document_holds where id = ${holdId} and document_id = ${documentId}`;
  return row;
}

/** Releases an active hold; undefined when it was not active (already released). */
export async function releaseHold(sql: Sql, hold: { id: string; releasedBy: string }): Promise<Hold | undefined> {
  return sql.begin(async (tx) => {
    const [row] = await tx<Hold[]>`
      update document_holds set released_by = ${hold.releasedBy}, released_at = now()
      where id = ${hold.id} and released_at is null
      returning ${holdColumns(tx)}`;
    if (row) await auditHold(tx, row, 'released', {});
    return row;
  });
}

// ------------------------------------------------------------------ requests

export interface DestructionItem {
  documentId: string;
  position: number;
  reference: string;
  title: string;
  category: DocumentCategory;
  secrecy: SecrecyLevel;
  retentionEndsOn: string;
  state: DestructionItemState;
  holdId: string | null;
}

export interface DestructionDecision {
  step: DestructionStep;
  outcome: string;
  decidedBy: string;
  onBehalfOf: string | null;
  comment: string | null;
  detail: Record<string, unknown>;
  at: Date;
}

export interface DestructionRequest {
  id: string;
  processId: string;
  requestedBy: string;
  reason: string;
  secrecy: SecrecyLevel;
  supervisorsRequired: number;
  status: DestructionRequestStatus;
  supervisorIds: string[] | null;
  designatedBy: string | null;
  designatedOnBehalfOf: string | null;
  createdAt: Date;
  closedAt: Date | null;
  items: DestructionItem[];
  decisions: DestructionDecision[];
  registerSeq: number | null;
}

/**
 * Files the form: the request, its items as the documents stand now, and the documents marked
 * pending destruction (so they are not lent meanwhile). The caller has locked and checked them.
 */
export async function insertDestructionRequest(
  tx: TransactionSql,
  request: {
    id: string;
    requestedBy: string;
    reason: string;
    secrecy: SecrecyLevel;
    supervisorsRequired: number;
    idempotencyKey: string | null;
    documents: readonly (CandidateDocument & { retentionEndsOn: string })[];
  },
): Promise<void> {
  await tx`
    insert into destruction_requests (id, requested_by, reason, secrecy, supervisors_required, idempotency_key)
    values (${request.id}, ${request.requestedBy}, ${request.reason}, ${request.secrecy}, ${request.supervisorsRequired}, ${request.idempotencyKey})`;
  const items = request.documents.map((d, position) => ({
    request_id: request.id,
    document_id: d.id,
    position,
    reference: d.reference,
    title: d.title,
    category: d.category,
    secrecy: d.secrecy,
    retention_ends_on: d.retentionEndsOn,
  }));
  await tx`insert into destruction_request_items ${tx(items, 'request_id', 'document_id', 'position', 'reference', 'title', 'category', 'secrecy', 'retention_ends_on')}`;
  await tx`update documents set status = 'pending_destruction' where id = any(${request.documents.map((d) => d.id)})`;
}

export async function requestIdForKey(sql: Db, requestedBy: string, idempotencyKey: string): Promise<string | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from destruction_requests where requested_by = ${requestedBy} and idempotency_key = ${idempotencyKey}`;
  return row?.id;
}

export async function findDestructionRequest(sql: Db, id: string): Promise<DestructionRequest | undefined> {
  const [row] = await sql<Omit<DestructionRequest, 'items' | 'decisions'>[]>`
    select r.id, r.process_id as "processId", r.requested_by as "requestedBy", r.reason, r.secrecy,
      r.supervisors_required as "supervisorsRequired", r.status, r.supervisor_ids as "supervisorIds",
      r.designated_by as "designatedBy", r.designated_on_behalf_of as "designatedOnBehalfOf",
      r.created_at as "createdAt", r.closed_at as "closedAt",
      (select g.seq::int from destruction_register g where g.request_id = r.id) as "registerSeq"
    from destruction_requests r where r.id = ${id}`;
  if (!row) return undefined;
  const items = await sql<DestructionItem[]>`
    select document_id as "documentId", position, reference, title, category, secrecy,
      to_char(retention_ends_on, 'YYYY-MM-DD') as "retentionEndsOn", state, hold_id as "holdId"
    from destruction_request_items where request_id = ${id} order by position`;
  const decisions = await sql<DestructionDecision[]>`
    select step, outcome, decided_by as "decidedBy", on_behalf_of as "onBehalfOf", comment, detail, at
    from destruction_decisions where request_id = ${id} order by seq`;
  return { ...row, items: [...items], decisions: [...decisions] };
}

/** Moves a request from `from` to `to`; false when it was not in `from`. */
async function changeStatus(tx: Db, id: string, from: readonly DestructionRequestStatus[], to: DestructionRequestStatus): Promise<boolean> {
  const changed = await tx`update destruction_requests set status = ${to} where id = ${id} and status in ${tx(from as DestructionRequestStatus[])}`;
  return changed.count === 1;
}

/** The Archivist reports the item check: only an approved request awaits it, once. In the transaction that queues the report for the process. */
export function startVerification(tx: TransactionSql, id: string): Promise<boolean> {
  return changeStatus(tx, id, ['approved'], 'verifying');
}

// ------------------------------------------------------------------ the process's steps

/** The request row, locked: every step of the process works on it in a transaction. */
async function lockRequest(tx: TransactionSql, id: string) {
  const [row] = await tx<{ requestedBy: string; supervisorsRequired: number; status: DestructionRequestStatus }[]>`
    select requested_by as "requestedBy", supervisors_required as "supervisorsRequired", status
    from destruction_requests where id = ${id} for update`;
  if (!row) throw new Error(`no destruction request ${id}`);
  return row;
}

/** A decision, recorded once per workflow step (`key`); the recorded one when it already was. */
async function recordOnce(tx: Db, key: string, decision: DestructionDecision & { requestId: string }): Promise<DestructionDecision> {
  await tx`
    insert into destruction_decisions (key, request_id, step, outcome, decided_by, on_behalf_of, comment, detail, at)
    values (${key}, ${decision.requestId}, ${decision.step}, ${decision.outcome}, ${decision.decidedBy}, ${decision.onBehalfOf},
            ${decision.comment}, ${tx.json(decision.detail as never)}, ${decision.at})
    on conflict (key) do nothing`;
  const [row] = await tx<DestructionDecision[]>`
    select step, outcome, decided_by as "decidedBy", on_behalf_of as "onBehalfOf", comment, detail, at from destruction_decisions where key = ${key}`;
  return row!;
}

/** A review or approval (DES-2/3), with the principal a delegate decided for. */
export async function recordDestructionDecision(sql: Db, key: string, decision: DestructionDecision & { requestId: string }): Promise<void> {
  await recordOnce(sql, key, decision);
}

/**
 * DES-5: records the final approver's designation and, when it stands, approves the request with
 * those supervisors; otherwise the problem, which goes back to the approver.
 */
export async function recordDesignation(
  sql: Sql,
  key: string,
  designation: { requestId: string; supervisorIds: string[]; designatedBy: string; onBehalfOf: string | null; at: Date },
): Promise<{ problem: string | undefined }> {
  return sql.begin(async (tx) => {
    const request = await lockRequest(tx, designation.requestId);
    const people = await tx<{ id: string; active: boolean; archivist: boolean }[]>`
      select u.id, u.active,
        (u.id = ${request.requestedBy} or exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'archivist')) as archivist
      from users u where u.id = any(${designation.supervisorIds})`;
    const problem = supervisorDesignationProblem({
      supervisorIds: designation.supervisorIds,
      required: request.supervisorsRequired,
      people: Object.fromEntries(people.map((p) => [p.id, { active: p.active, archivist: p.archivist }])),
    });
    const recorded = await recordOnce(tx, key, {
      requestId: designation.requestId,
      step: 'designation',
      outcome: problem === undefined ? 'designated' : 'refused',
      decidedBy: designation.designatedBy,
      onBehalfOf: designation.onBehalfOf,
      comment: problem ?? null,
      detail: { supervisorIds: designation.supervisorIds },
      at: designation.at,
    });
    if (recorded.outcome === 'designated') {
      await tx`
        update destruction_requests
        set status = 'approved', supervisor_ids = ${designation.supervisorIds}, designated_by = ${designation.designatedBy},
            designated_on_behalf_of = ${designation.onBehalfOf}
        where id = ${designation.requestId} and status = 'in_review'`;
    }
    return { problem: recorded.outcome === 'designated' ? undefined : (recorded.comment ?? 'refused') };
  });
}

/**
 * DES-4: the Archivist's item check. A match lets the destruction go ahead; a mismatch returns the
 * request to review (its approval and designation no longer stand). Replayed steps get the
 * recorded answer.
 */
export async function recordVerification(
  sql: Sql,
  key: string,
  verification: { requestId: string; checkedIds: string[]; verifiedBy: string; at: Date },
): Promise<{ missing: string[]; unexpected: string[] }> {
  return sql.begin(async (tx) => {
    await lockRequest(tx, verification.requestId);
    const items = await tx<{ documentId: string; held: boolean }[]>`
      select i.document_id as "documentId",
        exists (select 1 from document_holds h where h.document_id = i.document_id and h.released_at is null) as held
      from destruction_request_items i where i.request_id = ${verification.requestId} and i.state = 'pending' order by i.position`;
    const computed = verificationMismatch({
      approvedIds: items.map((i) => i.documentId),
      heldIds: items.filter((i) => i.held).map((i) => i.documentId),
      checkedIds: verification.checkedIds,
    });
    const matches = computed.missing.length === 0 && computed.unexpected.length === 0;
    const recorded = await recordOnce(tx, key, {
      requestId: verification.requestId,
      step: 'verification',
      outcome: matches ? 'match' : 'mismatch',
      decidedBy: verification.verifiedBy,
      onBehalfOf: null,
      comment: null,
      detail: { checkedIds: verification.checkedIds, ...computed },
      at: verification.at,
    });
    if (recorded.outcome === 'match') {
      await changeStatus(tx, verification.requestId, ['approved', 'verifying'], 'verified');
    } else {
      await tx`
        update destruction_requests set status = 'in_review', supervisor_ids = null, designated_by = null, designated_on_behalf_of = null
        where id = ${verification.requestId} and status in ('approved', 'verifying')`;
    }
    const detail = recorded.detail as { missing: string[]; unexpected: string[] };
    return { missing: detail.missing, unexpected: detail.unexpected };
  });
}

/** Rejected at some step: the items are let go and the documents return to the archive. */
export async function rejectDestructionRequest(sql: Sql, requestId: string, at: Date): Promise<void> {
  await sql.begin(async (tx) => {
    await lockRequest(tx, requestId);
    const returned = await tx<{ documentId: string }[]>`
      update destruction_request_items set state = 'returned'
      where request_id = ${requestId} and state = 'pending'
      returning document_id as "documentId"`;
    if (returned.length) {
      await tx`update documents set status = 'in_archive' where id = any(${returned.map((r) => r.documentId)}) and status = 'pending_destruction'`;
    }
    await tx`update destruction_requests set status = 'rejected', closed_at = ${at} where id = ${requestId} and closed_at is null`;
  });
}

// ------------------------------------------------------------------ execution and the register

export interface RegisterItem {
  documentId: string;
  reference: string;
  title: string;
  category: DocumentCategory;
  secrecy: SecrecyLevel;
  outcome: 'destroyed' | 'withdrawn';
  /** The hold that withdrew it. */
  hold?: { id: string; reason: string };
}

export interface RegisterApprover {
  step: 'office_review' | 'gm_approval';
  decidedBy: string;
  onBehalfOf: string | null;
  comment: string | null;
  at: string;
}

export interface RegisterEntry {
  seq: number;
  requestId: string;
  processId: string;
  requestedBy: string;
  reason: string;
  approvalForm: Record<string, unknown>;
  approvers: RegisterApprover[];
  items: RegisterItem[];
  supervisors: { designated: string[]; designatedBy: string | null; designatedOnBehalfOf: string | null; confirmedBy: string[] };
  method: string;
  place: string;
  executedAt: Date;
  registeredAt: Date;
  prevHash: string;
  hash: string;
}

function registerColumns(sql: Db) {
  return sql`seq::int, request_id as "requestId", process_id as "processId", requested_by as "requestedBy", reason,
    approval_form as "approvalForm", approvers, items, supervisors, method, place, executed_at as "executedAt",
    registered_at as "registeredAt", prev_hash as "prevHash", hash`;
}

export interface ExecutionResult {
  registerSeq: number;
  destroyed: number;
  withdrawn: number;
}

/**
 * DES-1/4: carries out an approved, verified destruction in one transaction. The documents are
 * locked, then the holds re-read: a held item is withdrawn and returns to the archive. The
 * register entry is written (the approved form, the items, the approvers, the supervisors, the
 * method, place and time), and only then are the documents marked destroyed, under the
 * transaction's custodian.destruction_request setting that the database checks against that
 * entry. Once written, a second call returns the same entry.
 */
export async function executeDestruction(
  sql: Sql,
  execution: { requestId: string; confirmedBy: string[]; method: string; place: string; executedAt: Date; at: Date },
): Promise<ExecutionResult> {
  return sql.begin(async (tx) => {
    const request = await lockRequest(tx, execution.requestId);
    const [done] = await tx<{ seq: number; items: RegisterItem[] }[]>`
      select seq::int, items from destruction_register where request_id = ${execution.requestId}`;
    if (done) return summary(done.seq, done.items);
    if (request.status !== 'verified') throw new Error(`destruction request ${execution.requestId} is ${request.status}, not verified`);

    const pending = await tx<DestructionItem[]>`
      select document_id as "documentId", position, reference, title, category, secrecy,
        to_char(retention_ends_on, 'YYYY-MM-DD') as "retentionEndsOn", state, hold_id as "holdId"
      from destruction_request_items where request_id = ${execution.requestId} and state = 'pending' order by position`;
    const ids = pending.map((item) => item.documentId);
    await tx`select id from documents where id = any(${ids}) order by id for update`;
    const holds = await tx<{ documentId: string; id: string; reason: string }[]>`
      select distinct on (document_id) document_id as "documentId", id, reason from document_holds
      where document_id = any(${ids}) and released_at is null order by document_id, placed_at, id`;
    const holdOf = new Map(holds.map((hold) => [hold.documentId, hold]));

    const items: RegisterItem[] = pending.map((item) => {
      const hold = holdOf.get(item.documentId);
      return {
        documentId: item.documentId,
        reference: item.reference,
        title: item.title,
        category: item.category,
        secrecy: item.secrecy,
        ...(hold ? { outcome: 'withdrawn' as const, hold: { id: hold.id, reason: hold.reason } } : { outcome: 'destroyed' as const }),
      };
    });
    const full = await findDestructionRequest(tx, execution.requestId);
    const form = full!;
    const latest = (step: DestructionStep) => form.decisions.filter((d) => d.step === step).at(-1);
    const approvers: RegisterApprover[] = (['office_review', 'gm_approval'] as const).flatMap((step) => {
      const decision = latest(step);
      return decision && decision.outcome === 'approve'
        ? [{ step, decidedBy: decision.decidedBy, onBehalfOf: decision.onBehalfOf, comment: decision.comment, at: decision.at.toISOString() }]
        : [];
    });
    const verification = latest('verification');
    const approvalForm = {
      form: '公司档案资料销毁审批表',
      requestId: form.id,
      requestedBy: form.requestedBy,
      requestedAt: form.createdAt.toISOString(),
      reason: form.reason,
      secrecy: form.secrecy,
      items: form.items.map((i) => ({ documentId: i.documentId, reference: i.reference, title: i.title, category: i.category, secrecy: i.secrecy, retentionEndsOn: i.retentionEndsOn })),
      designation: { supervisorIds: form.supervisorIds, designatedBy: form.designatedBy, onBehalfOf: form.designatedOnBehalfOf },
      verification: verification && { verifiedBy: verification.decidedBy, at: verification.at.toISOString(), checkedIds: verification.detail.checkedIds },
    };
    const supervisors = {
      designated: form.supervisorIds ?? [],
      designatedBy: form.designatedBy,
      designatedOnBehalfOf: form.designatedOnBehalfOf,
      confirmedBy: execution.confirmedBy,
    };

    const [entry] = await tx<{ seq: number }[]>`
      insert into destruction_register (request_id, process_id, requested_by, reason, approval_form, approvers, items, supervisors,
                                        method, place, executed_at, registered_at, prev_hash, hash)
      values (${form.id}, ${form.processId}, ${form.requestedBy}, ${form.reason}, ${tx.json(approvalForm as never)},
              ${tx.json(approvers as never)}, ${tx.json(items as never)}, ${tx.json(supervisors as never)},
              ${execution.method}, ${execution.place}, ${execution.executedAt}, ${execution.at}, '', '')
      returning seq::int`;

    for (const item of items.filter((i) => i.outcome === 'withdrawn')) {
      await tx`update destruction_request_items set state = 'withdrawn', hold_id = ${item.hold!.id}
               where request_id = ${form.id} and document_id = ${item.documentId}`;
      await tx`update documents set status = 'in_archive' where id = ${item.documentId}`;
    }
    const destroyed = items.filter((i) => i.outcome === 'destroyed').map((i) => i.documentId);
    await tx`select set_config('custodian.destruction_request', ${form.id}, true)`;
    await tx`update documents set status = 'destroyed' where id = any(${destroyed})`;
    await tx`update destruction_request_items set state = 'destroyed' where request_id = ${form.id} and document_id = any(${destroyed})`;
    await tx`update destruction_requests set status = 'destroyed', closed_at = ${execution.at} where id = ${form.id}`;
    return summary(entry!.seq, items);
  });
}

function summary(seq: number, items: RegisterItem[]): ExecutionResult {
  return {
    registerSeq: seq,
    destroyed: items.filter((i) => i.outcome === 'destroyed').length,
    withdrawn: items.filter((i) => i.outcome === 'withdrawn').length,
  };
}

/** A page of the register in filing order, after entry `afterSeq`. */
export async function listRegister(sql: Db, page: { afterSeq: number; limit: number }): Promise<RegisterEntry[]> {
  return sql<RegisterEntry[]>`
    select ${registerColumns(sql)} from destruction_register where seq > ${page.afterSeq} order by seq limit ${page.limit}`;
}
