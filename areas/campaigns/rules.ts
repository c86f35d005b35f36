// Archiving campaigns (CYC-1..4) and the originals departments hold (ARC-3): the settings the
// policy leaves to the company, the periods a campaign closes, who may do what, the Archivist's
// check of a hand-over list, and the report. Pure: no I/O.
import { Temporal } from 'temporal-polyfill';
import { POLICY_TIME_ZONE } from '../../engine/definition/feel.ts';
import type { RoleGrant } from '../../platform/organisation/model.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import { requiresOriginal } from '../archive/index.ts';

export const campaignProcessKey = 'archive.campaign';
export const handOverProcessKey = 'archive.hand-over';

/**
 * The policy's silences, as the company settles them (docs/policy.md, interpretations):
 * CYC-1 names the months, not the day or hour a campaign opens, nor how long departments have,
 * nor when a late one is reminded or escalated (CYC-2: department managers must cooperate).
 */
export const campaignSettings = {
  /** [interpretation] CYC-1: campaigns open on this day of the month, at this time (Asia/Shanghai). */
  opensOn: { dayOfMonth: 1, hour: 9, minute: 0 },
  /** CYC-1: the quarterly campaigns (closing Q4 of the year before, Q1, Q2, Q3). */
  quarterlyMonths: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
  /** CYC-1: the annual campaign (the year before). */
  annualMonths: ['FEBRUARY'],
  /** [interpretation] A server that was down when a campaign was due still opens it this long after. */
  catchupWindow: '7 days',
  /** [interpretation] CYC-2: a department's list is due this many days after the campaign opens. */
  collectionDays: 15,
  /** [interpretation] CYC-2: a late department is reminded on the due date, then every this many days. */
  reminderEveryDays: 2,
  /** [interpretation] CYC-2: a department this many days late is escalated to its Deputy GM in charge. */
  escalationDays: 5,
  /**
   * [interpretation] CYC-2: a list still not handed over this many days after its due date lapses:
   * the hand-over ends as not handed over (the report shows it pending and late), so the campaign
   * closes before the next one (a Schedule skips a run while the previous one still runs).
   */
  lapseDays: 60,
  /** Where an accepted item is shelved when the Archivist names no place. */
  defaultLocation: 'Archive room',
} as const;

/** Who a Schedule's campaign runs as: no person opens it. */
export const campaignScheduleInitiator = { id: 'system', departmentId: 'gm-office' } as const;

export const campaignKinds = ['quarterly', 'annual', 'extraordinary'] as const;
export type CampaignKind = (typeof campaignKinds)[number];

/** The instance ids of the scheduled campaigns; Temporal appends each run's time. */
export const scheduledCampaignPrefixes = { quarterly: 'campaign-quarterly', annual: 'campaign-annual' } as const;

/** The process of a campaign opened through the API, and of an urgent hand-over. */
export const campaignProcessId = (campaignId: string) => `campaign-${campaignId}`;
export const handOverProcessId = (handOverId: string) => `hand-over-${handOverId}`;

/** The kind of a scheduled campaign from its instance id; undefined for any other id. */
export function scheduledCampaignKind(processId: string): 'quarterly' | 'annual' | undefined {
  if (processId.startsWith(`${scheduledCampaignPrefixes.quarterly}-`)) return 'quarterly';
  if (processId.startsWith(`${scheduledCampaignPrefixes.annual}-`)) return 'annual';
  return undefined;
}

/** An instant in Asia/Shanghai. */
const policyTime = (at: number) => Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(POLICY_TIME_ZONE);

/** The calendar date (YYYY-MM-DD) of an instant in Asia/Shanghai: the day an item is archived. */
export const archivingDate = (at: number): string => policyTime(at).toPlainDate().toString();

/**
 * CYC-1 [interpretation]: what a campaign opened at `at` collects. A quarterly campaign closes the
 * last quarter that has ended (January: Q4 of the year before; April: Q1; ...); the annual one the
 * year before.
 */
export function campaignPeriod(kind: 'quarterly' | 'annual', at: number): string {
  const { year, month } = policyTime(at);
  if (kind === 'annual') return String(year - 1);
  const quarter = Math.floor((month - 1) / 3);
  return quarter === 0 ? `${year - 1}-Q4` : `${year}-Q${quarter}`;
}

export function campaignDueAt(openedAt: number): Date {
  return new Date(openedAt + campaignSettings.collectionDays * 86_400_000);
}

const holds = (grants: readonly RoleGrant[], ...wanted: string[]) => grants.some((grant) => wanted.includes(grant.role));

/** CYC-1: the Archivist (CYC-2: who collects) or the Office Director opens a campaign outside the calendar. */
export const mayOpenCampaign = (grants: readonly RoleGrant[]) => holds(grants, 'archivist', 'office_director');

/** Campaigns, their reports and hand-overs: the Archivist, the Office Director, the GM and the Deputy GMs. */
export const mayOverseeCampaigns = (grants: readonly RoleGrant[]) => holds(grants, 'archivist', 'office_director', 'gm', 'deputy_gm');

/** ARC-2/3: the register of originals held by departments is the Archivist's. */
export const keepsHeldOriginals = (grants: readonly RoleGrant[]) => holds(grants, 'archivist');

/** Whether the user manages the department (a Department Manager's grant names it). */
export const managesDepartment = (grants: readonly RoleGrant[], departmentId: string) =>
  grants.some((grant) => grant.role === 'department_manager' && grant.departmentId === departmentId);

/** The departments the user manages. */
export const managedDepartments = (grants: readonly RoleGrant[]) =>
  grants.flatMap((grant) => (grant.role === 'department_manager' && grant.departmentId ? [grant.departmentId] : []));

/** ARC-3: only an original at Confidential or above goes on the register of held originals. */
export const heldOriginalLevels = ['confidential', 'top_secret'] as const satisfies readonly SecrecyLevel[];

export const itemUnits = ['pages', 'pieces'] as const;
export const itemVerdicts = ['accepted', 'returned'] as const;

/** One item of a hand-over list (移交清单), numbered from 1. */
export interface ListedItem {
  item: number;
  title: string;
  secrecy: SecrecyLevel;
  original: boolean;
  heldOriginalId: string | null;
}

/** The Archivist's verdict on one item (CYC-2), with the volume (CYC-4) and shelf of an accepted one. */
export interface ItemVerdict {
  item: number;
  verdict: (typeof itemVerdicts)[number];
  reason?: string | null | undefined;
  volume?: string | null | undefined;
  reference?: string | null | undefined;
  location?: string | null | undefined;
}

/**
 * CYC-2 / ARC-3: what stops a check from being registered: every item gets exactly one verdict, a
 * returned item a reason, an accepted item at Confidential or above must be the original, and an
 * item that says it deposits a held original must name one the department still holds. Empty
 * when the check can be registered.
 */
export function checkProblems(items: readonly ListedItem[], verdicts: readonly ItemVerdict[], outstanding: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const numbers = new Set(items.map((i) => i.item));
  const seen = new Set<number>();
  for (const verdict of verdicts) {
    if (!numbers.has(verdict.item)) problems.push(`item ${verdict.item} is not on the list`);
    else if (seen.has(verdict.item)) problems.push(`item ${verdict.item} has more than one verdict`);
    seen.add(verdict.item);
    if (verdict.verdict === 'returned' && !verdict.reason?.trim()) problems.push(`item ${verdict.item} is returned without a reason`);
  }
  const missing = [...numbers].filter((n) => !seen.has(n));
  if (missing.length) problems.push(`no verdict for item(s) ${missing.join(', ')}`);
  for (const verdict of verdicts) {
    const item = items.find((i) => i.item === verdict.item);
    if (!item || verdict.verdict !== 'accepted') continue;
    if (requiresOriginal(item.secrecy) && !item.original) problems.push(`ARC-3: item ${item.item} is a copy at ${item.secrecy}; only the original may be deposited, return it`);
    if (item.heldOriginalId !== null && !outstanding.has(item.heldOriginalId)) problems.push(`ARC-3: item ${item.item} names held original ${item.heldOriginalId}, which the department does not hold`);
  }
  return problems;
}

/** The reference number an accepted item is registered under when the Archivist gives none. */
export function itemReference(handOverId: string, item: number): string {
  return `HO-${handOverId.slice(0, 8).toUpperCase()}-${String(item).padStart(3, '0')}`;
}

/** A department's part of a campaign, as stored. */
export interface HandOverSummary {
  handOverId: string;
  departmentId: string;
  departmentName: string;
  departmentNameZh: string;
  status: 'pending' | 'submitted' | 'checked';
  dueAt: Date | null;
  submittedAt: Date | null;
  received: number;
  accepted: number;
  returned: number;
  originalsOutstanding: number;
}

export interface DepartmentReport extends HandOverSummary {
  late: boolean;
  daysLate: number;
}

/**
 * CYC-2 [interpretation]: a department is late when its list came after the due time, or has not
 * come and the due time has passed; days late are whole days past it (to the list, or to `now`).
 */
export function departmentReport(summary: HandOverSummary, now: number): DepartmentReport {
  const due = summary.dueAt?.getTime();
  const until = summary.submittedAt?.getTime() ?? now;
  const late = due !== undefined && until > due;
  return { ...summary, late, daysLate: late ? Math.floor((until - due) / 86_400_000) : 0 };
}

export interface ReportTotals {
  departments: number;
  listsReceived: number;
  late: number;
  received: number;
  accepted: number;
  returned: number;
  originalsOutstanding: number;
}

export function reportTotals(rows: readonly DepartmentReport[]): ReportTotals {
  const sum = (pick: (row: DepartmentReport) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    departments: rows.length,
    listsReceived: sum((row) => (row.status === 'pending' ? 0 : 1)),
    late: sum((row) => (row.late ? 1 : 0)),
    received: sum((row) => row.received),
    accepted: sum((row) => row.accepted),
    returned: sum((row) => row.returned),
    originalsOutstanding: sum((row) => row.originalsOutstanding),
  };
}
