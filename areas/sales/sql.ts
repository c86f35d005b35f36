// The trade record's tables (platform/db/migrations/0026_orders.sql): orders and intent orders
// 意向单 with the salespeople they credit. SQL only. Every area that records a sale (the orders
// API, a showroom visit closing a sale) inserts through insertOrder, inside its own transaction.
import type { Queryable, TransactionSql } from '../../platform/db/client.ts';

export const orderKinds = ['intent', 'order'] as const;
export type OrderKind = (typeof orderKinds)[number];
export const orderChannels = ['showroom', 'business', 'region'] as const;
export type OrderChannel = (typeof orderChannels)[number];
export const orderStatuses = ['final', 'awaiting_signature', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

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
  if (inserted.length === 0) {
    const [earlier] = await tx<{ id: string }[]>`select id from orders where created_by = ${order.createdBy} and idempotency_key = ${order.idempotencyKey ?? null}`;
    return { order: (await findOrder(tx, earlier!.id))!, created: false };
  }
  for (const credit of order.credits) {
    await tx`insert into order_salespeople (order_id, user_id, share, rate_department_id) values (${order.id}, ${credit.userId}, ${credit.share}, ${credit.rateDepartmentId})`;
  }
  return { order: (await findOrder(tx, order.id))!, created: true };
}

export async function findOrder(sql: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<Order | undefined> {
  const [row] = await sql<Order[]>`select ${columns(sql)} from orders o where o.id = ${id} ${options.forUpdate ? sql`for update of o` : sql``}`;
  return row;
}
