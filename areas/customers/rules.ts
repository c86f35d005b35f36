// Customer archives 客户档案 and their ownership: card types (CUS-4), the open pool 公海, the
// 4-month protection 保护期 (OVL-8), who sees which customers (SEC-1, CUS-2) and departures
// (SEC-5). Pure: no I/O.
import { PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { Label, Role, RoleGrant, User } from '../../platform/organisation/model.ts';
import { evaluateDurationMs } from '../../engine/definition/feel.ts';

/** Policy settings of this area, in one place. */
export const customerSettings = {
  /** OVL-8: a protection lasts four calendar months (Asia/Shanghai). */
  protectionMonths: 4,
  /** OVL-8: the protector is reminded this many days before a month ends without a progress report. */
  reportReminderDays: 5,
  /**
   * OVL-8 [interpretation]: "ownership passes to the applicant" means the previous owner may not
   * simply take the customer back from the pool: they may not apply for (or be assigned) it again
   * for this many days after it was released.
   */
  reclaimBlockDays: 30,
  /**
   * OVL-8 [interpretation]: the policy gives the protector 4 months (保护期限为4个月) and is silent
   * on what a missed monthly report costs. A miss is recorded and escalated; it ends the protection
   * early (the Department Manager keeps or releases the customer) only where the company turns
   * this on. Off: the 4 months stand.
   */
  earlyReleaseOnMissedReport: false,
} as const;

// ------------------------------------------------------------------ vocabulary

/** CUS-4: the two customer archive cards. */
export const cardTypes = ['distributor', 'terminal'] as const;
export type CardType = (typeof cardTypes)[number];

export const cardTypeLabels: Readonly<Record<CardType, Label & { card: Label }>> = {
  distributor: { en: 'Distributor', zh: '经销商', card: { en: 'Distributor card', zh: '经销商客户档案卡' } },
  terminal: { en: 'Terminal customer', zh: '终端', card: { en: 'Terminal-customer card', zh: '终端客户档案卡' } },
};

/**
 * CUS-4: distributor cards are kept by the regions (Market Dept, Out-of-Province Expansion Dept),
 * terminal-customer cards by the Business Dept and the Sales Floor Dept. Department ids of the
 * organisation; a department not listed keeps no customer cards.
 */
export const cardKeepers: Readonly<Record<CardType, readonly string[]>> = {
  distributor: ['market', 'expansion'],
  terminal: ['business', 'sales-floor'],
};

export function keepsCard(departmentId: string, cardType: CardType): boolean {
  return cardKeepers[cardType].includes(departmentId);
}

/** CUS-4: a department holds only the cards it keeps, so its staff may neither create nor take on others. */
export function checkCardKeeper(departmentId: string, cardType: CardType): void {
  if (!keepsCard(departmentId, cardType)) {
    throw new PolicyViolation(
      'CARD_NOT_KEPT_BY_DEPARTMENT',
      'CUS-4',
      `A ${cardTypeLabels[cardType].card.en} (${cardTypeLabels[cardType].card.zh}) is kept by ${cardKeepers[cardType].join(', ')}, not by ${departmentId}.`,
    );
  }
}

/**
 * open: in the open pool 公海, nobody's (a new prospect starts here: CUS-1 covers future
 * customers, and only a protection or an assignment gives a salesperson a customer, OVL-8);
 * protected: in its 4-month protection 保护期; owned: kept by its salesperson after an intent order 意向单.
 */
export const customerStatuses = ['open', 'protected', 'owned'] as const;
export type CustomerStatus = (typeof customerStatuses)[number];

export const customerStatusLabels: Readonly<Record<CustomerStatus, Label>> = {
  open: { en: 'Open pool', zh: '公海' },
  protected: { en: 'Protected', zh: '保护期' },
  owned: { en: 'Owned', zh: '已成交' },
};

export const protectionStatuses = ['requested', 'active', 'declined', 'converted', 'released'] as const;
export type ProtectionStatus = (typeof protectionStatuses)[number];
export const protectionKinds = ['request', 'assignment'] as const;
export type ProtectionKind = (typeof protectionKinds)[number];
export const protectionEndReasons = ['declined', 'intent_order', 'expired', 'released_early'] as const;
export type ProtectionEndReason = (typeof protectionEndReasons)[number];

/** Why a customer's owner (or ownership status) changed: one row of the ownership history each. */
export const ownershipReasons = {
  protection_granted: { en: 'Protection granted', zh: '保护申请获批', ruleId: 'OVL-8' },
  assigned: { en: 'Assigned by the Department Manager', zh: '部门经理分配', ruleId: 'OVL-8' },
  intent_order: { en: 'Intent order filed', zh: '已签意向单', ruleId: 'OVL-8' },
  released_expired: { en: 'Protection expired: to the open pool', zh: '保护期满转入公海', ruleId: 'OVL-8' },
  released_early: { en: 'Released early for missing progress reports', zh: '未按月汇报提前释放', ruleId: 'OVL-8' },
  reassigned: { en: 'Reassigned on the salesperson leaving', zh: '离职客户重新分配', ruleId: 'SEC-5' },
  transferred: { en: 'Transferred by the Department Manager', zh: '部门经理移交', ruleId: 'CUS-2' },
  regional_handover: { en: 'Regional customer handed over by the showroom', zh: '展厅移交区域客户', ruleId: 'REG-1' },
  adjudicated: { en: 'Adjudicated by the committee', zh: '客户界定小组界定', ruleId: 'OVL-2' },
} as const satisfies Record<string, Label & { ruleId: string }>;
export type OwnershipReason = keyof typeof ownershipReasons;

export const coDevelopmentStatuses = ['pending', 'accepted', 'declined'] as const;
export type CoDevelopmentStatus = (typeof coDevelopmentStatuses)[number];

// ------------------------------------------------------------------ the protection period

export interface ProtectionMonth {
  month: number;
  startsAt: number;
  endsAt: number;
}

/**
 * OVL-8: the protection's months, each ending the same number of calendar months after the start
 * (not after the previous end, so 31 Jan gives 28 Feb, 31 Mar, 30 Apr, 31 May). The engine's own
 * calendar arithmetic, so the process and the register agree to the millisecond.
 */
export function protectionMonths(startedAt: number): ProtectionMonth[] {
  return Array.from({ length: customerSettings.protectionMonths }, (_, i) => {
    const month = i + 1;
    const end = (n: number) => (n === 0 ? startedAt : startedAt + evaluateDurationMs(`duration("P${n}M")`, {}, startedAt));
    return { month, startsAt: end(i), endsAt: end(month) };
  });
}

/**
 * The process nodes of protection month `n` (workflows/processes/customers.ts builds them; the API
 * reads the running instance's active nodes through the same names).
 */
export function monthNodes(n: number) {
  return {
    /** Waits for the month's first progress report until five days before the month ends. */
    report: `month${n}`,
    /** Reminds the protector (whoever it is by then, SEC-5) that the month ends without a report. */
    reminder: `month${n}Reminder`,
    /** Waits for the report in the month's last days. */
    lastDays: `month${n}LastDays`,
    /** Reported: waits for the month to end. */
    reported: `month${n}Reported`,
    /** The month ended without a report: the Department Manager keeps or releases the customer (version 1, or early release allowed). */
    missed: `month${n}Missed`,
    /** Version 2: the month ended without a report: recorded for HR and escalated to the Department Manager. */
    recordMissed: `month${n}Unreported`,
    /** Version 2: whether the company allows an early release (customerSettings.earlyReleaseOnMissedReport). */
    earlyReleaseCheck: `month${n}EarlyRelease`,
  };
}

/** The message that carries month `n`'s report: one name per month, so a late report never counts for the next one. */
export function reportMessage(n: number): string {
  return `report.month${n}`;
}

/**
 * Which month a progress report filed now counts for, from where the protection's instance is:
 * while a month waits for its report the report is that month's and goes to the instance; once
 * the month is reported, further reports are recorded only; while the manager decides on a missed
 * month, the next month has begun, and its report waits in the instance for it.
 */
export function reportTarget(activeNodes: readonly string[]): { month: number; forward: boolean } | undefined {
  for (const node of activeNodes) {
    const match = /^month(\d+)(Reminder|LastDays|Reported|Missed)?$/.exec(node);
    if (!match) continue;
    const month = Number(match[1]);
    if (match[2] === 'Missed') return { month: month + 1, forward: true };
    return { month, forward: match[2] !== 'Reported' };
  }
  return undefined;
}

/** OVL-8: until when the previous owner may not reclaim a customer released to the pool. */
export function reclaimBlockedUntil(releasedAt: Date): Date {
  // Asia/Shanghai has no daylight saving: a day is always 24 hours there.
  return new Date(releasedAt.getTime() + customerSettings.reclaimBlockDays * 86_400_000);
}

// ------------------------------------------------------------------ who may do what

function holds(user: Pick<User, 'roles'>, wanted: readonly Role[]): boolean {
  return user.roles.some((grant) => wanted.includes(grant.role));
}

/** The departments a user manages (a Department Manager holds the role for a department). */
export function managedDepartments(user: Pick<User, 'roles'>): string[] {
  return user.roles.filter((grant): grant is RoleGrant & { departmentId: string } => grant.role === 'department_manager' && grant.departmentId !== null).map((grant) => grant.departmentId);
}

export function managesDepartment(user: Pick<User, 'roles'>, departmentId: string): boolean {
  return managedDepartments(user).includes(departmentId);
}

export function isSalesperson(user: Pick<User, 'roles'>): boolean {
  return holds(user, ['salesperson']);
}

/** SEC-1: the company-level viewers of customer archives (the Marketing Director keeps them, CUS-2). */
export const companyViewerRoles: readonly Role[] = ['marketing_director', 'marketing_vp', 'gm'];

export function isCompanyViewer(user: Pick<User, 'roles'>): boolean {
  return holds(user, companyViewerRoles);
}

/**
 * Which customers a user sees (SEC-1): the GM, Marketing Director and Marketing VP all of them; a
 * Department Manager their department's; a salesperson their own, those they co-develop, and
 * their own department's open pool (the pool is confidential too: another department's pool
 * customer is not theirs to see, and a claim on it goes to adjudication, OVL-1); nobody else any.
 * Approved viewing outside one's tier (SEC-3) is the customer archive's.
 */
export type CustomerScope = { all: true } | { all: false; salespersonId: string | null; departmentIds: string[]; poolDepartmentIds: string[] };

export function customerScope(user: Pick<User, 'id' | 'roles' | 'departmentId'>): CustomerScope {
  if (holds(user, companyViewerRoles)) return { all: true };
  const departmentIds = managedDepartments(user);
  const salesperson = isSalesperson(user);
  return { all: false, salespersonId: salesperson ? user.id : null, departmentIds, poolDepartmentIds: salesperson ? [user.departmentId] : [] };
}

export function customerVisible(
  scope: CustomerScope,
  customer: { ownerId: string | null; departmentId: string; status: CustomerStatus },
  coDeveloperIds: readonly string[] = [],
): boolean {
  if (scope.all) return true;
  return (
    (customer.status === 'open' && scope.poolDepartmentIds.includes(customer.departmentId)) ||
    (scope.salespersonId !== null && (customer.ownerId === scope.salespersonId || coDeveloperIds.includes(scope.salespersonId))) ||
    scope.departmentIds.includes(customer.departmentId)
  );
}

/** CUS-1/CUS-4: salespeople and Department Managers enter customers into their department's archive. */
export function mayCreateCustomer(user: Pick<User, 'roles'>): boolean {
  return isSalesperson(user) || managedDepartments(user).length > 0;
}

/** SEC-5: HR, or the leaver's Department Manager, reports a salesperson leaving. */
export function mayReportDeparture(user: Pick<User, 'roles'>, leaverDepartmentId: string): boolean {
  return holds(user, ['hr']) || managesDepartment(user, leaverDepartmentId);
}

/**
 * SEC-1: a protection is seen by its protector, its requester while the request awaits its
 * decision, the Department Manager and the company-level viewers. ACC-5: a former protector (the
 * customer transferred or reassigned, SEC-5) no longer reads the new owner's progress reports.
 */
export function mayViewProtection(user: Pick<User, 'id' | 'roles'>, protection: { protectorId: string; requestedBy: string; departmentId: string; status: string }): boolean {
  return (
    protection.protectorId === user.id ||
    (protection.requestedBy === user.id && protection.status === 'requested') ||
    managesDepartment(user, protection.departmentId) ||
    isCompanyViewer(user)
  );
}

/** A departure is seen by the leaver, the reporter, HR, the department's manager and the company-level viewers. */
export function mayViewDeparture(user: Pick<User, 'id' | 'roles'>, departure: { userId: string; reportedBy: string; departmentId: string }): boolean {
  return departure.userId === user.id || departure.reportedBy === user.id || mayReportDeparture(user, departure.departmentId) || isCompanyViewer(user);
}

// ------------------------------------------------------------------ departures (SEC-5)

/**
 * One customer going to one salesperson. The reassignment task's form carries them as records
 * (customer.departure@2); version 1 carried them as `customerId=salespersonId` strings, and its
 * running instances still do.
 */
export interface Reassignment {
  customerId: string;
  salespersonId: string;
}

/** The reassignment task's form data for an instance of the departure definition `version`. */
export function reassignmentForm(version: number, pairs: readonly Reassignment[]): { assignments: string[] | Reassignment[] } {
  return { assignments: version === 1 ? pairs.map(formatReassignment) : pairs.map(({ customerId, salespersonId }) => ({ customerId, salespersonId })) };
}

export function formatReassignment(pair: Reassignment): string {
  return `${pair.customerId}=${pair.salespersonId}`;
}

/** The pairs of a reassignment form, and the entries that are not `customerId=salespersonId`. */
export function parseReassignments(entries: readonly string[]): { pairs: Reassignment[]; malformed: string[] } {
  const pairs: Reassignment[] = [];
  const malformed: string[] = [];
  for (const entry of entries) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(entry.trim());
    if (match) pairs.push({ customerId: match[1]!, salespersonId: match[2]! });
    else malformed.push(entry);
  }
  return { pairs, malformed };
}

/**
 * SEC-5, CUS-2: what is wrong with handing a customer from its owner to a salesperson (a leaver's
 * customer reassigned, or a transfer by the Department Manager): the customer must still be the
 * owner's, and the salesperson an active salesperson of the owner's department who is not leaving
 * themselves. Empty when the hand-over may go ahead.
 */
export function handOverProblems(
  owner: { id: string; departmentId: string },
  customer: { id: string; ownerId: string | null } | undefined,
  salesperson: (Pick<User, 'id' | 'departmentId' | 'active' | 'roles'> & { leaving: boolean }) | undefined,
): string[] {
  const problems: string[] = [];
  if (!customer) problems.push('names no customer');
  else if (customer.ownerId !== owner.id) problems.push(`customer ${customer.id} is not ${owner.id}'s`);
  if (!salesperson) problems.push('names no user');
  else if (salesperson.id === owner.id) problems.push(`the customer is ${owner.id}'s already`);
  else if (!salesperson.active || salesperson.leaving) problems.push(`${salesperson.id} is not an active salesperson`);
  else if (!isSalesperson(salesperson)) problems.push(`${salesperson.id} is not a salesperson`);
  else if (salesperson.departmentId !== owner.departmentId) problems.push(`${salesperson.id} is not in department ${owner.departmentId}`);
  return problems;
}

/**
 * OVL-8: a protected customer moves only by the end of its protection, by an intent order, or by
 * its protector leaving (SEC-5); others take part only by agreement with the protector
 * (co-development). A Department Manager's transfer of it is refused.
 */
export function checkTransferable(customer: { name: string; status: CustomerStatus }): void {
  if (customer.status === 'protected') {
    throw new StateConflict(
      'PROTECTED_CUSTOMER',
      `${customer.name} is in its protection period (保护期): it moves only at its end, by an intent order or on its protector leaving; others join it by co-development with the protector.`,
      'OVL-8',
    );
  }
}

/** The customer processes' keys (definitions.ts). */
export const customerProcessKeys = {
  protection: 'customer.protection',
  coDevelopment: 'customer.co-development',
  departure: 'customer.departure',
} as const;

// The Temporal workflow ids of the customer processes: the one place that says how they are made.
export const protectionProcessId = (protectionId: string) => `protection-${protectionId}`;
export const coDevelopmentProcessId = (requestId: string) => `co-development-${requestId}`;
export const departureProcessId = (departureId: string) => `departure-${departureId}`;
