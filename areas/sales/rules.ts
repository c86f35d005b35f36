// Orders 订单 and intent orders 意向单 (the trade record of issue 15), the showroom's margin floor
// (REG-2), a region's own terminal sales (REG-4, in the order_results view) and who reads the 7P
// analysis (CRM-1). Pure: no I/O.
import { holdsRole, managesDepartment, type Role, type User } from '../../platform/organisation/model.ts';

export const orderKinds = ['intent', 'order'] as const;
export type OrderKind = (typeof orderKinds)[number];
/** Where a sale was made: the showroom 展厅, the Business Dept 业务部, or a region (Market Dept, Out-of-Province Expansion Dept). */
export const orderChannels = ['showroom', 'business', 'region'] as const;
export type OrderChannel = (typeof orderChannels)[number];
export const orderStatuses = ['final', 'awaiting_signature', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const salesSettings = {
  /** REG-2: 展厅销售的每笔开单的利润都不低于40%. The policy's own figure, not a setting. */
  showroomMarginFloorPercent: 40,
  /** REG-4: 区域凡接待本区域终端客户的利润不得低于30% (applied by the order_results view, 0026). */
  regionTerminalMarginFloorPercent: 30,
  /**
   * REG-2 [interpretation]: "如发现一次罚款200元" gives no time to sign. An order still unsigned
   * this many days after it was filed is "found" unsigned: the fine is proposed once. The
   * default of SALES_SIGNATURE_DEADLINE_DAYS.
   */
  signatureDeadlineDays: 3,
  /** CRM-1 [interpretation]: a customer with no order for this many months counts as churned (persistency). */
  churnMonths: 6,
} as const;

export const marginSignatureProcessKey = 'sales.margin-signature';
export const marginSignatureProcessId = (orderId: string) => `order-signature-${orderId}`;

/** The showroom 展厅 is the Sales Floor Dept's: its salespeople are the showroom staff 展厅人员. */
export const SHOWROOM_DEPARTMENT = 'sales-floor';

/** Amounts in fen (1/100 yuan), so no margin test ever meets a float. */
export function toFen(yuan: string | number): number {
  return Math.round(Number(yuan) * 100);
}

/**
 * REG-2: a showroom order (a sale, not an intent order) whose margin (amount − cost) / amount is
 * below 40% needs the Showroom Manager's or the GM's signature before it is final.
 */
export function needsMarginSignature(order: { kind: string; channel: string; amount: string | number; cost: string | number }): boolean {
  if (order.kind !== 'order' || order.channel !== 'showroom') return false;
  const amount = toFen(order.amount);
  const cost = toFen(order.cost);
  return (amount - cost) * 100 < salesSettings.showroomMarginFloorPercent * amount;
}

/** OVL-5..7: the credited salespeople's shares add up to 1 (ten-thousandths, as stored). */
export function sharesAddUpToOne(credits: readonly { share: number }[]): boolean {
  return credits.reduce((sum, credit) => sum + Math.round(credit.share * 10_000), 0) === 10_000;
}

export function isShowroomStaff(user: Pick<User, 'departmentId' | 'roles'>): boolean {
  return holdsRole(user.roles, ['showroom_manager']) || (user.departmentId === SHOWROOM_DEPARTMENT && holdsRole(user.roles, ['salesperson']));
}

/**
 * Who files an order for a customer: the salesperson who owns or protects it (OVL-8), its
 * department's manager (as for today's intent orders), and, for a sale at the showroom, the
 * showroom staff (OVL-5..7 attribute it afterwards).
 */
export function mayFileOrder(user: User, customer: { ownerId: string | null; departmentId: string }, channel: string): boolean {
  if (customer.ownerId === user.id) return true;
  if (managesDepartment(user.roles, customer.departmentId)) return true;
  return channel === 'showroom' && isShowroomStaff(user);
}

/** The GM and the Marketing Director (who answers for the sales archives, CUS-2) read every order and every analysis. */
const companyReaders: readonly Role[] = ['gm', 'marketing_director'];

/** Which orders a reader sees beyond their own. */
export type SalesScope = { all: true } | { all: false; departmentIds: string[]; showroom: boolean };

/**
 * Who reads orders: the GM and the Marketing Director all; a Deputy GM the departments in their
 * charge (分管, `overseen`); a Department Manager their department's; the Showroom Manager the
 * showroom's (REG-2: they sign them). Everyone reads the orders they filed or are credited in.
 */
export function salesScope(user: User, overseen: readonly string[]): SalesScope {
  if (holdsRole(user.roles, companyReaders)) return { all: true };
  const managed = user.roles.flatMap((grant) => (grant.role === 'department_manager' && grant.departmentId ? [grant.departmentId] : []));
  const departmentIds = [...new Set([...(holdsRole(user.roles, ['deputy_gm']) ? overseen : []), ...managed])];
  return { all: false, departmentIds, showroom: holdsRole(user.roles, ['showroom_manager']) };
}

/** CRM-1: the Marketing Director, the GM, the Deputy GMs and the Department Managers read the 7P analysis, each over their scope. */
export function readsAnalysis(user: User, scope: SalesScope): boolean {
  return scope.all || scope.departmentIds.length > 0;
}

export function orderVisible(scope: SalesScope, user: User, order: { departmentId: string; channel: string; createdBy: string; credits: readonly { userId: string }[] }): boolean {
  if (scope.all || order.createdBy === user.id || order.credits.some((credit) => credit.userId === user.id)) return true;
  return scope.departmentIds.includes(order.departmentId) || (scope.showroom && order.channel === 'showroom');
}
