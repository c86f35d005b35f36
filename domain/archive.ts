// The archive's vocabulary: document categories (ARC-1) with their Chinese labels and default
// retention, and the statuses a document passes through.
import type { SecrecyLevel } from './secrecy.ts';

/** ARC-1: the material the company archives. Retention defaults follow the national enterprise rules (permanent / 30 / 10 years). */
export const documentCategories = {
  plan: { en: 'Plan', zh: '计划', retentionYears: 10 },
  annual_plan: { en: 'Annual plan', zh: '年度计划', retentionYears: null },
  statistics: { en: 'Statistics', zh: '统计资料', retentionYears: 30 },
  financial_audit: { en: 'Financial audit', zh: '财务审计', retentionYears: 30 },
  accounting_record: { en: 'Accounting record', zh: '会计凭证', retentionYears: 30 },
  labour_wages: { en: 'Labour and wages', zh: '劳动工资', retentionYears: 30 },
  operating_report: { en: 'Operating report', zh: '经营报告', retentionYears: 10 },
  personnel_file: { en: 'Personnel file', zh: '人事档案', retentionYears: null },
  meeting_minutes: { en: 'Meeting minutes', zh: '会议记录', retentionYears: null },
  decision: { en: 'Decision', zh: '决定', retentionYears: null },
  power_of_attorney: { en: 'Power of attorney', zh: '委托书', retentionYears: 30 },
  agreement: { en: 'Agreement', zh: '协议', retentionYears: 30 },
  contract: { en: 'Contract', zh: '合同', retentionYears: 30 },
  project_proposal: { en: 'Project proposal', zh: '项目建议书', retentionYears: 10 },
  notice: { en: 'Notice', zh: '通知', retentionYears: 10 },
  other: { en: 'Other document of reference value', zh: '其他有参考价值的文件', retentionYears: 10 },
} as const satisfies Record<string, { en: string; zh: string; retentionYears: number | null }>;

export type DocumentCategory = keyof typeof documentCategories;
export const documentCategoryIds = Object.keys(documentCategories) as [DocumentCategory, ...DocumentCategory[]];

export const documentStatuses = ['in_archive', 'on_loan', 'in_reading', 'pending_destruction', 'destroyed'] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

/** ARC-3: at Confidential and above only an original may be deposited. */
export function requiresOriginal(secrecy: SecrecyLevel): boolean {
  return secrecy === 'confidential' || secrecy === 'top_secret';
}
