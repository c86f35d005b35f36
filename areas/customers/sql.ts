// Customers, their protections and reports, the ownership history, co-development and departures.
// State changes that touch several tables take the transaction the application service (service/)
// opens, and are guarded by the state they expect, so that a retried activity (or a request
// racing a process) changes nothing twice. SQL only: the rules are applied by the service.
import type { PendingQuery, Row } from 'postgres';
import type {
  CardType,
  CoDevelopmentStatus,
  CustomerScope,
  CustomerStatus,
  OwnershipReason,
  ProtectionEndReason,
  ProtectionKind,
  ProtectionStatus,
} from './rules.ts';
import { ownershipReasons } from './rules.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';

type Db = Sql | TransactionSql;

// ------------------------------------------------------------------ customers

export interface Customer {
  id: string;
  name: string;
  cardType: CardType;
  city: string;
  region: string;
  departmentId: string;
  ownerId: string | null;
  status: CustomerStatus;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewCustomer = Pick<Customer, 'id' | 'name' | 'cardType' | 'city' | 'region' | 'departmentId' | 'createdBy'>;

function customerColumns(sql: Db) {
  return sql`c.id, c.name, c.card_type as "cardType", c.city, c.region, c.department_id as "departmentId", c.owner_id as "ownerId",
    c.status, c.created_by as "createdBy", c.created_at as "createdAt", c.updated_at as "updatedAt"`;
}

/** A new prospect enters the open pool: nobody's until protected or assigned (OVL-8). */
export async function insertCustomer(sql: Db, customer: NewCustomer): Promise<Customer> {
  const [row] = await sql<Customer[]>`
    with c as (
      insert into customers (id, name, card_type, city, region, department_id, status, created_by)
      values (${customer.id}, ${customer.name}, ${customer.cardType}, ${customer.city}, ${customer.region}, ${customer.departmentId}, 'open', ${customer.createdBy})
      returning *)
    select ${customerColumns(sql)} from c`;
  return row!;
}

export async function findCustomer(sql: Db, id: string): Promise<Customer | undefined> {
  const [row] = await sql<Customer[]>`select ${customerColumns(sql)} from customers c where c.id = ${id}`;
  return row;
}

export interface CustomerQuery {
  scope: CustomerScope;
  status?: CustomerStatus | undefined;
  departmentId?: string | undefined;
  ownerId?: string | undefined;
  /** Part of the name, city or region, case-insensitive. */
  q?: string | undefined;
  limit: number;
  after?: CustomerCursor | undefined;
}

/** Where a page of customers ended: by name, then id. */
export interface CustomerCursor {
  name: string;
  id: string;
}

/** What a scope lets a user see, as a condition on `c` (customers). */
function inScope(sql: Db, scope: CustomerScope): PendingQuery<Row[]> {
  if (scope.all) return sql`true`;
  const me = scope.salespersonId;
  return sql`(
    (c.status = 'open' and c.department_id = any(${scope.poolDepartmentIds}::text[]))
    or c.department_id = any(${scope.departmentIds}::text[])
    ${me === null ? sql`` : sql`or c.owner_id = ${me} or exists (select 1 from customer_co_developers d where d.customer_id = c.id and d.co_developer_id = ${me})`}
  )`;
}

/** The customers a user may see that match the filters, a page at a time (keyset on name, id). */
export async function listCustomers(sql: Db, query: CustomerQuery): Promise<{ customers: Customer[]; next: CustomerCursor | null }> {
  const pattern = query.q === undefined ? undefined : `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await sql<Customer[]>`
    select ${customerColumns(sql)} from customers c
    where ${inScope(sql, query.scope)}
      ${query.status === undefined ? sql`` : sql`and c.status = ${query.status}`}
      ${query.departmentId === undefined ? sql`` : sql`and c.department_id = ${query.departmentId}`}
      ${query.ownerId === undefined ? sql`` : sql`and c.owner_id = ${query.ownerId}`}
      ${pattern === undefined ? sql`` : sql`and (c.name ilike ${pattern} or c.city ilike ${pattern} or c.region ilike ${pattern})`}
      ${query.after === undefined ? sql`` : sql`and (c.name, c.id) > (${query.after.name}, ${query.after.id})`}
    order by c.name, c.id
    limit ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { customers: page, next: rows.length > query.limit && last ? { name: last.name, id: last.id } : null };
}

// ------------------------------------------------------------------ ownership history

export interface OwnershipChange {
  seq: number;
  customerId: string;
  fromOwnerId: string | null;
  toOwnerId: string | null;
  status: CustomerStatus;
  reason: OwnershipReason;
  ruleId: string;
  actorId: string | null;
  protectionId: string | null;
  at: Date;
}

type NewOwnershipChange = Omit<OwnershipChange, 'seq' | 'ruleId'> & { key: string };

async function recordOwnershipChange(tx: TransactionSql, change: NewOwnershipChange): Promise<void> {
  await tx`
    insert into customer_ownership_history (customer_id, from_owner_id, to_owner_id, status, reason, rule_id, actor_id, protection_id, at, key)
    values (${change.customerId}, ${change.fromOwnerId}, ${change.toOwnerId}, ${change.status}, ${change.reason},
            ${ownershipReasons[change.reason].ruleId}, ${change.actorId}, ${change.protectionId}, ${change.at}, ${change.key})
    on conflict (key) do nothing`;
}

export async function ownershipHistory(sql: Db, customerId: string): Promise<OwnershipChange[]> {
  const rows = await sql<(Omit<OwnershipChange, 'seq'> & { seq: string })[]>`
    select seq, customer_id as "customerId", from_owner_id as "fromOwnerId", to_owner_id as "toOwnerId", status, reason,
      rule_id as "ruleId", actor_id as "actorId", protection_id as "protectionId", at
    from customer_ownership_history where customer_id = ${customerId} order by seq`;
  // bigserial arrives as a string; one customer's history stays far below 2^53 rows
  return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
}

/** OVL-8: when `userId` last lost the customer to the open pool, if ever. */
export async function lastReleaseFrom(sql: Db, customerId: string, userId: string): Promise<Date | undefined> {
  const [row] = await sql<{ at: Date | null }[]>`
    select max(at) as at from customer_ownership_history
    where customer_id = ${customerId} and from_owner_id = ${userId} and reason in ('released_expired', 'released_early')`;
  return row?.at ?? undefined;
}

/**
 * Gives a customer to another salesperson of its department: an owned one transferred by the
 * Department Manager, or a leaver's customer reassigned (SEC-5; a protected one only so, OVL-8). A
 * running protection goes with it: the new owner is the protector from now on, and the reports are
 * due from them. False when
 * the customer is no longer `fromOwnerId`'s (a retry, or someone was quicker).
 */
export async function moveCustomer(
  tx: TransactionSql,
  change: { customerId: string; fromOwnerId: string; toOwnerId: string; reason: 'reassigned' | 'transferred'; actorId: string | null; at: Date; key: string },
): Promise<boolean> {
  const [customer] = await tx<{ status: CustomerStatus }[]>`
    update customers set owner_id = ${change.toOwnerId}, updated_at = ${change.at}
    where id = ${change.customerId} and owner_id = ${change.fromOwnerId}
    returning status`;
  if (!customer) return false;
  await recordOwnershipChange(tx, {
    customerId: change.customerId,
    fromOwnerId: change.fromOwnerId,
    toOwnerId: change.toOwnerId,
    status: customer.status,
    reason: change.reason,
    actorId: change.actorId,
    protectionId: await protectionFollows(tx, change.customerId, change.toOwnerId),
    at: change.at,
    key: change.key,
  });
  return true;
}

/** A running protection follows its customer to the new owner (and department); its id, if any. */
async function protectionFollows(tx: TransactionSql, customerId: string, toOwnerId: string, departmentId?: string): Promise<string | null> {
  const [protection] = await tx<{ id: string }[]>`
    update protections set protector_id = ${toOwnerId} ${departmentId === undefined ? tx`` : tx`, department_id = ${departmentId}`}
    where customer_id = ${customerId} and status = 'active'
    returning id`;
  return protection?.id ?? null;
}

/**
 * REG-1: a regional customer the showroom hands to a region: the card moves to that department and
 * the customer to `toOwnerId` there (a customer of the pool becomes owned); a running protection
 * goes with it. False when the customer is already that department's (a retried step).
 */
export async function handCustomerToDepartment(
  tx: TransactionSql,
  change: { customerId: string; departmentId: string; toOwnerId: string; actorId: string | null; at: Date; key: string },
): Promise<boolean> {
  const [before] = await tx<{ ownerId: string | null }[]>`
    select owner_id as "ownerId" from customers where id = ${change.customerId} and department_id <> ${change.departmentId} for update`;
  if (!before) return false;
  const [customer] = await tx<{ status: CustomerStatus }[]>`
    update customers set department_id = ${change.departmentId}, owner_id = ${change.toOwnerId},
      status = case when status = 'open' then 'owned' else status end, updated_at = ${change.at}
    where id = ${change.customerId}
    returning status`;
  await recordOwnershipChange(tx, {
    customerId: change.customerId,
    fromOwnerId: before.ownerId,
    toOwnerId: change.toOwnerId,
    status: customer!.status,
    reason: 'regional_handover',
    actorId: change.actorId,
    protectionId: await protectionFollows(tx, change.customerId, change.toOwnerId, change.departmentId),
    at: change.at,
    key: change.key,
  });
  return true;
}

/**
 * OVL-2: the committee gave the customer to `toOwnerId` of `departmentId` (or, with no owner, to
 * that department's open pool). A running protection goes with it, as on a reassignment; a customer
 * of the pool becomes the winner's (owned). The decision is recorded in the history even when the
 * customer stays where it was. Once per key.
 */
export async function adjudicateOwnership(
  tx: TransactionSql,
  change: { customerId: string; toOwnerId: string | null; departmentId: string; actorId: string | null; at: Date; key: string },
): Promise<void> {
  const [customer] = await tx<{ ownerId: string | null; status: CustomerStatus }[]>`
    select owner_id as "ownerId", status from customers where id = ${change.customerId} for update`;
  if (!customer) return;
  const [earlier] = await tx`select 1 from customer_ownership_history where key = ${change.key}`;
  if (earlier) return;
  const moves = customer.ownerId !== change.toOwnerId;
  const status: CustomerStatus = change.toOwnerId === null ? 'open' : customer.status === 'open' ? 'owned' : customer.status;
  if (moves || customer.status !== status) {
    await tx`update customers set owner_id = ${change.toOwnerId}, department_id = ${change.departmentId}, status = ${status}, updated_at = ${change.at} where id = ${change.customerId}`;
  }
  const protectionId = moves && change.toOwnerId !== null ? await protectionFollows(tx, change.customerId, change.toOwnerId, change.departmentId) : null;
  await recordOwnershipChange(tx, {
    customerId: change.customerId,
    fromOwnerId: customer.ownerId,
    toOwnerId: change.toOwnerId,
    status,
    reason: 'adjudicated',
    actorId: change.actorId,
    protectionId,
    at: change.at,
    key: change.key,
  });
}

// ------------------------------------------------------------------ protections

export interface Protection {
  id: string;
  customerId: string;
  protectorId: string;
  departmentId: string;
  kind: ProtectionKind;
  requestedBy: string;
  reason: string | null;
  status: ProtectionStatus;
  processId: string;
  startedAt: Date | null;
  /** The end of each protection month; the last is the release day. Empty until it starts. */
  monthEnds: Date[];
  endedAt: Date | null;
  endReason: ProtectionEndReason | null;
  intentOrderReference: string | null;
  createdAt: Date;
}

export type NewProtection = Pick<Protection, 'id' | 'customerId' | 'protectorId' | 'departmentId' | 'kind' | 'requestedBy' | 'reason' | 'processId'>;

type ProtectionRow = Omit<Protection, 'monthEnds'> & { monthEnds: string[] | null };

function protectionColumns(sql: Db) {
  // The month ends as ISO text: the driver does not parse arrays of timestamps.
  return sql`p.id, p.customer_id as "customerId", p.protector_id as "protectorId", p.department_id as "departmentId", p.kind,
    p.requested_by as "requestedBy", p.reason, p.status, p.process_id as "processId", p.started_at as "startedAt",
    (select array_agg(to_char(e at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') order by n) from unnest(p.month_ends) with ordinality as m(e, n)) as "monthEnds",
    p.ended_at as "endedAt", p.end_reason as "endReason", p.intent_order_reference as "intentOrderReference", p.created_at as "createdAt"`;
}

function toProtection(row: ProtectionRow): Protection {
  return { ...row, monthEnds: (row.monthEnds ?? []).map((end) => new Date(end)) };
}

/** A pending request or a protection starting at once; the database refuses a second one for the customer (protections_one_per_customer). */
export async function insertProtection(sql: Db, protection: NewProtection): Promise<Protection> {
  await sql`
    insert into protections (id, customer_id, protector_id, department_id, kind, requested_by, reason, process_id)
    values (${protection.id}, ${protection.customerId}, ${protection.protectorId}, ${protection.departmentId}, ${protection.kind},
            ${protection.requestedBy}, ${protection.reason}, ${protection.processId})`;
  return (await findProtection(sql, protection.id))!;
}

export async function findProtection(sql: Db, id: string): Promise<Protection | undefined> {
  const [row] = await sql<ProtectionRow[]>`select ${protectionColumns(sql)} from protections p where p.id = ${id}`;
  return row && toProtection(row);
}

/** The customer's pending request or running protection, if any. */
export async function currentProtection(sql: Db, customerId: string): Promise<Protection | undefined> {
  const [row] = await sql<ProtectionRow[]>`
    select ${protectionColumns(sql)} from protections p where p.customer_id = ${customerId} and p.status in ('requested', 'active')`;
  return row && toProtection(row);
}

/** Whether the database refused an insert because the customer already has a pending request or a protection. */
export function isSecondProtection(error: unknown): boolean {
  return (error as { constraint_name?: unknown })?.constraint_name === 'protections_one_per_customer';
}

/**
 * OVL-8: the protection starts: the customer becomes the protector's, and its department's. Done
 * once: a retry finds it started and returns it as it is. Undefined when the customer is no longer
 * in the pool (which the API's checks and protections_one_per_customer prevent).
 */
export async function activateProtection(
  tx: TransactionSql,
  start: { id: string; startedAt: Date; monthEnds: Date[]; grantedBy: string | null; key: string },
): Promise<Protection | undefined> {
  const [protection] = await tx<ProtectionRow[]>`select ${protectionColumns(tx)} from protections p where p.id = ${start.id} for update`;
  if (!protection) return undefined;
  if (protection.status !== 'requested') return toProtection(protection);
  const [customer] = await tx<{ id: string }[]>`
    update customers set status = 'protected', owner_id = ${protection.protectorId}, department_id = ${protection.departmentId}, updated_at = ${start.startedAt}
    where id = ${protection.customerId} and status = 'open'
    returning id`;
  if (!customer) return undefined;
  await tx`
    update protections set status = 'active', started_at = ${start.startedAt}, month_ends = ${start.monthEnds.map((end) => end.toISOString())}::timestamptz[]
    where id = ${start.id}`;
  await recordOwnershipChange(tx, {
    customerId: protection.customerId,
    fromOwnerId: null,
    toOwnerId: protection.protectorId,
    status: 'protected',
    reason: protection.kind === 'assignment' ? 'assigned' : 'protection_granted',
    actorId: start.grantedBy,
    protectionId: start.id,
    at: start.startedAt,
    key: start.key,
  });
  const [started] = await tx<ProtectionRow[]>`select ${protectionColumns(tx)} from protections p where p.id = ${start.id}`;
  return toProtection(started!);
}

/** The Department Manager declined the request; the customer never left the pool. */
export async function declineProtectionRequest(sql: Db, id: string, at: Date): Promise<void> {
  await sql`
    update protections set status = 'declined', end_reason = 'declined', ended_at = ${at}
    where id = ${id} and status = 'requested'`;
}

/**
 * Ends a running protection: with an intent order the customer stays the protector's (owned);
 * otherwise it goes to the open pool. False when the protection had already ended (an intent
 * order and the expiry racing: the first one wins).
 */
export async function closeProtection(
  tx: TransactionSql,
  end: { id: string; outcome: 'intent_order' | 'expired' | 'released_early'; reference?: string; actorId: string | null; at: Date; key: string },
): Promise<Protection | undefined> {
  const converted = end.outcome === 'intent_order';
  const [protection] = await tx<ProtectionRow[]>`
    update protections p set
      status = ${converted ? 'converted' : 'released'}, end_reason = ${end.outcome}, ended_at = ${end.at},
      intent_order_reference = ${converted ? (end.reference ?? null) : null}
    where p.id = ${end.id} and p.status = 'active'
    returning ${protectionColumns(tx)}`;
  if (!protection) {
    // The same step again: its first attempt committed, but its worker died before Temporal heard
    // of it. Report what that attempt did, so the process takes the branch it took then.
    const [earlier] = await tx`select 1 from customer_ownership_history where key = ${end.key}`;
    return earlier ? findProtection(tx, end.id) : undefined;
  }
  const [customer] = await tx<{ ownerId: string }[]>`
    select owner_id as "ownerId" from customers where id = ${protection.customerId} for update`;
  const status: CustomerStatus = converted ? 'owned' : 'open';
  await tx`
    update customers set status = ${status}, owner_id = ${converted ? customer!.ownerId : null}, updated_at = ${end.at}
    where id = ${protection.customerId}`;
  await recordOwnershipChange(tx, {
    customerId: protection.customerId,
    fromOwnerId: customer!.ownerId,
    toOwnerId: converted ? customer!.ownerId : null,
    status,
    reason: converted ? 'intent_order' : end.outcome === 'expired' ? 'released_expired' : 'released_early',
    actorId: end.actorId,
    protectionId: end.id,
    at: end.at,
    key: end.key,
  });
  return toProtection(protection);
}

// ------------------------------------------------------------------ progress reports

export interface ProtectionReport {
  id: string;
  protectionId: string;
  month: number;
  authorId: string;
  summary: string;
  forwarded: boolean;
  filedAt: Date;
}

export async function insertProtectionReport(sql: Db, report: Omit<ProtectionReport, 'filedAt'>): Promise<ProtectionReport> {
  const [row] = await sql<ProtectionReport[]>`
    insert into protection_reports (id, protection_id, month, author_id, summary, forwarded)
    values (${report.id}, ${report.protectionId}, ${report.month}, ${report.authorId}, ${report.summary}, ${report.forwarded})
    returning id, protection_id as "protectionId", month, author_id as "authorId", summary, forwarded, filed_at as "filedAt"`;
  return row!;
}

export async function reportsOf(sql: Db, protectionId: string): Promise<ProtectionReport[]> {
  return sql<ProtectionReport[]>`
    select id, protection_id as "protectionId", month, author_id as "authorId", summary, forwarded, filed_at as "filedAt"
    from protection_reports where protection_id = ${protectionId} order by filed_at, id`;
}

// ------------------------------------------------------------------ co-development

export interface CoDevelopmentRequest {
  id: string;
  customerId: string;
  requesterId: string;
  ownerId: string;
  sharePercent: number;
  status: CoDevelopmentStatus;
  processId: string;
  createdAt: Date;
  decidedAt: Date | null;
}

function coDevelopmentColumns(sql: Db) {
  return sql`id, customer_id as "customerId", requester_id as "requesterId", owner_id as "ownerId", share_percent as "sharePercent",
    status, process_id as "processId", created_at as "createdAt", decided_at as "decidedAt"`;
}

export async function insertCoDevelopmentRequest(sql: Db, request: Pick<CoDevelopmentRequest, 'id' | 'customerId' | 'requesterId' | 'ownerId' | 'sharePercent' | 'processId'>): Promise<CoDevelopmentRequest> {
  const [row] = await sql<CoDevelopmentRequest[]>`
    insert into co_development_requests (id, customer_id, requester_id, owner_id, share_percent, process_id)
    values (${request.id}, ${request.customerId}, ${request.requesterId}, ${request.ownerId}, ${request.sharePercent}, ${request.processId})
    returning ${coDevelopmentColumns(sql)}`;
  return row!;
}

export async function findCoDevelopmentRequest(sql: Db, id: string): Promise<CoDevelopmentRequest | undefined> {
  const [row] = await sql<CoDevelopmentRequest[]>`select ${coDevelopmentColumns(sql)} from co_development_requests where id = ${id}`;
  return row;
}

export async function pendingCoDevelopment(sql: Db, customerId: string, requesterId: string): Promise<CoDevelopmentRequest | undefined> {
  const [row] = await sql<CoDevelopmentRequest[]>`
    select ${coDevelopmentColumns(sql)} from co_development_requests
    where customer_id = ${customerId} and requester_id = ${requesterId} and status = 'pending'`;
  return row;
}

/** The owner's answer; an acceptance records the agreed share on the customer. Once: a retry changes nothing. */
export async function settleCoDevelopmentRequest(tx: TransactionSql, settle: { id: string; outcome: 'accepted' | 'declined'; at: Date }): Promise<void> {
  const [request] = await tx<CoDevelopmentRequest[]>`
    update co_development_requests set status = ${settle.outcome}, decided_at = ${settle.at}
    where id = ${settle.id} and status = 'pending'
    returning ${coDevelopmentColumns(tx)}`;
  if (!request || settle.outcome !== 'accepted') return;
  await tx`
    insert into customer_co_developers (customer_id, co_developer_id, owner_id, share_percent, request_id, agreed_at)
    values (${request.customerId}, ${request.requesterId}, ${request.ownerId}, ${request.sharePercent}, ${request.id}, ${settle.at})
    on conflict do nothing`;
}

export interface CoDeveloper {
  coDeveloperId: string;
  ownerId: string;
  sharePercent: number;
  requestId: string;
  agreedAt: Date;
}

export async function coDevelopersOf(sql: Db, customerId: string): Promise<CoDeveloper[]> {
  return sql<CoDeveloper[]>`
    select co_developer_id as "coDeveloperId", owner_id as "ownerId", share_percent as "sharePercent", request_id as "requestId", agreed_at as "agreedAt"
    from customer_co_developers where customer_id = ${customerId} order by agreed_at, co_developer_id`;
}

// ------------------------------------------------------------------ departures (SEC-5)

export interface Departure {
  id: string;
  userId: string;
  departmentId: string;
  reportedBy: string;
  note: string | null;
  status: 'reassigning' | 'completed';
  processId: string;
  reportedAt: Date;
  completedAt: Date | null;
}

function departureColumns(sql: Db) {
  return sql`id, user_id as "userId", department_id as "departmentId", reported_by as "reportedBy", note, status,
    process_id as "processId", reported_at as "reportedAt", completed_at as "completedAt"`;
}

export async function insertDeparture(sql: Db, departure: Pick<Departure, 'id' | 'userId' | 'departmentId' | 'reportedBy' | 'note' | 'processId'>): Promise<Departure> {
  const [row] = await sql<Departure[]>`
    insert into user_departures (id, user_id, department_id, reported_by, note, process_id)
    values (${departure.id}, ${departure.userId}, ${departure.departmentId}, ${departure.reportedBy}, ${departure.note}, ${departure.processId})
    returning ${departureColumns(sql)}`;
  return row!;
}

export async function findDeparture(sql: Db, id: string): Promise<Departure | undefined> {
  const [row] = await sql<Departure[]>`select ${departureColumns(sql)} from user_departures where id = ${id}`;
  return row;
}

/** The user's departure under way: a leaver, whose customers the Department Manager is reassigning. */
export async function openDepartureOf(sql: Db, userId: string): Promise<Departure | undefined> {
  const [row] = await sql<Departure[]>`select ${departureColumns(sql)} from user_departures where user_id = ${userId} and status = 'reassigning'`;
  return row;
}

/** The customers a user owns (protected or owned), with the release day of a running protection. */
export async function customersOwnedBy(sql: Db, userId: string): Promise<(Customer & { protectionEndsAt: Date | null })[]> {
  return sql<(Customer & { protectionEndsAt: Date | null })[]>`
    select ${customerColumns(sql)},
      (select p.month_ends[array_upper(p.month_ends, 1)] from protections p where p.customer_id = c.id and p.status = 'active') as "protectionEndsAt"
    from customers c where c.owner_id = ${userId}
    order by c.name, c.id`;
}

/** SEC-5: every customer is reassigned: the departure is complete, and the leaver's account closes. */
export async function closeDeparture(tx: TransactionSql, id: string, at: Date): Promise<void> {
  const [departure] = await tx<{ userId: string }[]>`
    update user_departures set status = 'completed', completed_at = ${at}
    where id = ${id} and status = 'reassigning'
    returning user_id as "userId"`;
  if (departure) await tx`update users set active = false, left_at = ${at} where id = ${departure.userId}`;
}
