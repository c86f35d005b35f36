// The showroom's application service: the only code that opens its transactions and starts its
// process. Visits (OVL-5..7, REG-1), the sales closed on them with their commission split, and the
// commission rates. The protected orders and quotes of REG-3 are in protected-orders.ts.
import { randomUUID } from 'node:crypto';
import { policyDate } from '../../engine/definition/feel.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { enqueueStart } from '../../engine/sql/outbox.ts';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { Queryable, Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { departmentManagers, findUser } from '../../platform/organisation/sql.ts';
import { findCustomer, handCustomerToDepartment, insertCustomer, isSalesperson, type Customer } from '../customers/index.ts';
import { proposePenalty } from '../penalties/index.ts';
import { findOrder, recordOrder, type Order } from '../sales/index.ts';
import {
  attributeSale,
  checkCloser,
  commissionOf,
  handoverDueAt,
  isRegionalCustomer,
  isRegionDepartment,
  isShowroomManager,
  isShowroomStaff,
  overseesShowroom,
  regionalHandoverProcessId,
  regionalHandoverProcessKey,
  setsCommissionRates,
  showroomSettings,
  type ContactStep,
  type ContactOutcome,
  type NamedOutcome,
  type Trade,
  type VisitFacts,
} from './rules.ts';
import { commissionRates, findVisit, insertAttempt, insertVisit, isInvolved, listVisits, orderFiledWith, recordSale, setCommissionRate, settleHandover, visitFiledWith, type Visit, type VisitQuery } from './sql.ts';

export interface NewVisitInput {
  customerId?: string | undefined;
  prospect?: { name: string; city: string; region: string } | undefined;
  trade?: Trade | undefined;
  receivedBy?: string | undefined;
  namedSalespersonId?: string | undefined;
  namedOutcome?: NamedOutcome | undefined;
  askedForSalesperson?: boolean | undefined;
  contactAttempts?: AttemptInput[] | undefined;
  note?: string | undefined;
}

export interface AttemptInput {
  step: ContactStep;
  userId: string;
  outcome: ContactOutcome;
}

export interface SaleInput {
  amount: number;
  cost: number;
  productKind: string;
  orderedOn: string;
  closedBy?: string | undefined;
  disputed?: boolean | undefined;
}

/** One credit of a sale with its rate and commission (yuan). */
export interface CreditView {
  userId: string;
  share: number;
  rateDepartmentId: string;
  rate: number;
  commission: string;
}

export interface VisitView {
  visit: Visit;
  sale: { order: Order; credits: CreditView[]; adjudication: string | null } | null;
}

/** What the overlap area's adjudication of a disputed customer is filed at (OVL-7: 由客户界定小组界定客户的归属). */
export const adjudicationPath = (customerId: string) => `/api/v1/customers/${encodeURIComponent(customerId)}/adjudications`;

/** Rolls a visit's transaction back when the same filing was recorded meanwhile. */
class FiledMeanwhile extends Error {
  constructor(readonly visit: Visit) {
    super('filed meanwhile');
  }
}

const problem = (code: string, ruleId: string, path: string, message: string) => new PolicyViolation(code, ruleId, message, [{ path, message }]);

async function activeUser(sql: Queryable, id: string, path: string, ruleId: string): Promise<User> {
  const user = await findUser(sql, id);
  if (!user) throw problem('UNKNOWN_PERSON', ruleId, path, `no active user ${id}`);
  return user;
}

function requireShowroomStaff(user: User): void {
  if (!isShowroomStaff(user)) throw new Forbidden('NOT_SHOWROOM_STAFF', 'Showroom staff 展厅人员 (the Sales Floor Dept and the Showroom Manager) record showroom visits, sales and quotes.', 'OVL-5');
}

/** OVL-5/OVL-6: the named salesperson and, for a Business Dept customer asking for theirs, the contact attempts. */
async function checkNamed(sql: Queryable, input: NewVisitInput, customer: Pick<Customer, 'departmentId'>): Promise<User | null> {
  if (input.namedSalespersonId === undefined) {
    if (input.namedOutcome !== undefined) throw problem('NO_SALESPERSON_NAMED', 'OVL-5', 'namedOutcome', 'only when the customer named a salesperson');
    if (input.askedForSalesperson) throw problem('NO_SALESPERSON_NAMED', 'OVL-6', 'namedSalespersonId', 'the Business Dept salesperson the customer asked for');
    if (input.contactAttempts?.length) throw problem('NO_SALESPERSON_NAMED', 'OVL-6', 'contactAttempts', 'only for a customer asking for their Business Dept salesperson');
    return null;
  }
  const named = await activeUser(sql, input.namedSalespersonId, 'namedSalespersonId', 'OVL-5');
  if (!isSalesperson(named)) throw problem('NOT_A_SALESPERSON', 'OVL-5', 'namedSalespersonId', `${named.id} is not a salesperson`);
  const business = showroomSettings.businessDepartmentId;
  if (input.askedForSalesperson) {
    if (named.departmentId !== business || customer.departmentId !== business) {
      throw problem('NOT_A_BUSINESS_DEPT_CUSTOMER', 'OVL-6', 'askedForSalesperson', 'OVL-6 is a Business Dept customer asking for their Business Dept salesperson');
    }
    if (input.namedOutcome !== undefined) throw problem('CONTACTS_NOT_OUTCOME', 'OVL-6', 'namedOutcome', 'record the contact attempts instead (OVL-6)');
  } else {
    if (input.namedOutcome === undefined) throw problem('NAMED_OUTCOME_REQUIRED', 'OVL-5', 'namedOutcome', 'handed_over, absent or not_handed_over');
    if (input.contactAttempts?.length) throw problem('NOT_ASKED_FOR_SALESPERSON', 'OVL-6', 'contactAttempts', 'only for a customer asking for their Business Dept salesperson');
  }
  return named;
}

/** OVL-6: the salesperson asked for is contacted as `salesperson`; a colleague is another person of the Business Dept. */
async function checkAttempt(sql: Queryable, visit: Pick<Visit, 'askedForSalesperson' | 'namedSalespersonId'>, attempt: AttemptInput, path: string): Promise<void> {
  if (!visit.askedForSalesperson) throw problem('NOT_ASKED_FOR_SALESPERSON', 'OVL-6', path, 'contact attempts are recorded for a customer asking for their Business Dept salesperson');
  if (attempt.step === 'salesperson' && attempt.userId !== visit.namedSalespersonId) throw problem('NOT_THE_SALESPERSON', 'OVL-6', `${path}.userId`, 'the salesperson the customer asked for');
  if (attempt.step === 'colleague') {
    const colleague = await activeUser(sql, attempt.userId, `${path}.userId`, 'OVL-6');
    if (colleague.departmentId !== showroomSettings.businessDepartmentId || colleague.id === visit.namedSalespersonId) {
      throw problem('NOT_A_BUSINESS_DEPT_COLLEAGUE', 'OVL-6', `${path}.userId`, 'another person of the Business Dept');
    }
  }
}

export function createShowroomService(deps: { sql: Sql; outbox: ProcessOutbox; salesSignatureDeadlineDays?: number | undefined }) {
  const { sql, outbox } = deps;

  const rateTable = async (db: Queryable) => new Map((await commissionRates(db, showroomSettings.defaultCommissionRate)).map((r) => [r.departmentId, r.rate]));

  const view = async (db: Queryable, visit: Visit): Promise<VisitView> => {
    const order = visit.orderId ? await findOrder(db, visit.orderId) : undefined;
    if (!order) return { visit, sale: null };
    const rates = await rateTable(db);
    const credits = order.credits.map((credit) => {
      const rate = rates.get(credit.rateDepartmentId) ?? showroomSettings.defaultCommissionRate;
      return { ...credit, rate, commission: commissionOf(order.amount, rate, credit.share) };
    });
    return { visit, sale: { order, credits, adjudication: visit.disputed ? adjudicationPath(visit.customerId) : null } };
  };

  /** The visit, for the Showroom Manager, the Marketing Director and the staff involved; 404 for anyone else. */
  const visible = async (user: User, id: string): Promise<Visit> => {
    const visit = await findVisit(sql, id);
    if (!visit || !(overseesShowroom(user) || (await isInvolved(sql, id, user.id)))) throw new NotFound('VISIT_NOT_FOUND', `No showroom visit ${id}.`);
    return visit;
  };

  return {
    /** OVL-5..7, REG-1: a customer at the showroom; a regional customer's hand-over starts at once. */
    async recordVisit(user: User, input: NewVisitInput, idempotencyKey: string | undefined): Promise<{ view: VisitView; created: boolean }> {
      requireShowroomStaff(user);
      const receiver = input.receivedBy === undefined ? user : await activeUser(sql, input.receivedBy, 'receivedBy', 'OVL-5');
      if (!isShowroomStaff(receiver)) throw problem('NOT_SHOWROOM_STAFF', 'OVL-5', 'receivedBy', `${receiver.id} is not showroom staff`);
      const existing = input.customerId === undefined ? undefined : await findCustomer(sql, input.customerId);
      if (input.customerId !== undefined && !existing) throw problem('UNKNOWN_CUSTOMER', 'OVL-5', 'customerId', `no customer ${input.customerId}`);
      const customerDepartment = existing?.departmentId ?? showroomSettings.showroomDepartmentId;
      const named = await checkNamed(sql, input, { departmentId: customerDepartment });
      const attempts = input.contactAttempts ?? [];
      for (const [i, attempt] of attempts.entries()) {
        await checkAttempt(sql, { askedForSalesperson: input.askedForSalesperson ?? false, namedSalespersonId: named?.id ?? null }, attempt, `contactAttempts.${i}`);
      }
      const id = randomUUID();
      const at = new Date();
      const city = existing?.city ?? input.prospect!.city;
      const trade = input.trade ?? null;
      // A customer a region already keeps needs no hand-over.
      const regional = isRegionalCustomer(trade, city) && !isRegionDepartment(customerDepartment);
      const processId = regional ? regionalHandoverProcessId(id) : null;
      const result = await sql.begin(async (tx) => {
        // A retried filing (same recorder, same Idempotency-Key) answers with the visit it recorded.
        const earlier = idempotencyKey === undefined ? undefined : await visitFiledWith(tx, user.id, idempotencyKey);
        if (earlier) return { visit: earlier, created: false };
        const customer =
          existing ??
          (await insertCustomer(tx, {
            id: randomUUID(),
            name: input.prospect!.name,
            cardType: 'terminal',
            city: input.prospect!.city,
            region: input.prospect!.region,
            departmentId: showroomSettings.showroomDepartmentId,
            createdBy: user.id,
          }));
        const filed = await insertVisit(tx, {
          id,
          customerId: customer.id,
          receivedBy: receiver.id,
          visitedAt: at,
          namedSalespersonId: named?.id ?? null,
          namedOutcome: input.namedOutcome ?? null,
          askedForSalesperson: input.askedForSalesperson ?? false,
          trade,
          city,
          regional,
          handoverProcessId: processId,
          note: input.note ?? null,
          recordedBy: user.id,
          idempotencyKey: idempotencyKey ?? null,
        });
        // The same filing raced this one: roll back (the prospect's customer too) and answer with it.
        if (!filed.created) throw new FiledMeanwhile(filed.visit);
        for (const attempt of attempts) await insertAttempt(tx, id, { ...attempt, at, recordedBy: user.id });
        await insertAudit(tx, [
          {
            key: `showroom-visit:${id}:recorded`,
            at: at.getTime(),
            processId,
            event: 'showroom.visit_recorded',
            actorId: user.id,
            ruleId: regional ? 'REG-1' : 'OVL-5',
            detail: { visitId: id, customerId: customer.id, receivedBy: receiver.id, namedSalespersonId: named?.id ?? null, regional },
          },
        ]);
        if (processId) {
          await enqueueStart(tx, {
            key: regionalHandoverProcessKey,
            processId,
            initiator: { id: user.id, departmentId: user.departmentId },
            variables: { visitId: id, customerId: customer.id, receiverId: receiver.id, dueAt: handoverDueAt(at).toISOString() },
            summary: `REG-1: hand ${customer.name} (${city}) to a region`,
          });
        }
        return { visit: (await findVisit(tx, id))!, created: true };
      }).catch((error: unknown) => {
        if (error instanceof FiledMeanwhile) return { visit: error.visit, created: false };
        throw error;
      });
      if (result.created && processId) await outbox.deliver([processId]);
      return { view: await view(sql, result.visit), created: result.created };
    },

    /** OVL-6: a contact made for a Business Dept customer who asked for their salesperson, in order. */
    async addAttempt(user: User, visitId: string, attempt: AttemptInput): Promise<VisitView> {
      const visit = await visible(user, visitId);
      requireShowroomStaff(user);
      if (visit.orderId) throw new StateConflict('SALE_ALREADY_CLOSED', `The sale on visit ${visitId} is recorded; its contacts are settled.`, 'OVL-6');
      await checkAttempt(sql, visit, attempt, 'body');
      const updated = await sql.begin(async (tx) => {
        await insertAttempt(tx, visitId, { ...attempt, at: new Date(), recordedBy: user.id });
        return (await findVisit(tx, visitId))!;
      });
      return view(sql, updated);
    },

    /** OVL-5..7: the sale closed on the visit, recorded as a showroom order with its commission split. */
    async closeSale(user: User, visitId: string, input: SaleInput, idempotencyKey: string | undefined): Promise<{ view: VisitView; created: boolean }> {
      const visit = await visible(user, visitId);
      const orderKey = idempotencyKey === undefined ? null : `showroom-visit:${visitId}:${idempotencyKey}`;
      // A retried filing (same caller, same Idempotency-Key) answers with the sale it recorded.
      if (visit.orderId && orderKey && (await orderFiledWith(sql, user.id, orderKey)) === visit.orderId) return { view: await view(sql, visit), created: false };
      const closer = input.closedBy === undefined ? await activeUser(sql, visit.receivedBy, 'closedBy', 'OVL-5') : await activeUser(sql, input.closedBy, 'closedBy', 'OVL-5');
      if (user.id !== visit.receivedBy && user.id !== closer.id && !isShowroomManager(user)) {
        throw new Forbidden('NOT_THE_RECEIVER', 'The receiver, the one who closed the sale, or the Showroom Manager records a sale on a visit.', 'OVL-5');
      }
      const named = visit.namedSalespersonId ? await activeUser(sql, visit.namedSalespersonId, 'namedSalespersonId', 'OVL-5') : null;
      const facts: VisitFacts = {
        receivedBy: visit.receivedBy,
        named,
        namedOutcome: visit.namedOutcome,
        askedForSalesperson: visit.askedForSalesperson,
        attempts: visit.attempts,
        customer: { departmentId: visit.customerDepartmentId, ownerId: visit.customerOwnerId, status: visit.customerStatus },
      };
      checkCloser(facts, closer);
      const attribution = attributeSale(facts, closer);
      if (input.disputed && attribution.rule !== 'OVL-7') throw problem('NOT_AN_OVL7_SALE', 'OVL-7', 'disputed', 'a dispute is recorded on a Business Dept prospect closed at the showroom without a name (OVL-7)');
      if (input.orderedOn > policyDate(Date.now())) throw problem('ORDER_DATE_AHEAD', 'OVL-5', 'orderedOn', 'not after today');
      const at = new Date();
      const updated = await sql.begin(async (tx) => {
        const current = await findVisit(tx, visitId, { forUpdate: true });
        if (current!.orderId) throw new StateConflict('SALE_ALREADY_CLOSED', `The sale on visit ${visitId} is already recorded (order ${current!.orderId}).`, attribution.rule ?? 'OVL-5');
        const customer = (await findCustomer(tx, visit.customerId))!;
        // REG-2: a sale below the margin floor waits for the Showroom Manager's or GM's signature.
        const { order, deliver } = await recordOrder(tx, {
          id: randomUUID(),
          kind: 'order',
          customerId: customer.id,
          channel: 'showroom',
          departmentId: showroomSettings.showroomDepartmentId,
          region: customer.region,
          city: customer.city,
          productKind: input.productKind,
          promotion: null,
          amount: input.amount.toFixed(2),
          cost: input.cost.toFixed(2),
          orderedOn: input.orderedOn,
          createdBy: user.id,
          credits: attribution.credits,
          idempotencyKey: orderKey,
        }, { filer: user, customerName: customer.name, signatureDeadlineDays: deps.salesSignatureDeadlineDays });
        await recordSale(tx, visitId, { orderId: order.id, rule: attribution.rule, disputed: input.disputed ?? false });
        if (attribution.fined) {
          await proposePenalty(tx, {
            kind: 'named-salesperson-not-called',
            personId: attribution.fined,
            evidence: `showroom visit ${visitId}: the customer named ${visit.namedSalespersonId}, who was not handed the customer; order ${order.id}`,
            sourceKey: `showroom-visit:${visitId}:OVL-5`,
            // Found by the system from the record, whoever filed the sale (the receiver may file it).
            proposedBy: 'system',
            at,
          });
        }
        await insertAudit(tx, [
          {
            key: `showroom-visit:${visitId}:sale`,
            at: at.getTime(),
            processId: null,
            event: 'showroom.sale_closed',
            actorId: user.id,
            ruleId: attribution.rule,
            detail: { visitId, orderId: order.id, credits: attribution.credits, fined: attribution.fined, disputed: input.disputed ?? false },
          },
        ]);
        await insertNotices(tx, {
          key: `showroom-visit:${visitId}:sale`,
          processId: null,
          userIds: attribution.credits.map((c) => c.userId).filter((id) => id !== user.id),
          ...notice('showroom.sale_credited', {
            rule: attribution.rule,
            amountYuan: order.amount,
            customerName: customer.name,
            visitId,
            credits: attribution.credits.map((c) => ({ userId: c.userId, share: c.share })),
            disputed: input.disputed ?? false,
          }),
          at: at.getTime(),
        });
        return { visit: (await findVisit(tx, visitId))!, deliver };
      });
      if (updated.deliver.length > 0) await outbox.deliver(updated.deliver);
      return { view: await view(sql, updated.visit), created: true };
    },

    async getVisit(user: User, id: string): Promise<VisitView> {
      return view(sql, await visible(user, id));
    },

    /** The Showroom Manager and the Marketing Director read every visit; anyone else the visits they took part in. */
    async listVisits(user: User, query: Omit<VisitQuery, 'involving'>) {
      const page = await listVisits(sql, overseesShowroom(user) ? query : { ...query, involving: user.id });
      return { views: await Promise.all(page.visits.map((visit) => view(sql, visit))), next: page.next };
    },

    async commissionRates() {
      return commissionRates(sql, showroomSettings.defaultCommissionRate);
    },

    async setCommissionRate(user: User, departmentId: string, rate: number) {
      if (!setsCommissionRates(user)) throw new Forbidden('NOT_THE_MARKETING_DIRECTOR', 'The Marketing Director sets the commission rates (REG-5: 本制度由营销总监负责解释).', 'REG-5');
      const at = new Date();
      await sql.begin(async (tx) => {
        const [department] = await tx`select 1 from departments where id = ${departmentId}`;
        if (!department) throw new NotFound('DEPARTMENT_NOT_FOUND', `No department ${departmentId}.`);
        await setCommissionRate(tx, { departmentId, rate, setBy: user.id, at });
        await insertAudit(tx, [{ key: `commission-rate:${departmentId}:${randomUUID()}`, at: at.getTime(), processId: null, event: 'showroom.commission_rate_set', actorId: user.id, ruleId: 'REG-5', detail: { departmentId, rate } }]);
      });
      return (await commissionRates(sql, showroomSettings.defaultCommissionRate)).find((r) => r.departmentId === departmentId)!;
    },
  };
}

export type ShowroomService = ReturnType<typeof createShowroomService>;

// ---- what the hand-over process does (service-tasks.ts calls these)

async function settled(tx: TransactionSql, visitId: string, status: 'handed_over' | 'missed', departmentId: string | null, at: Date) {
  const visit = await findVisit(tx, visitId, { forUpdate: true });
  if (!visit) throw new Error(`no showroom visit ${visitId}`);
  return { visit, settledNow: await settleHandover(tx, visitId, { status, departmentId, at }) };
}

/** REG-1: the customer goes to the region's department, owned by its Department Manager (who assigns it on). */
export async function handOverRegionalCustomer(sql: Sql, step: { visitId: string; departmentId: string; decidedBy: string; key: string; at: number }): Promise<{ handedOver: boolean }> {
  return sql.begin(async (tx) => {
    const at = new Date(step.at);
    const { visit } = await settled(tx, step.visitId, 'handed_over', step.departmentId, at);
    const [manager] = await departmentManagers(tx, step.departmentId);
    if (!manager) throw new Error(`department ${step.departmentId} has no Department Manager to take the customer`);
    const moved = await handCustomerToDepartment(tx, { customerId: visit.customerId, departmentId: step.departmentId, toOwnerId: manager.id, actorId: step.decidedBy, at, key: step.key });
    await insertNotices(tx, {
      key: `${step.key}:notice`,
      processId: visit.handoverProcessId,
      userIds: [manager.id],
      ...notice('showroom.regional_customer_handed_over', { customerName: visit.customerName, city: visit.city, visitId: visit.id }),
      at: step.at,
    });
    return { handedOver: moved };
  });
}

/** REG-1: 未交的,每次一次罚款500元. The receiver's fine is proposed once. */
export async function fineRegionalHandoverMissed(sql: Sql, step: { visitId: string; at: number }): Promise<{ penaltyId: string }> {
  return sql.begin(async (tx) => {
    const at = new Date(step.at);
    const { visit } = await settled(tx, step.visitId, 'missed', null, at);
    const { penalty } = await proposePenalty(tx, {
      kind: 'regional-customer-not-handed-over',
      personId: visit.receivedBy,
      evidence: `showroom visit ${visit.id}: ${visit.customerName} (${visit.city}) was not handed to the Market Dept or the Out-of-Province Expansion Dept in time`,
      sourceKey: `showroom-visit:${visit.id}:REG-1`,
      proposedBy: 'system',
      at,
    });
    return { penaltyId: penalty.id };
  });
}
