// Holds, destruction requests, their decisions, and the destruction register (DES-1..5). The
// database guards what matters whoever writes (0007_destruction.sql): documents become
// `destroyed` only through a register entry, and the register is append-only and chained.
// SQL only: the application service (service.ts) opens the transactions and applies the rules.
import type { DocumentCategory, DocumentStatus } from '../archive/index.ts';
import type {
  DestructionCandidate,
  DestructionItemState,
  DestructionRequestStatus,
  DestructionStep,
  RegisterApprover,
  RegisterItem,
  registerRecord,
} from './rules.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';

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

/** DES-2: the documents in the archive that have reached their destruction date by `today` (YYYY-MM-DD, the company's calendar). */
export async function pastRetention(sql: Db, today: string): Promise<CandidateDocument[]> {
  return sql<CandidateDocument[]>`
    select ${candidateColumns(sql)} from documents d
    where d.status = 'in_archive' and ${retentionEndsOn(sql)} <= ${today}::date
    order by ${retentionEndsOn(sql)}, d.reference`;
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
 * A document's status, its row locked as the destruction's execution locks it before it re-reads
 * the holds: a hold either lands before execution (and withdraws the document) or finds the
 * document destroyed. Undefined when there is no such document.
 */
export async function lockDocumentStatus(tx: TransactionSql, documentId: string): Promise<DocumentStatus | undefined> {
  const [document] = await tx<{ status: DocumentStatus }[]>`select status from documents where id = ${documentId} for update`;
  return document?.status;
}

export async function insertHold(tx: TransactionSql, hold: { id: string; documentId: string; reason: string; placedBy: string }): Promise<Hold> {
  const [placed] = await tx<Hold[]>`
    insert into document_holds (id, document_id, reason, placed_by)
    values (${hold.id}, ${hold.documentId}, ${hold.reason}, ${hold.placedBy})
    returning ${holdColumns(tx)}`;
  return placed!;
}

/** The destruction request a document is pending in, if any. */
export async function pendingRequestOf(tx: TransactionSql, documentId: string): Promise<string | null> {
  const [item] = await tx<{ requestId: string }[]>`
    select request_id as "requestId" from destruction_request_items where document_id = ${documentId} and state = 'pending'`;
  return item?.requestId ?? null;
}

export async function findHold(sql: Db, documentId: string, holdId: string): Promise<Hold | undefined> {
  const [row] = await sql<Hold[]>`select ${holdColumns(sql)} from document_holds where id = ${holdId} and document_id = ${documentId}`;
  return row;
}

/** Releases an active hold; undefined when it was not active (already released). */
export async function releaseHold(sql: Db, hold: { id: string; releasedBy: string }): Promise<Hold | undefined> {
  const [row] = await sql<Hold[]>`
    update document_holds set released_by = ${hold.releasedBy}, released_at = now()
    where id = ${hold.id} and released_at is null
    returning ${holdColumns(sql)}`;
  return row;
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
export async function lockRequest(tx: TransactionSql, id: string) {
  const [row] = await tx<{ requestedBy: string; supervisorsRequired: number; status: DestructionRequestStatus }[]>`
    select requested_by as "requestedBy", supervisors_required as "supervisorsRequired", status
    from destruction_requests where id = ${id} for update`;
  if (!row) throw new Error(`no destruction request ${id}`);
  return row;
}

/** A decision, recorded once per workflow step (`key`); the recorded one when it already was. */
export async function recordDestructionDecision(tx: Db, key: string, decision: DestructionDecision & { requestId: string }): Promise<DestructionDecision> {
  await tx`
    insert into destruction_decisions (key, request_id, step, outcome, decided_by, on_behalf_of, comment, detail, at)
    values (${key}, ${decision.requestId}, ${decision.step}, ${decision.outcome}, ${decision.decidedBy}, ${decision.onBehalfOf},
            ${decision.comment}, ${tx.json(decision.detail as never)}, ${decision.at})
    on conflict (key) do nothing`;
  const [row] = await tx<DestructionDecision[]>`
    select step, outcome, decided_by as "decidedBy", on_behalf_of as "onBehalfOf", comment, detail, at from destruction_decisions where key = ${key}`;
  return row!;
}

/** DES-5: what the designation rule needs to know of the people designated (the requester counts as an Archivist). */
export async function supervisorFacts(tx: Db, requestedBy: string, supervisorIds: readonly string[]): Promise<Record<string, { active: boolean; archivist: boolean }>> {
  const people = await tx<{ id: string; active: boolean; archivist: boolean }[]>`
    select u.id, u.active,
      (u.id = ${requestedBy} or exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'archivist')) as archivist
    from users u where u.id = any(${supervisorIds as string[]})`;
  return Object.fromEntries(people.map((p) => [p.id, { active: p.active, archivist: p.archivist }]));
}

/** DES-5: the designation stands: the request is approved with those supervisors. */
export async function approveWithSupervisors(tx: TransactionSql, designation: { requestId: string; supervisorIds: string[]; designatedBy: string; onBehalfOf: string | null }): Promise<void> {
  await tx`
    update destruction_requests
    set status = 'approved', supervisor_ids = ${designation.supervisorIds}, designated_by = ${designation.designatedBy},
        designated_on_behalf_of = ${designation.onBehalfOf}
    where id = ${designation.requestId} and status = 'in_review'`;
}

/** The items still to be destroyed, with whether a hold stands on each now. */
export async function pendingItemHolds(tx: TransactionSql, requestId: string): Promise<{ documentId: string; held: boolean }[]> {
  return tx<{ documentId: string; held: boolean }[]>`
    select i.document_id as "documentId",
      exists (select 1 from document_holds h where h.document_id = i.document_id and h.released_at is null) as held
    from destruction_request_items i where i.request_id = ${requestId} and i.state = 'pending' order by i.position`;
}

/** DES-4: the item check matched: the destruction may go ahead. */
export async function markVerified(tx: TransactionSql, requestId: string): Promise<void> {
  await changeStatus(tx, requestId, ['approved', 'verifying'], 'verified');
}

/** DES-4: the item check did not match: the request returns to review, its approval and designation no longer standing. */
export async function returnToReview(tx: TransactionSql, requestId: string): Promise<void> {
  await tx`
    update destruction_requests set status = 'in_review', supervisor_ids = null, designated_by = null, designated_on_behalf_of = null
    where id = ${requestId} and status in ('approved', 'verifying')`;
}

/** Rejected at some step: the items are let go and the documents return to the archive. */
export async function rejectRequest(tx: TransactionSql, requestId: string, at: Date): Promise<void> {
  const returned = await tx<{ documentId: string }[]>`
    update destruction_request_items set state = 'returned'
    where request_id = ${requestId} and state = 'pending'
    returning document_id as "documentId"`;
  if (returned.length) {
    await tx`update documents set status = 'in_archive' where id = any(${returned.map((r) => r.documentId)}) and status = 'pending_destruction'`;
  }
  await tx`update destruction_requests set status = 'rejected', closed_at = ${at} where id = ${requestId} and closed_at is null`;
}

// ------------------------------------------------------------------ execution and the register

export type { RegisterApprover, RegisterItem } from './rules.ts';

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

/** The register entry already written for a request (a second execution returns it). */
export async function registeredExecution(tx: TransactionSql, requestId: string): Promise<{ seq: number; items: RegisterItem[] } | undefined> {
  const [done] = await tx<{ seq: number; items: RegisterItem[] }[]>`
    select seq::int, items from destruction_register where request_id = ${requestId}`;
  return done;
}

/** The items still to be destroyed. */
export async function pendingItems(tx: TransactionSql, requestId: string): Promise<DestructionItem[]> {
  return tx<DestructionItem[]>`
    select document_id as "documentId", position, reference, title, category, secrecy,
      to_char(retention_ends_on, 'YYYY-MM-DD') as "retentionEndsOn", state, hold_id as "holdId"
    from destruction_request_items where request_id = ${requestId} and state = 'pending' order by position`;
}

/** Locks the documents, then reads the holds standing on them now (the first placed of each). */
export async function lockDocumentHolds(tx: TransactionSql, documentIds: string[]): Promise<Map<string, { id: string; reason: string }>> {
  await tx`select id from documents where id = any(${documentIds}) order by id for update`;
  const holds = await tx<{ documentId: string; id: string; reason: string }[]>`
    select distinct on (document_id) document_id as "documentId", id, reason from document_holds
    where document_id = any(${documentIds}) and released_at is null order by document_id, placed_at, id`;
  return new Map(holds.map((hold) => [hold.documentId, { id: hold.id, reason: hold.reason }]));
}

/**
 * DES-1/4: writes the register entry, then applies it: withdrawn items return to the archive, and
 * only then are the documents marked destroyed, under the transaction's
 * custodian.destruction_request setting that the database checks against that entry. Returns the
 * entry's seq.
 */
export async function writeRegisterEntry(
  tx: TransactionSql,
  form: { id: string; processId: string; requestedBy: string; reason: string },
  entry: ReturnType<typeof registerRecord> & { method: string; place: string; executedAt: Date; at: Date },
): Promise<number> {
  const [written] = await tx<{ seq: number }[]>`
    insert into destruction_register (request_id, process_id, requested_by, reason, approval_form, approvers, items, supervisors,
                                      method, place, executed_at, registered_at, prev_hash, hash)
    values (${form.id}, ${form.processId}, ${form.requestedBy}, ${form.reason}, ${tx.json(entry.approvalForm as never)},
            ${tx.json(entry.approvers as never)}, ${tx.json(entry.items as never)}, ${tx.json(entry.supervisors as never)},
            ${entry.method}, ${entry.place}, ${entry.executedAt}, ${entry.at}, '', '')
    returning seq::int`;
  for (const item of entry.items.filter((i) => i.outcome === 'withdrawn')) {
    await tx`update destruction_request_items set state = 'withdrawn', hold_id = ${item.hold!.id}
             where request_id = ${form.id} and document_id = ${item.documentId}`;
    await tx`update documents set status = 'in_archive' where id = ${item.documentId}`;
  }
  const destroyed = entry.items.filter((i) => i.outcome === 'destroyed').map((i) => i.documentId);
  await tx`select set_config('custodian.destruction_request', ${form.id}, true)`;
  await tx`update documents set status = 'destroyed' where id = any(${destroyed})`;
  await tx`update destruction_request_items set state = 'destroyed' where request_id = ${form.id} and document_id = any(${destroyed})`;
  await tx`update destruction_requests set status = 'destroyed', closed_at = ${entry.at} where id = ${form.id}`;
  return written!.seq;
}

/** A page of the register in filing order, after entry `afterSeq`. */
export async function listRegister(sql: Db, page: { afterSeq: number; limit: number }): Promise<RegisterEntry[]> {
  return sql<RegisterEntry[]>`
    select ${registerColumns(sql)} from destruction_register where seq > ${page.afterSeq} order by seq limit ${page.limit}`;
}
