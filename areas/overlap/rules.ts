// Overlapping customers 重叠客户的界定 (OVL-1..4, OVL-7): who the parties of an adjudication are,
// the evidence's points, the suggested score, the committee, the verdict, and deference between
// the Business Dept and the Sales Floor. Pure: no I/O.
import { PolicyViolation, StateConflict } from '../../platform/errors.ts';
import { holdsRole, managesDepartment, type Role, type User } from '../../platform/organisation/model.ts';

/** OVL-1: the points of each item of the 100-point score, and the windows of its evidence. Policy figures, not settings. */
export const evidencePoints = { trade: 50, contacts: 25, card: 25 } as const;
export const evidenceWindows = { tradeMonths: 6, contactMonths: 3 } as const;
/** OVL-1: 拜访记录或电话(短信)回访记录: visits and phone or SMS follow-ups count; receptions and other channels do not. */
export const followUpChannels = ['visit', 'phone', 'sms'] as const;

/**
 * [interpretation] The policy gives the points, not how evidence turns into them. The suggested
 * score (the committee's form is pre-filled with it; every member may change it with a reason):
 * trade: 50 × the party's credited sales ÷ the best party's (0 when nobody traded);
 * contacts: 25 × min(1, follow-ups ÷ contactsForFullMarks);
 * card: 25 × the share of the company card format whose current value the party wrote.
 */
export const overlapSettings = {
  /** Follow-ups in the 3 months that earn the full 25 points: one a fortnight. */
  contactsForFullMarks: 6,
  /**
   * OVL-3: 总经理或分管副总经理. [interpretation] The Deputy GM in charge chairs when one Deputy GM
   * is in charge of every party's department; otherwise (or with this off) the GM.
   */
  deputyGmChairs: true,
} as const;

export interface Evidence {
  /** Yuan credited to the party (order amount × their share) in the last 6 months, a decimal string. */
  tradeAmount: string;
  tradeOrders: number;
  /** Visits and phone/SMS follow-ups by the party in the last 3 months. */
  contacts: number;
  /** Fields of the company card format whose current value the party wrote. */
  cardFields: number;
}

export interface Points {
  trade: number;
  contacts: number;
  card: number;
  suggested: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** OVL-1: each party's points and suggested score, from the evidence of all of them (trade is relative to the best party). */
export function suggestedScores(parties: readonly Evidence[], cardFieldCount: number): Points[] {
  const best = Math.max(0, ...parties.map((p) => Number(p.tradeAmount)));
  return parties.map((p) => {
    const trade = best > 0 ? (evidencePoints.trade * Number(p.tradeAmount)) / best : 0;
    const contacts = evidencePoints.contacts * Math.min(1, p.contacts / overlapSettings.contactsForFullMarks);
    const card = cardFieldCount > 0 ? (evidencePoints.card * Math.min(p.cardFields, cardFieldCount)) / cardFieldCount : 0;
    return { trade: round2(trade), contacts: round2(contacts), card: round2(card), suggested: round2(trade + contacts + card) };
  });
}

/** A party: a salesperson, or a department whose open-pool customer is claimed from another department. */
export interface Party {
  key: string;
  userId: string | null;
  departmentId: string;
  claimant: boolean;
}

export const personParty = (user: Pick<User, 'id' | 'departmentId'>, claimant: boolean): Party => ({ key: user.id, userId: user.id, departmentId: user.departmentId, claimant });
export const departmentParty = (departmentId: string): Party => ({ key: `department:${departmentId}`, userId: null, departmentId, claimant: false });

/** OVL-3: the committee: its chair, the Marketing Director, and the parties' Department Managers, each once. */
export function committee(chairId: string, marketingDirectorIds: readonly string[], managerIds: readonly string[]): string[] {
  return [...new Set([chairId, ...marketingDirectorIds, ...managerIds])];
}

export interface MemberScore {
  party: string;
  score: number;
  reason?: string | null | undefined;
}

/**
 * OVL-2: a member scores every party once, each score between 0 and 100; a score that differs from
 * the computed suggestion needs a reason. The problems found, by path, empty when none.
 */
export function scoreProblems(scores: readonly MemberScore[], suggestions: ReadonlyMap<string, number>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  scores.forEach((s, i) => {
    if (!suggestions.has(s.party)) problems.push({ path: `scores.${i}.party`, message: `${s.party} is not a party of this adjudication` });
    else if (seen.has(s.party)) problems.push({ path: `scores.${i}.party`, message: `${s.party} is scored twice` });
    seen.add(s.party);
    if (!(s.score >= 0 && s.score <= 100)) problems.push({ path: `scores.${i}.score`, message: 'between 0 and 100' });
    const suggested = suggestions.get(s.party);
    if (suggested !== undefined && round2(s.score) !== suggested && !s.reason?.trim()) {
      problems.push({ path: `scores.${i}.reason`, message: `the suggested score is ${suggested}: a changed score needs a reason` });
    }
  });
  for (const party of suggestions.keys()) if (!seen.has(party)) problems.push({ path: 'scores', message: `${party} is not scored` });
  return problems;
}

export function checkScores(scores: readonly MemberScore[], suggestions: ReadonlyMap<string, number>): void {
  const problems = scoreProblems(scores, suggestions);
  if (problems.length > 0) throw new PolicyViolation('INVALID_SCORES', 'OVL-2', 'Score every party once, from 0 to 100; a score changed from the suggestion needs a reason.', problems);
}

/**
 * OVL-2: 取平均分数,客户界定给最高分数者: each party's average over the members' scores; the
 * highest wins. [interpretation] A tie goes to the GM's decision among the tied parties.
 */
export function verdict(scores: readonly { party: string; score: number }[]): { averages: Map<string, number>; leaders: string[] } {
  const sums = new Map<string, { total: number; n: number }>();
  for (const { party, score } of scores) {
    const sum = sums.get(party) ?? { total: 0, n: 0 };
    sums.set(party, { total: sum.total + score, n: sum.n + 1 });
  }
  const averages = new Map([...sums].map(([party, { total, n }]) => [party, round2(total / n)]));
  const top = Math.max(...averages.values());
  return { averages, leaders: [...averages].filter(([, average]) => average === top).map(([party]) => party).sort() };
}

/** OVL-7: 出现争议,由客户界定小组界定: who raises a dispute on a customer. */
export const disputeRaiserRoles: readonly Role[] = ['marketing_director'];

export function mayRaiseDispute(user: Pick<User, 'roles'>, partyDepartmentIds: readonly string[]): boolean {
  return holdsRole(user.roles, disputeRaiserRoles) || partyDepartmentIds.some((departmentId) => managesDepartment(user.roles, departmentId));
}

/** Who reads an adjudication: its parties, the committee, the parties' managers, and the company-level readers (SEC-1). */
export const adjudicationReaderRoles: readonly Role[] = ['gm', 'marketing_director', 'marketing_vp'];

/** Who reads an adjudication: its parties, its raiser, the parties' managers, and the committee's executives (the Deputy GMs chair it). */
export function mayReadAdjudication(user: Pick<User, 'id' | 'roles'>, record: { raisedBy: string; parties: readonly Pick<Party, 'userId' | 'departmentId'>[] }): boolean {
  return (
    record.raisedBy === user.id ||
    record.parties.some((p) => p.userId === user.id || managesDepartment(user.roles, p.departmentId)) ||
    holdsRole(user.roles, [...adjudicationReaderRoles, 'deputy_gm'])
  );
}

/**
 * OVL-4: 业务部销售人员…得知该客户已经和营业部的销售人员有业务来往,应及时的推崇营业部的销售人员,并礼貌退出.
 * A Business Dept salesperson's claim on a customer whose orders credit a Sales Floor salesperson
 * is refused; they share what they know with that salesperson (回到公司,要与营业部的销售人员沟通).
 */
export const deference = { defersDepartment: 'business', toDepartment: 'sales-floor' } as const;

export function checkDeference(claimant: Pick<User, 'id' | 'departmentId'>, customerName: string, floorTraders: readonly string[]): void {
  if (claimant.departmentId !== deference.defersDepartment || floorTraders.length === 0) return;
  throw new StateConflict(
    'DEFER_TO_SALES_FLOOR',
    `${customerName} already trades with the Sales Floor (${floorTraders.join(', ')}): defer to them, withdraw politely and share what you know about the customer with them; they have been told to expect you.`,
    'OVL-4',
  );
}

export const adjudicationProcessKey = 'customer.adjudication';
export const adjudicationProcessId = (adjudicationId: string) => `adjudication-${adjudicationId}`;
