// The orders' application service: the only code of the area that opens transactions and starts
// processes. An order is filed with what it asks of Temporal in one transaction (REG-2's signature
// process, OVL-8's intent order to a running protection) through the process outbox.
import { randomUUID } from 'node:crypto';
import { policyDate } from '../../engine/definition/feel.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { enqueueStart } from '../../engine/sql/outbox.ts';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { Queryable, Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { findUser } from '../../platform/organisation/sql.ts';
import { customerAsKnownTo, findCustomer, queueIntentOrder } from '../customers/index.ts';
import { proposePenalty } from '../penalties/index.ts';
import {
  marginSignatureProcessId,
  marginSignatureProcessKey,
  mayFileOrder,
  needsMarginSignature,
  orderVisible,
  salesScope,
  salesSettings,
  sharesAddUpToOne,
  toFen,
  type SalesScope,
} from './rules.ts';
import {
  decideSignature,
  departmentExists,
  departmentsOverseenBy,
  findOrder,
  findOrderByKey,
  insertOrder,
  listOrders,
  type NewOrder,
  type Order,
  type OrderChannel,
  type OrderKind,
  type OrderQuery,
} from './sql.ts';

export interface SalesDeps {
  sql: Sql;
  outbox: ProcessOutbox;
  /** REG-2: days to sign before an unsigned order is fined (SALES_SIGNATURE_DEADLINE_DAYS). */
  signatureDeadlineDays?: number | undefined;
}

/** An order as filed through the API; what is left out follows from the customer and the filer. */
export interface OrderFiling {
  kind: OrderKind;
  customerId: string;
  channel: OrderChannel;
  departmentId?: string | undefined;
  region?: string | undefined;
  city?: string | undefined;
  productKind?: string | undefined;
  promotion?: string | undefined;
  amount: number;
  cost: number;
  orderedOn?: string | undefined;
  credits?: { userId: string; share: number; rateDepartmentId?: string | undefined }[] | undefined;
}

/**
 * Records an order in the caller's transaction with what it asks of Temporal, so every sale filed
 * anywhere (the orders API, a sale closed at the showroom) meets the same rules. REG-2: a showroom
 * sale below 40% margin is stored awaiting_signature and sales.margin-signature is queued; OVL-8: an
 * intent order ends the customer's running protection (its message queued). `deliver`: the process
 * ids to hand to the outbox after the commit. A retried filing (same creator and Idempotency-Key)
 * finds the order it stored (`created` false) and queues nothing.
 */
export async function recordOrder(
  tx: TransactionSql,
  order: Omit<NewOrder, 'status'>,
  context: { filer: Pick<User, 'id' | 'departmentId'>; customerName: string; signatureDeadlineDays?: number | undefined },
): Promise<{ order: Order; created: boolean; deliver: string[] }> {
  const awaiting = needsMarginSignature(order);
  const stored = await insertOrder(tx, { ...order, status: awaiting ? 'awaiting_signature' : 'final' });
  if (!stored.created) return { ...stored, deliver: [] };
  const deliver: string[] = [];
  const processId = marginSignatureProcessId(order.id);
  if (awaiting) {
    await enqueueStart(tx, {
      key: marginSignatureProcessKey,
      processId,
      initiator: { id: context.filer.id, departmentId: context.filer.departmentId },
      variables: { orderId: order.id, signatureDeadlineDays: context.signatureDeadlineDays ?? salesSettings.signatureDeadlineDays },
      summary: `展厅低利润开单签字 ${context.customerName} ${stored.order.amount} — ${context.filer.id}`,
    });
    deliver.push(processId);
  }
  if (order.kind === 'intent') {
    const protection = await queueIntentOrder(tx, order.customerId, `order:${order.id}`, context.filer.id);
    if (protection) deliver.push(protection);
  }
  await insertAudit(tx, [
    {
      key: `order:${order.id}:filed`,
      at: stored.order.createdAt.getTime(),
      processId: awaiting ? processId : null,
      event: order.kind === 'intent' ? 'order.intent_filed' : 'order.filed',
      actorId: context.filer.id,
      ruleId: awaiting ? 'REG-2' : order.kind === 'intent' ? 'OVL-8' : null,
      detail: { orderId: order.id, customerId: order.customerId, channel: order.channel, amount: stored.order.amount, margin: stored.order.margin, status: stored.order.status },
    },
  ]);
  return { ...stored, deliver };
}

/** Whether an order stored under an Idempotency-Key is the filing now repeated. */
function sameFiling(order: Order, filing: OrderFiling): boolean {
  const credits = (filing.credits ?? [{ userId: order.createdBy, share: 1 }]).map((c) => `${c.userId}:${Math.round(c.share * 10_000)}`).sort();
  return (
    order.kind === filing.kind &&
    order.customerId === filing.customerId &&
    order.channel === filing.channel &&
    toFen(order.amount) === toFen(filing.amount) &&
    toFen(order.cost) === toFen(filing.cost) &&
    (filing.orderedOn === undefined || filing.orderedOn === order.orderedOn) &&
    credits.join() === order.credits.map((c) => `${c.userId}:${Math.round(c.share * 10_000)}`).sort().join()
  );
}

const orderNotFound = (id: string) => new NotFound('ORDER_NOT_FOUND', `No order ${id}.`);

/** The scope the user reads orders and the 7P analysis under (a Deputy GM's charge read from the organisation). */
export async function scopeOf(sql: Queryable, user: User): Promise<SalesScope> {
  return salesScope(user, await departmentsOverseenBy(sql, user.id));
}

export function createSalesService(deps: SalesDeps) {
  const { sql, outbox } = deps;
  const deadlineDays = deps.signatureDeadlineDays ?? salesSettings.signatureDeadlineDays;

  /** The credited salespeople with their departments, or 422 naming what is wrong. */
  async function creditsOf(user: User, filing: OrderFiling): Promise<Order['credits']> {
    const given = filing.credits ?? [{ userId: user.id, share: 1 }];
    if (new Set(given.map((c) => c.userId)).size !== given.length) {
      throw new PolicyViolation('DUPLICATE_SALESPERSON', undefined, 'A salesperson is credited once per order.', [{ path: 'credits', message: 'each userId once' }]);
    }
    if (!sharesAddUpToOne(given)) {
      throw new PolicyViolation('SHARES_NOT_ONE', 'OVL-5', 'The credited salespeople\'s commission shares add up to 1 (a 5:5 split is 0.5 and 0.5).', [
        { path: 'credits', message: 'shares must add up to 1' },
      ]);
    }
    const credits: Order['credits'] = [];
    for (const [index, credit] of given.entries()) {
      const person = await findUser(sql, credit.userId);
      if (!person?.active) throw new PolicyViolation('USER_NOT_FOUND', undefined, `No active user "${credit.userId}".`, [{ path: `credits.${index}.userId`, message: 'names no active user' }]);
      const rateDepartmentId = credit.rateDepartmentId ?? person.departmentId;
      if (!(await departmentExists(sql, rateDepartmentId))) {
        throw new PolicyViolation('UNKNOWN_DEPARTMENT', undefined, `No department "${rateDepartmentId}".`, [{ path: `credits.${index}.rateDepartmentId`, message: 'names no department' }]);
      }
      credits.push({ userId: person.id, share: credit.share, rateDepartmentId });
    }
    return credits;
  }

  return {
    /**
     * Files an order or intent order. REG-2: a showroom sale below 40% margin waits for the
     * signature; OVL-8: an intent order ends the customer's running protection. A retry with the
     * same Idempotency-Key answers with the first order (`created` false).
     */
    async fileOrder(user: User, filing: OrderFiling, idempotencyKey: string | undefined): Promise<{ order: Order; created: boolean }> {
      if (idempotencyKey !== undefined) {
        const earlier = await findOrderByKey(sql, user.id, idempotencyKey);
        if (earlier) {
          if (!sameFiling(earlier, filing)) throw new PolicyViolation('IDEMPOTENCY_KEY_REUSED', undefined, 'This Idempotency-Key was used for a different order.');
          return { order: earlier, created: false };
        }
      }
      const customer = await findCustomer(sql, filing.customerId);
      if (!customer) throw new PolicyViolation('UNKNOWN_CUSTOMER', undefined, `No customer "${filing.customerId}".`, [{ path: 'customerId', message: 'names no customer' }]);
      if (!mayFileOrder(user, customer, filing.channel)) {
        // ACC-4: the customer is named only to a caller who may see it.
        const { label } = await customerAsKnownTo(sql, user, customer);
        throw new Forbidden(
          'MAY_NOT_FILE_ORDER',
          `Orders for ${label} are filed by the salesperson who owns or protects it, its Department Manager, or (at the showroom) the showroom staff.`,
          'OVL-8',
        );
      }
      const today = policyDate(Date.now());
      const orderedOn = filing.orderedOn ?? today;
      if (orderedOn > today) throw new PolicyViolation('ORDER_DATE_IN_FUTURE', undefined, `An order is filed on or after its day, not before (${orderedOn}).`, [{ path: 'orderedOn', message: `not after ${today}` }]);
      const departmentId = filing.departmentId ?? user.departmentId;
      if (!(await departmentExists(sql, departmentId))) {
        throw new PolicyViolation('UNKNOWN_DEPARTMENT', undefined, `No department "${departmentId}".`, [{ path: 'departmentId', message: 'names no department' }]);
      }
      const credits = await creditsOf(user, filing);
      const result = await sql.begin((tx) =>
        recordOrder(
          tx,
          {
            id: randomUUID(),
            kind: filing.kind,
            customerId: customer.id,
            channel: filing.channel,
            departmentId,
            region: filing.region ?? customer.region,
            city: filing.city ?? customer.city,
            productKind: filing.productKind ?? null,
            promotion: filing.promotion ?? null,
            amount: filing.amount.toFixed(2),
            cost: filing.cost.toFixed(2),
            orderedOn,
            createdBy: user.id,
            credits,
            idempotencyKey: idempotencyKey ?? null,
          },
          { filer: user, customerName: customer.name, signatureDeadlineDays: deadlineDays },
        ),
      );
      if (!result.created && !sameFiling(result.order, filing)) throw new PolicyViolation('IDEMPOTENCY_KEY_REUSED', undefined, 'This Idempotency-Key was used for a different order.');
      if (result.deliver.length > 0) await outbox.deliver(result.deliver);
      return { order: result.order, created: result.created };
    },

    /** One order the user may see; 404 for any other. */
    async getOrder(user: User, id: string): Promise<Order> {
      const order = await findOrder(sql, id);
      if (!order || !orderVisible(await scopeOf(sql, user), user, order)) throw orderNotFound(id);
      return order;
    },

    async listOrders(user: User, query: OrderQuery) {
      const scope = await scopeOf(sql, user);
      return listOrders(sql, { userId: user.id, ...(scope.all ? { all: true, departmentIds: [], showroom: false } : scope) }, query);
    },
  };
}

export type SalesService = ReturnType<typeof createSalesService>;

// ---- what the margin-signature process does (service-tasks.ts calls these)

/** REG-2: the signature is given (final, signed_by/at) or refused (cancelled; the filer is told). */
export async function decideLowMarginOrder(sql: Sql, decision: { orderId: string; signed: boolean; decidedBy: string; at: number; key: string; processId: string }): Promise<boolean> {
  return sql.begin(async (tx) => {
    const order = await decideSignature(tx, { orderId: decision.orderId, signed: decision.signed, decidedBy: decision.decidedBy, at: new Date(decision.at) });
    if (!order) return false;
    const event = decision.signed ? 'order.signed' : 'order.signature_refused';
    await insertAudit(tx, [{ key: decision.key, at: decision.at, processId: decision.processId, event, actorId: decision.decidedBy, ruleId: 'REG-2', detail: { orderId: order.id, margin: order.margin } }]);
    await insertNotices(tx, {
      key: decision.key,
      processId: decision.processId,
      userIds: [order.createdBy],
      ...notice(decision.signed ? 'order.signed' : 'order.signature_refused', { orderId: order.id, margin: order.margin, decidedBy: decision.decidedBy }),
      at: decision.at,
    });
    return true;
  });
}

/** REG-2: an order found unsigned at the deadline: the filer's 200-yuan fine is proposed, once. */
export async function fineUnsignedOrder(sql: Sql, orderId: string, at: number): Promise<boolean> {
  return sql.begin(async (tx) => {
    const order = await findOrder(tx, orderId, { forUpdate: true });
    if (order?.status !== 'awaiting_signature') return false;
    await proposePenalty(tx, {
      kind: 'low-margin-unsigned',
      personId: order.createdBy,
      evidence: `order ${order.id}: showroom, amount ${order.amount}, margin ${order.margin}, filed ${order.createdAt.toISOString()}, unsigned at ${new Date(at).toISOString()}`,
      sourceKey: `order-unsigned:${order.id}`,
      proposedBy: 'system',
      at: new Date(at),
    });
    return true;
  });
}
