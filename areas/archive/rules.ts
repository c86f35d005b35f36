// The archive's vocabulary: document categories (ARC-1) with their Chinese labels, and the
// statuses a document passes through.
import { policyDate } from '../../engine/definition/feel.ts';
import { holdsRole, type Role, type RoleGrant } from '../../platform/organisation/model.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';

/**
 * ARC-1: the material the company archives, labelled as the original lists it (二、归档范围).
 * The policy gives no retention periods: they are the company's schedule (db/retention.ts), and a
 * category without one is kept permanently.
 */
export const documentCategories = {
  plan: { en: 'Plan', zh: '规划' },
  annual_plan: { en: 'Annual plan', zh: '年度计划' },
  statistics: { en: 'Statistics', zh: '统计资料' },
  financial_audit: { en: 'Financial audit', zh: '财务审计' },
  accounting_record: { en: 'Accounting records', zh: '会计档案' },
  labour_wages: { en: 'Labour and wages', zh: '劳动工资' },
  operating_report: { en: 'Operating situation', zh: '经营情况' },
  personnel_file: { en: 'Personnel file', zh: '人事档案' },
  meeting_minutes: { en: 'Meeting minutes', zh: '会议记录' },
  decision: { en: 'Decision', zh: '决定' },
  power_of_attorney: { en: 'Power of attorney', zh: '委托书' },
  agreement: { en: 'Agreement', zh: '协议' },
  contract: { en: 'Contract', zh: '合同' },
  project_proposal: { en: 'Project plan', zh: '项目方案' },
  notice: { en: 'Notice', zh: '通知' },
  other: { en: 'Other document of reference value', zh: '其他有参考价值的文件' },
} as const satisfies Record<string, { en: string; zh: string }>;

export type DocumentCategory = keyof typeof documentCategories;
export const documentCategoryIds = Object.keys(documentCategories) as [DocumentCategory, ...DocumentCategory[]];

export const documentStatuses = ['in_archive', 'on_loan', 'in_reading', 'pending_destruction', 'destroyed'] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

/** ARC-3: at Confidential and above only an original may be deposited. */
export function requiresOriginal(secrecy: SecrecyLevel): boolean {
  return secrecy === 'confidential' || secrecy === 'top_secret';
}

/**
 * [interpretation] Who has a role in the archive: the Archivist (ARC-2), the Office Director who
 * heads the GM Office it belongs to, and the GM. Only they learn that a Top Secret document
 * exists, and they see every borrowing request.
 */
export const archiveRoles: readonly Role[] = ['archivist', 'office_director', 'gm'];

export function hasArchiveRole(grants: readonly Pick<RoleGrant, 'role'>[]): boolean {
  return holdsRole(grants, archiveRoles);
}

/** Whether a user may know that a document of this secrecy exists. */
export function mayKnowDocument(grants: readonly Pick<RoleGrant, 'role'>[], secrecy: SecrecyLevel): boolean {
  return secrecy !== 'top_secret' || hasArchiveRole(grants);
}

/** ARC-2: the Archivist registers documents, hands them over and takes them back. */
export function isArchivist(grants: readonly Pick<RoleGrant, 'role'>[]): boolean {
  return holdsRole(grants, ['archivist']);
}

/** DES-2 [interpretation]: the Office Director keeps the retention schedule. */
export function keepsRetentionSchedule(grants: readonly Pick<RoleGrant, 'role'>[]): boolean {
  return holdsRole(grants, ['office_director']);
}

/** The day a document is archived: the calendar date at `at` in the company's zone (YYYY-MM-DD). */
export function archiveDate(at: Date): string {
  return policyDate(at.getTime());
}
