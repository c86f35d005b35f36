// The penalties ledger (CUS-2: 人力资源部为本制度的监督、处罚部门 — HR supervises and penalises).
// Every fine the policy names, with its rule, amount and whether it carries dismissal. Other areas
// propose fines (a missed card update, a showroom hand-over not made, an unsigned low-margin
// order); HR confirms or waives each, with a reason.
import { holdsRole, managesDepartment, type User } from '../../platform/organisation/model.ts';

export interface PenaltyKind {
  ruleId: string;
  amountYuan: number;
  /** SEC-4's 500-yuan offences carry dismissal (并予以开除). */
  dismissal: boolean;
  label: { en: string; zh: string };
}

export const penaltyKinds = {
  /** CUS-5: 客户档案不及时更新,销售人员违反每次罚款20元. */
  'card-not-updated': { ruleId: 'CUS-5', amountYuan: 20, dismissal: false, label: { en: 'Customer card not updated the same day after a contact', zh: '客户档案不及时更新' } },
  /** SEC-4: 未经审批私自查看客户档案,每次处50元罚款. */
  'viewed-without-approval': { ruleId: 'SEC-4', amountYuan: 50, dismissal: false, label: { en: 'Viewed a customer archive without approval', zh: '未经审批私自查看客户档案' } },
  /** SEC-4: 擅自将客户档案账号提供给人查阅,每次处50元罚款. */
  'account-shared': { ruleId: 'SEC-4', amountYuan: 50, dismissal: false, label: { en: 'Gave the customer archive account to another person', zh: '擅自将客户档案账号提供给人查阅' } },
  /** SEC-4: 未经批准,删除、销毁公司和部门的客户档案资料,罚款500元,并予以开除. */
  'deleted-without-approval': { ruleId: 'SEC-4', amountYuan: 500, dismissal: true, label: { en: 'Deleted or destroyed customer archive data without approval', zh: '未经批准删除、销毁客户档案资料' } },
  /** SEC-4: 擅自抄录、备份客户档案,每次罚款500元,并予以开除. */
  'copied-without-approval': { ruleId: 'SEC-4', amountYuan: 500, dismissal: true, label: { en: 'Copied or backed up customer archives without approval', zh: '擅自抄录、备份客户档案' } },
  /** OVL-5: 客户说出销售人员的名字,接待人员没有转交,成交后不享受提成,并处罚200元. */
  'named-salesperson-not-called': { ruleId: 'OVL-5', amountYuan: 200, dismissal: false, label: { en: 'Did not hand over a customer who named a salesperson', zh: '客户说出销售人员名字,接待人员没有转交' } },
  /** REG-1: 未交于市场部或外省拓展部的区域客户,每次一次罚款500元. */
  'regional-customer-not-handed-over': { ruleId: 'REG-1', amountYuan: 500, dismissal: false, label: { en: 'Did not hand a regional customer to the Market or Out-of-Province Dept', zh: '区域客户未交于市场部或外省拓展部' } },
  /** REG-2: 展厅开单利润低于40%未经展厅经理或总经理签字,如发现一次罚款200元. */
  'low-margin-unsigned': { ruleId: 'REG-2', amountYuan: 200, dismissal: false, label: { en: 'Showroom order below 40% margin without the signature', zh: '展厅开单利润低于40%未经签字' } },
} as const satisfies Record<string, PenaltyKind>;

export type PenaltyKindId = keyof typeof penaltyKinds;
export const penaltyKindIds = Object.keys(penaltyKinds) as [PenaltyKindId, ...PenaltyKindId[]];

export const penaltyStates = ['proposed', 'confirmed', 'waived'] as const;
export type PenaltyState = (typeof penaltyStates)[number];

/** CUS-2: HR decides every fine; HR and the Marketing Director (who answers for the sales archives) read the whole ledger. */
export function readsWholeLedger(user: User): boolean {
  return holdsRole(user.roles, ['hr', 'marketing_director', 'gm']);
}

export function decidesPenalties(user: User): boolean {
  return holdsRole(user.roles, ['hr']);
}

/**
 * Who may propose a fine by hand: HR for anyone; a Department Manager for the people of their own
 * department ([interpretation] CUS-2 names HR as the penalising department and each Department
 * Manager as responsible for their department's archives; the manager proposes, HR decides).
 */
export function mayPropose(user: User, person: { departmentId: string }): boolean {
  return decidesPenalties(user) || managesDepartment(user.roles, person.departmentId);
}
