// The trade record's tables (platform/db/migrations/0026_orders.sql): orders and intent orders
// 意向单 with the salespeople they credit. SQL only. Every area that records a sale (the orders
// API, a showroom visit closing a sale) inserts through insertOrder, inside its own transaction.
import type { Queryable, TransactionSql } from '../../platform/db/client.ts';
import type { OrderChannel, OrderKind, OrderStatus } from './rules.ts';

// The vocabulary is the rules' (routes and processes read it there); named here as before.
export { orderChannels, orderKinds, orderStatuses, type OrderChannel, type OrderKind, type OrderStatus } from './rules.ts';

/** One salesperson an order credits, with their commission share and whose rate applies (OVL-5..7). */
export interface OrderCredit {
  userId: string;
  /** 0 < share ≤ 1; an order's shares add up to 1. */
  share: number;
  rateDepartmentId: string;
}

export interface Order {
  id: string;
  kind: OrderKind;
  customerId: string;
  channel: OrderChannel;
  departmentId: string;
  region: string;
  city: string;
  productKind: string | null;
  promotion: string | null;
  /** Yuan, as decimal strings (numeric(14,2)): never a float. */
  amount: string;
  cost: string;
  /** (amount − cost) / amount to 4 places, a decimal string; null for an amount of 0. */
  margin: string | null;
  orderedOn: string;
  status: OrderStatus;
  signedBy: string | null;
  signedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  credits: OrderCredit[];
}

export type NewOrder = Omit<Order, 'margin' | 'signedBy' | 'signedAt' | 'createdAt'> & { idempotencyKey?: string | null };

const columns = (sql: Queryable) => sql`
  o.id, o.kind, o.customer_id as "customerId", o.channel, o.department_id as "departmentId", o.region, o.city,
  o.product_kind as "productKind", o.promotion, o.amount::text as amount, o.cost::text as cost, o.margin::text as margin,
  to_char(o.ordered_on, 'YYYY-MM-DD') as "orderedOn", o.status, o.signed_by as "signedBy", o.signed_at as "signedAt",
  o.created_by as "createdBy", o.created_at as "createdAt",
  coalesce((select json_agg(json_build_object('userId', s.user_id, 'share', s.share::float8, 'rateDepartmentId', s.rate_department_id) order by s.share desc, s.user_id)
            from order_salespeople s where s.order_id = o.id), '[]'::json) as credits`;

/**
 * Inserts an order and its credits, or finds the one its creator already filed with this
 * Idempotency-Key (`created` false). The caller checks that a found order is the same filing.
 */
export async function insertOrder(tx: TransactionSql, order: NewOrder): Promise<{ order: Order; created: boolean }> {
  const inserted = await tx`
    insert into orders (id, kind, customer_id, channel, department_id, region, city, product_kind, promotion, amount, cost, ordered_on, status, created_by, idempotency_key)
    values (${order.id}, ${order.kind}, ${order.customerId}, ${order.channel}, ${order.departmentId}, ${order.region}, ${order.city}, ${order.productKind},
            ${order.promotion}, ${order.amount}, ${order.cost}, ${order.orderedOn}, ${order.status}, ${order.createdBy}, ${order.idempotencyKey ?? null})
    on conflict (created_by, idempotency_key) do nothing
    returning id`;
  if (inserted.length === 0) return { order: (await findOrderByKey(tx, order.createdBy, order.idempotencyKey!))!, created: false };
  for (const credit of order.credits) {
    await tx`insert into order_salespeople (order_id, user_id, share, rate_department_id) values (${order.id}, ${credit.userId}, ${credit.share}, ${credit.rateDepartmentId})`;
  }
  return { order: (await findOrder(tx, order.id))!, created: true };
}

export async function findOrder(sql: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<Order | undefined> {
  const [row] = await sql<Order[]>`select ${columns(sql)} from orders o where o.id = ${id} ${options.forUpdate ? sql`for update of o` : sql``}`;
  return row;
}

/** The order `createdBy` filed with this Idempotency-Key, if any. */
export async function findOrderByKey(sql: Queryable, createdBy: string, idempotencyKey: string): Promise<Order | undefined> {
  const [row] = await sql<Order[]>`select ${columns(sql)} from orders o where o.created_by = ${createdBy} and o.idempotency_key = ${idempotencyKey}`;
  return row;
}

/** Who reads which orders (rules.ts salesScope), as SQL over `orders o`. */
export interface OrderReader {
  userId: string;
  all: boolean;
  departmentIds: readonly string[];
  showroom: boolean;
}

const readable = (sql: Queryable, reader: OrderReader) =>
  reader.all
    ? sql``
    : sql`and (o.created_by = ${reader.userId}
              or exists (select 1 from order_salespeople s where s.order_id = o.id and s.user_id = ${reader.userId})
              or o.department_id = any(${reader.departmentIds as string[]}::text[])
              ${reader.showroom ? sql`or o.channel = 'showroom'` : sql``})`;

export interface OrderQuery {
  customerId?: string | undefined;
  salespersonId?: string | undefined;
  channel?: OrderChannel | undefined;
  departmentId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  after?: { orderedOn: string; id: string } | undefined;
}

/** The orders a reader may see, the latest first (keyset on ordered_on desc, id desc). */
export async function listOrders(sql: Queryable, reader: OrderReader, query: OrderQuery): Promise<{ orders: Order[]; next: { orderedOn: string; id: string } | null }> {
  const rows = await sql<Order[]>`
    select ${columns(sql)} from orders o
    where true ${readable(sql, reader)}
      ${query.customerId === undefined ? sql`` : sql`and o.customer_id = ${query.customerId}`}
      ${query.salespersonId === undefined ? sql`` : sql`and exists (select 1 from order_salespeople s where s.order_id = o.id and s.user_id = ${query.salespersonId})`}
      ${query.channel === undefined ? sql`` : sql`and o.channel = ${query.channel}`}
      ${query.departmentId === undefined ? sql`` : sql`and o.department_id = ${query.departmentId}`}
      ${query.from === undefined ? sql`` : sql`and o.ordered_on >= ${query.from}::date`}
      ${query.to === undefined ? sql`` : sql`and o.ordered_on <= ${query.to}::date`}
      ${query.after === undefined ? sql`` : sql`and (o.ordered_on, o.id) < (${query.after.orderedOn}::date, ${query.after.id})`}
    order by o.ordered_on desc, o.id desc
    limit ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { orders: page, next: rows.length > query.limit && last ? { orderedOn: last.orderedOn, id: last.id } : null };
}

/**
 * REG-2: the signature's outcome on an order awaiting it: final with who signed and when, or
 * cancelled. Undefined when the order no longer awaits it (a retried step).
 */
export async function decideSignature(tx: TransactionSql, decision: { orderId: string; signed: boolean; decidedBy: string; at: Date }): Promise<Order | undefined> {
  const updated = await tx`
    update orders set status = ${decision.signed ? 'final' : 'cancelled'},
      signed_by = ${decision.signed ? decision.decidedBy : null}, signed_at = ${decision.signed ? decision.at : null}
    where id = ${decision.orderId} and status = 'awaiting_signature'
    returning id`;
  return updated.length === 0 ? undefined : findOrder(tx, decision.orderId);
}

/** The departments a Deputy GM is in charge of (分管). */
export async function departmentsOverseenBy(sql: Queryable, userId: string): Promise<string[]> {
  const rows = await sql<{ departmentId: string }[]>`select department_id as "departmentId" from department_oversight where deputy_gm_id = ${userId} order by department_id`;
  return rows.map((row) => row.departmentId);
}

export async function departmentExists(sql: Queryable, departmentId: string): Promise<boolean> {
  return (await sql`select 1 from departments where id = ${departmentId}`).length > 0;
}
