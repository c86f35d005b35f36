// Borrow requests and incidents (BOR-1..8). The status of a request changes only through these
// functions, each guarded by the status it expects, so a retried or late write changes nothing.
import type { BorrowMode, BorrowRequestStatus, ReturnCondition } from './rules.ts';
import type { DocumentStatus } from '../archive/index.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';

type Db = Sql | TransactionSql;

export interface BorrowRequest {
  id: string;
  processId: string;
  processKey: string;
  documentId: string;
  document: { reference: string; title: string; secrecy: SecrecyLevel };
  requesterId: string;
  requesterDepartmentId: string;
  mode: BorrowMode;
  hours: number | null;
  purpose: string;
  status: BorrowRequestStatus;
  idempotencyKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  handedOverAt: Date | null;
  handedOverBy: string | null;
  dueAt: Date | null;
  returnedAt: Date | null;
  returnCondition: ReturnCondition | null;
  returnNote: string | null;
  incident: Incident | null;
}

export interface Incident {
  id: string;
  condition: Exclude<ReturnCondition, 'intact'>;
  note: string;
  openedAt: Date;
}

export interface NewBorrowRequest {
  id: string;
  processKey: string;
  documentId: string;
  requesterId: string;
  requesterDepartmentId: string;
  mode: BorrowMode;
  hours: number | null;
  purpose: string;
  idempotencyKey: string | null;
}

/** The request as BorrowRequest, with its document and incident; `r` is borrow_requests, `d` documents. */
function requestColumns(sql: Db) {
  return sql`
    r.id, r.process_id as "processId", r.process_key as "processKey", r.document_id as "documentId",
    json_build_object('reference', d.reference, 'title', d.title, 'secrecy', d.secrecy) as document,
    r.requester_id as "requesterId", r.requester_department_id as "requesterDepartmentId", r.mode, r.hours, r.purpose,
    r.status, r.idempotency_key as "idempotencyKey", r.created_at as "createdAt", r.updated_at as "updatedAt",
    r.handed_over_at as "handedOverAt", r.handed_over_by as "handedOverBy", r.due_at as "dueAt",
    r.returned_at as "returnedAt", r.return_condition as "returnCondition", r.return_note as "returnNote",
    (select json_build_object('id', i.id, 'condition', i.condition, 'note', i.note, 'openedAt', i.opened_at)
     from incidents i where i.request_id = r.id) as incident`;
}

/** JSON turns the incident's time into text; the rest of the row keeps its types. */
function withDates(row: BorrowRequest): BorrowRequest {
  return row.incident ? { ...row, incident: { ...row.incident, openedAt: new Date(row.incident.openedAt) } } : row;
}

/**
 * Inserts a request, or finds the one this requester already made with this Idempotency-Key.
 * `created` says which: a retried submission must not start a second request.
 */
export async function insertBorrowRequest(sql: Db, request: NewBorrowRequest): Promise<{ request: BorrowRequest; created: boolean }> {
  const inserted = await sql`
    insert into borrow_requests (id, process_key, document_id, requester_id, requester_department_id, mode, hours, purpose, idempotency_key)
    values (${request.id}, ${request.processKey}, ${request.documentId}, ${request.requesterId}, ${request.requesterDepartmentId},
            ${request.mode}, ${request.hours}, ${request.purpose}, ${request.idempotencyKey})
    on conflict (requester_id, idempotency_key) do nothing`;
  const found =
    inserted.count === 1 ? await findBorrowRequest(sql, request.id) : await findBorrowRequestByKey(sql, request.requesterId, request.idempotencyKey!);
  return { request: found!, created: inserted.count === 1 };
}

/** A loan still out in an imported register (issue 21.2), recorded as it stands: handed over, due, perhaps overdue. */
export interface ImportedLoanRow extends Omit<NewBorrowRequest, 'idempotencyKey'> {
  status: 'on_loan' | 'in_reading' | 'overdue';
  handedOverAt: Date;
  handedOverBy: string;
  dueAt: Date;
}

export async function insertImportedLoan(tx: TransactionSql, loan: ImportedLoanRow): Promise<void> {
  await tx`
    insert into borrow_requests (id, process_key, document_id, requester_id, requester_department_id, mode, hours, purpose, status, handed_over_at, handed_over_by, due_at)
    values (${loan.id}, ${loan.processKey}, ${loan.documentId}, ${loan.requesterId}, ${loan.requesterDepartmentId}, ${loan.mode}, ${loan.hours}, ${loan.purpose},
            ${loan.status}, ${loan.handedOverAt}, ${loan.handedOverBy}, ${loan.dueAt})`;
}

export async function findBorrowRequest(sql: Db, id: string): Promise<BorrowRequest | undefined> {
  const [row] = await sql<BorrowRequest[]>`
    select ${requestColumns(sql)} from borrow_requests r join documents d on d.id = r.document_id where r.id = ${id}`;
  return row && withDates(row);
}

export async function findBorrowRequestByKey(sql: Db, requesterId: string, idempotencyKey: string): Promise<BorrowRequest | undefined> {
  const [row] = await sql<BorrowRequest[]>`
    select ${requestColumns(sql)} from borrow_requests r join documents d on d.id = r.document_id
    where r.requester_id = ${requesterId} and r.idempotency_key = ${idempotencyKey}`;
  return row && withDates(row);
}

/** Where a page of requests ended: the creation time as PostgreSQL printed it (microseconds intact), and the id. */
export interface BorrowRequestCursor {
  createdAt: string;
  id: string;
}

export interface BorrowRequestQuery {
  /** Only this requester's requests; undefined: everyone's. */
  requesterId?: string | undefined;
  status?: BorrowRequestStatus | undefined;
  documentId?: string | undefined;
  limit: number;
  after?: BorrowRequestCursor | undefined;
}

/** Requests, the newest first, a page at a time (keyset on created_at, id). */
export async function listBorrowRequests(sql: Db, query: BorrowRequestQuery): Promise<{ requests: BorrowRequest[]; next: BorrowRequestCursor | null }> {
  const rows = await sql<(BorrowRequest & { sortAt: string })[]>`
    select ${requestColumns(sql)}, r.created_at::text as "sortAt"
    from borrow_requests r join documents d on d.id = r.document_id
    where true
      ${query.requesterId === undefined ? sql`` : sql`and r.requester_id = ${query.requesterId}`}
      ${query.status === undefined ? sql`` : sql`and r.status = ${query.status}`}
      ${query.documentId === undefined ? sql`` : sql`and r.document_id = ${query.documentId}`}
      ${query.after === undefined ? sql`` : sql`and (r.created_at, r.id) < (${query.after.createdAt}::timestamptz, ${query.after.id})`}
    order by r.created_at desc, r.id desc
    limit ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    requests: page.map(({ sortAt: _sortAt, ...row }) => withDates(row)),
    next: rows.length > query.limit && last ? { createdAt: last.sortAt, id: last.id } : null,
  };
}

/** A request locked for the rest of the transaction, with what its due time depends on. */
export interface LockedRequest {
  id: string;
  documentId: string;
  requesterId: string;
  secrecy: SecrecyLevel;
  mode: BorrowMode;
  hours: number | null;
  status: BorrowRequestStatus;
  dueAt: Date | null;
  returnCondition: ReturnCondition | null;
}

export async function lockBorrowRequest(tx: TransactionSql, id: string): Promise<LockedRequest | undefined> {
  const [row] = await tx<LockedRequest[]>`
    select r.id, r.document_id as "documentId", r.requester_id as "requesterId", d.secrecy, r.mode, r.hours, r.status,
           r.due_at as "dueAt", r.return_condition as "returnCondition"
    from borrow_requests r join documents d on d.id = r.document_id
    where r.id = ${id}
    for update of r`;
  return row;
}

/** Moves a request from one of `from` to `to`; the previous status, or undefined when it was in none of them. */
export async function changeBorrowStatus(
  sql: Db,
  id: string,
  from: readonly BorrowRequestStatus[],
  to: BorrowRequestStatus,
): Promise<BorrowRequestStatus | undefined> {
  const [row] = await sql<{ previous: BorrowRequestStatus }[]>`
    update borrow_requests r set status = ${to}, updated_at = now()
    from borrow_requests prior_row
    where r.id = ${id} and prior_row.id = r.id and r.status in ${sql(from)}
    returning prior_row.status as previous`;
  return row?.previous;
}

/**
 * Takes the document off the shelf for a loan or a reading, if it is on the shelf; false when it
 * is not (lent, in reading, being destroyed). The row lock makes a second hand-over wait for the first.
 */
export async function takeDocumentFromShelf(tx: TransactionSql, documentId: string, mode: BorrowMode): Promise<boolean> {
  const taken = await tx`
    update documents set status = ${mode === 'loan' ? 'on_loan' : 'in_reading'}
    where id = ${documentId} and status = 'in_archive'`;
  return taken.count === 1;
}

/** Puts a returned document back on the shelf. */
export async function returnDocumentToShelf(tx: TransactionSql, documentId: string): Promise<void> {
  await tx`update documents set status = 'in_archive' where id = ${documentId} and status in ('on_loan', 'in_reading')`;
}

/** The hand-over: an approved request goes on loan or in reading, due back at `dueAt`. */
export async function startBorrowing(tx: TransactionSql, request: { id: string; mode: BorrowMode }, handOver: { by: string; at: Date; dueAt: Date }): Promise<void> {
  await tx`
    update borrow_requests
    set status = ${request.mode === 'loan' ? 'on_loan' : 'in_reading'}, handed_over_at = ${handOver.at},
        handed_over_by = ${handOver.by}, due_at = ${handOver.dueAt}, updated_at = now()
    where id = ${request.id} and status = 'approved'`;
}

export async function recordReturn(tx: TransactionSql, id: string, returned: { at: Date; condition: ReturnCondition; note: string }): Promise<void> {
  await tx`
    update borrow_requests
    set status = 'returned', returned_at = ${returned.at}, return_condition = ${returned.condition},
        return_note = ${returned.note}, updated_at = now()
    where id = ${id} and status in ('on_loan', 'in_reading', 'overdue')`;
}

/** Opens the request's incident (BOR-8) once: a second call finds the first. */
export async function insertIncident(
  sql: Db,
  incident: { id: string; requestId: string; documentId: string; borrowerId: string; condition: Exclude<ReturnCondition, 'intact'>; note: string; openedAt: Date },
): Promise<{ id: string; created: boolean }> {
  const inserted = await sql`
    insert into incidents (id, request_id, document_id, borrower_id, condition, note, opened_at)
    values (${incident.id}, ${incident.requestId}, ${incident.documentId}, ${incident.borrowerId}, ${incident.condition}, ${incident.note}, ${incident.openedAt})
    on conflict (request_id) do nothing`;
  if (inserted.count === 1) return { id: incident.id, created: true };
  const [row] = await sql<{ id: string }[]>`select id from incidents where request_id = ${incident.requestId}`;
  return { id: row!.id, created: false };
}

/** Whether an error is the database refusing a second holder for one document. */
export function isSecondHolder(error: unknown): boolean {
  const e = error as { code?: string; constraint_name?: string } | undefined;
  return e?.code === '23505' && e.constraint_name === 'borrow_requests_one_holder';
}

/** The document a borrowing process asks for, as it stands on the shelf now. */
export async function requestedDocument(sql: Db, processId: string): Promise<{ reference: string; status: DocumentStatus } | undefined> {
  const [row] = await sql<{ reference: string; status: DocumentStatus }[]>`
    select d.reference, d.status from borrow_requests r join documents d on d.id = r.document_id where r.process_id = ${processId}`;
  return row;
}
