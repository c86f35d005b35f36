// The showroom's tables (platform/db/migrations/0033_showroom.sql): visits with their contact
// attempts (OVL-5..7, REG-1), commission rates, protected orders and quotes (REG-3). SQL only.
import type { Queryable, TransactionSql } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pages.ts';
import type { AttributionRule, ContactAttempt, NamedOutcome, Trade } from './rules.ts';

// ------------------------------------------------------------------ visits

export type HandoverStatus = 'pending' | 'handed_over' | 'missed';

export interface Visit {
  id: string;
  customerId: string;
  customerName: string;
  /** The customer's department and follower now (OVL-7 reads them at the sale). */
  customerDepartmentId: string;
  customerOwnerId: string | null;
  customerStatus: string;
  receivedBy: string;
  visitedAt: Date;
  namedSalespersonId: string | null;
  namedOutcome: NamedOutcome | null;
  askedForSalesperson: boolean;
  trade: Trade | null;
  city: string;
  regional: boolean;
  handoverProcessId: string | null;
  handoverStatus: HandoverStatus | null;
  handedToDepartmentId: string | null;
  handedOverAt: Date | null;
  orderId: string | null;
  attributionRule: AttributionRule | null;
  disputed: boolean;
  note: string | null;
  recordedBy: string;
  attempts: (ContactAttempt & { at: string; recordedBy: string })[];
}

export type NewVisit = Pick<
  Visit,
  'id' | 'customerId' | 'receivedBy' | 'visitedAt' | 'namedSalespersonId' | 'namedOutcome' | 'askedForSalesperson' | 'trade' | 'city' | 'regional' | 'handoverProcessId' | 'note' | 'recordedBy'
> & { idempotencyKey: string | null };

const visitColumns = (sql: Queryable) => sql`
  v.id, v.customer_id as "customerId", c.name as "customerName", c.department_id as "customerDepartmentId", c.owner_id as "customerOwnerId",
  c.status as "customerStatus", v.received_by as "receivedBy", v.visited_at as "visitedAt", v.named_salesperson_id as "namedSalespersonId",
  v.named_outcome as "namedOutcome", v.asked_for_salesperson as "askedForSalesperson", v.trade, v.city, v.regional,
  v.handover_process_id as "handoverProcessId", v.handover_status as "handoverStatus", v.handed_to_department_id as "handedToDepartmentId",
  v.handed_over_at as "handedOverAt", v.order_id as "orderId", v.attribution_rule as "attributionRule", v.disputed, v.note, v.recorded_by as "recordedBy",
  coalesce((select json_agg(json_build_object('seq', a.seq, 'step', a.step, 'userId', a.user_id, 'outcome', a.outcome, 'at', a.at, 'recordedBy', a.recorded_by) order by a.seq)
            from showroom_contact_attempts a where a.visit_id = v.id), '[]'::json) as attempts`;

/** Inserts a visit, or finds the one its recorder already filed with this Idempotency-Key (`created` false). */
export async function insertVisit(tx: TransactionSql, visit: NewVisit): Promise<{ visit: Visit; created: boolean }> {
  const inserted = await tx`
    insert into showroom_visits (id, customer_id, received_by, visited_at, named_salesperson_id, named_outcome, asked_for_salesperson, trade, city,
                                 regional, handover_process_id, handover_status, note, recorded_by, idempotency_key)
    values (${visit.id}, ${visit.customerId}, ${visit.receivedBy}, ${visit.visitedAt}, ${visit.namedSalespersonId}, ${visit.namedOutcome},
            ${visit.askedForSalesperson}, ${visit.trade}, ${visit.city}, ${visit.regional}, ${visit.handoverProcessId},
            ${visit.regional ? 'pending' : null}, ${visit.note}, ${visit.recordedBy}, ${visit.idempotencyKey})
    on conflict (recorded_by, idempotency_key) do nothing
    returning id`;
  if (inserted.length === 0) return { visit: (await visitFiledWith(tx, visit.recordedBy, visit.idempotencyKey!))!, created: false };
  return { visit: (await findVisit(tx, visit.id))!, created: true };
}

/** The visit `recordedBy` filed with this Idempotency-Key, if any. */
export async function visitFiledWith(sql: Queryable, recordedBy: string, idempotencyKey: string): Promise<Visit | undefined> {
  const [earlier] = await sql<{ id: string }[]>`select id from showroom_visits where recorded_by = ${recordedBy} and idempotency_key = ${idempotencyKey}`;
  return earlier && findVisit(sql, earlier.id);
}

export async function findVisit(sql: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<Visit | undefined> {
  const [row] = await sql<Visit[]>`
    select ${visitColumns(sql)} from showroom_visits v join customers c on c.id = v.customer_id
    where v.id = ${id} ${options.forUpdate ? sql`for update of v` : sql``}`;
  return row;
}

export interface VisitQuery {
  /** Only visits this person took part in (received, was named, was contacted, is credited). */
  involving?: string | undefined;
  limit: number;
  after?: { visitedAt: string; id: string } | undefined;
}

/** The newest first, a page at a time (keyset on visited_at desc, id desc). */
export async function listVisits(sql: Queryable, query: VisitQuery) {
  const rows = await sql<Visit[]>`
    select ${visitColumns(sql)} from showroom_visits v join customers c on c.id = v.customer_id
    where true
      ${query.involving === undefined ? sql`` : sql`and ${involves(sql, query.involving)}`}
      ${query.after === undefined ? sql`` : sql`and (v.visited_at, v.id) < (${query.after.visitedAt}::timestamptz, ${query.after.id})`}
    order by v.visited_at desc, v.id desc
    limit ${query.limit + 1}`;
  const { page, nextCursor } = keysetPage(rows, query.limit, (last) => ({ visitedAt: last.visitedAt.toISOString(), id: last.id }));
  return { visits: page, next: nextCursor };
}

const involves = (sql: Queryable, userId: string) => sql`(
  v.received_by = ${userId} or v.named_salesperson_id = ${userId} or v.recorded_by = ${userId}
  or exists (select 1 from showroom_contact_attempts a where a.visit_id = v.id and a.user_id = ${userId})
  or exists (select 1 from order_salespeople s where s.order_id = v.order_id and s.user_id = ${userId}))`;

/** Whether `userId` took part in the visit (the staff involved read it). */
export async function isInvolved(sql: Queryable, visitId: string, userId: string): Promise<boolean> {
  const [row] = await sql`select 1 from showroom_visits v where v.id = ${visitId} and ${involves(sql, userId)}`;
  return row !== undefined;
}

export async function insertAttempt(tx: TransactionSql, visitId: string, attempt: Omit<ContactAttempt, 'seq'> & { at: Date; recordedBy: string }): Promise<void> {
  await tx`
    insert into showroom_contact_attempts (visit_id, seq, step, user_id, outcome, at, recorded_by)
    values (${visitId}, (select coalesce(max(seq), 0) + 1 from showroom_contact_attempts where visit_id = ${visitId}),
            ${attempt.step}, ${attempt.userId}, ${attempt.outcome}, ${attempt.at}, ${attempt.recordedBy})`;
}

export async function recordSale(tx: TransactionSql, visitId: string, sale: { orderId: string; rule: AttributionRule | null; disputed: boolean }): Promise<void> {
  await tx`update showroom_visits set order_id = ${sale.orderId}, attribution_rule = ${sale.rule}, disputed = ${sale.disputed} where id = ${visitId} and order_id is null`;
}

/** The order `createdBy` filed with this Idempotency-Key, if any. */
export async function orderFiledWith(sql: Queryable, createdBy: string, idempotencyKey: string): Promise<string | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from orders where created_by = ${createdBy} and idempotency_key = ${idempotencyKey}`;
  return row?.id;
}

/** REG-1: settles a pending hand-over; false when it was already settled (a retried step). */
export async function settleHandover(tx: TransactionSql, visitId: string, settle: { status: 'handed_over' | 'missed'; departmentId: string | null; at: Date }): Promise<boolean> {
  const rows = await tx`
    update showroom_visits set handover_status = ${settle.status}, handed_to_department_id = ${settle.departmentId}, handed_over_at = ${settle.at}
    where id = ${visitId} and handover_status = 'pending'
    returning id`;
  return rows.length > 0;
}

// ------------------------------------------------------------------ commission rates

export interface CommissionRate {
  departmentId: string;
  rate: number;
  setBy: string | null;
  setAt: Date | null;
}

/** The rate of each department (`defaultRate` where none is set). */
export async function commissionRates(sql: Queryable, defaultRate: number): Promise<CommissionRate[]> {
  return sql<CommissionRate[]>`
    select d.id as "departmentId", coalesce(r.rate::float8, ${defaultRate}::float8) as rate, r.set_by as "setBy", r.set_at as "setAt"
    from departments d left join commission_rates r on r.department_id = d.id
    order by d.id`;
}

export async function setCommissionRate(tx: TransactionSql, rate: { departmentId: string; rate: number; setBy: string; at: Date }): Promise<void> {
  await tx`
    insert into commission_rates (department_id, rate, set_by, set_at) values (${rate.departmentId}, ${rate.rate}, ${rate.setBy}, ${rate.at})
    on conflict (department_id) do update set rate = excluded.rate, set_by = excluded.set_by, set_at = excluded.set_at`;
}

// ------------------------------------------------------------------ REG-3

export interface ProtectedOrder {
  id: string;
  departmentId: string;
  customerId: string;
  region: string;
  products: string[];
  priceFloor: string;
  until: string;
  note: string | null;
  announcedBy: string;
  announcedAt: Date;
}

const protectedColumns = (sql: Queryable) => sql`
  p.id, p.department_id as "departmentId", p.customer_id as "customerId", p.region, p.products, p.price_floor::text as "priceFloor",
  to_char(p.until, 'YYYY-MM-DD') as until, p.note, p.announced_by as "announcedBy", p.announced_at as "announcedAt"`;

export async function insertProtectedOrder(tx: TransactionSql, order: Omit<ProtectedOrder, 'priceFloor'> & { priceFloor: number }): Promise<ProtectedOrder> {
  await tx`
    insert into protected_orders (id, department_id, customer_id, region, products, price_floor, until, note, announced_by, announced_at)
    values (${order.id}, ${order.departmentId}, ${order.customerId}, ${order.region}, ${order.products}, ${order.priceFloor}, ${order.until}, ${order.note}, ${order.announcedBy}, ${order.announcedAt})`;
  const [row] = await tx<ProtectedOrder[]>`select ${protectedColumns(tx)} from protected_orders p where p.id = ${order.id}`;
  return row!;
}

/** Protected orders, the latest first: those still in force on `on`, or all; of one department, or every one. */
export async function listProtectedOrders(sql: Queryable, query: { departmentId?: string | undefined; inForceOn?: string | undefined; limit: number }): Promise<ProtectedOrder[]> {
  return sql<ProtectedOrder[]>`
    select ${protectedColumns(sql)} from protected_orders p
    where true
      ${query.departmentId === undefined ? sql`` : sql`and p.department_id = ${query.departmentId}`}
      ${query.inForceOn === undefined ? sql`` : sql`and p.until >= ${query.inForceOn}::date`}
    order by p.announced_at desc, p.id desc
    limit ${query.limit}`;
}

/** REG-3: the protected order of the region, in force on the day, that a price for the product undercuts (the highest floor first). */
export async function undercutOrder(sql: Queryable, quote: { region: string; productKey: string; price: number; on: string }): Promise<ProtectedOrder | undefined> {
  const [row] = await sql<ProtectedOrder[]>`
    select ${protectedColumns(sql)} from protected_orders p
    where p.region = ${quote.region} and p.until >= ${quote.on}::date and p.price_floor > ${quote.price}
      and exists (select 1 from unnest(p.products) as product where lower(trim(product)) = ${quote.productKey})
    order by p.price_floor desc, p.id
    limit 1`;
  return row;
}

export interface Quote {
  id: string;
  customerId: string | null;
  customerName: string;
  city: string;
  region: string;
  product: string;
  price: string;
  quotedBy: string;
  quotedAt: Date;
  undercutOrderId: string | null;
  undercutDepartmentId: string | null;
}

const quoteColumns = (sql: Queryable) => sql`
  q.id, q.customer_id as "customerId", q.customer_name as "customerName", q.city, q.region, q.product, q.price::text as price,
  q.quoted_by as "quotedBy", q.quoted_at as "quotedAt", q.undercut_order_id as "undercutOrderId", p.department_id as "undercutDepartmentId"`;

export async function insertQuote(tx: TransactionSql, quote: Omit<Quote, 'price' | 'undercutDepartmentId'> & { price: number }): Promise<Quote> {
  await tx`
    insert into showroom_quotes (id, customer_id, customer_name, city, region, product, price, quoted_by, quoted_at, undercut_order_id)
    values (${quote.id}, ${quote.customerId}, ${quote.customerName}, ${quote.city}, ${quote.region}, ${quote.product}, ${quote.price}, ${quote.quotedBy}, ${quote.quotedAt}, ${quote.undercutOrderId})`;
  const [row] = await tx<Quote[]>`select ${quoteColumns(tx)} from showroom_quotes q left join protected_orders p on p.id = q.undercut_order_id where q.id = ${quote.id}`;
  return row!;
}

/** Quotes, the latest first: only flagged ones, of one quoter, or undercutting one department's protected orders. */
export async function listQuotes(sql: Queryable, query: { flagged?: boolean | undefined; quotedBy?: string | undefined; undercutDepartmentId?: string | undefined; limit: number }): Promise<Quote[]> {
  return sql<Quote[]>`
    select ${quoteColumns(sql)} from showroom_quotes q left join protected_orders p on p.id = q.undercut_order_id
    where true
      ${query.flagged ? sql`and q.undercut_order_id is not null` : sql``}
      ${query.quotedBy === undefined ? sql`` : sql`and q.quoted_by = ${query.quotedBy}`}
      ${query.undercutDepartmentId === undefined ? sql`` : sql`and p.department_id = ${query.undercutDepartmentId}`}
    order by q.quoted_at desc, q.id desc
    limit ${query.limit}`;
}
