// The showroom 展厅 rules: whose customer a visitor is and how a sale's commission is split
// (OVL-5..7, 第五章四至六), the regional hand-over of gift-trade customers from outside Linyi
// (REG-1, 第六章一) and the orders a region protects from showroom quotes (REG-3, 第六章三).
// Pure: no I/O; the definitions and the service use them.
import { Temporal } from 'temporal-polyfill';
import { POLICY_TIME_ZONE } from '../../engine/definition/feel.ts';
import { PolicyViolation, StateConflict } from '../../platform/errors.ts';
import { holdsRole, type Role, type User } from '../../platform/organisation/model.ts';

/** Policy settings of this area, in one place (docs/policy.md lists them as interpretations). */
export const showroomSettings = {
  /** The Sales Floor Dept 营业部 runs the showroom; its people are the showroom staff 展厅人员. */
  showroomDepartmentId: 'sales-floor',
  /** OVL-6/OVL-7: the Business Dept 业务部, whose commission rate the shared sales use. */
  businessDepartmentId: 'business',
  /** REG-1/REG-3: the regions, the Market Dept 市场部 and the Out-of-Province Expansion Dept 外省拓展部. */
  regionDepartmentIds: ['market', 'expansion'] as readonly string[],
  /** [interpretation] The policy gives no rates: a department without one set earns this share of a sale's amount. */
  defaultCommissionRate: 0.03,
  /** REG-1 [interpretation] 第一时间 (at once): the hand-over is due this many working days (Mon–Fri, Asia/Shanghai) after the visit. */
  handoverWorkingDays: 1,
  /**
   * REG-1: 临沂市以外. The names (Chinese and pinyin, without the 市/区/县 suffix) of Linyi and its
   * districts and counties; a visitor from any other city is from outside Linyi.
   */
  linyiPlaces: [
    '临沂', 'linyi', '兰山', 'lanshan', '罗庄', 'luozhuang', '河东', 'hedong', '郯城', 'tancheng', '兰陵', 'lanling', '苍山', 'cangshan',
    '莒南', 'junan', '沂水', 'yishui', '蒙阴', 'mengyin', '平邑', 'pingyi', '费', '费县', 'fei', 'feixian', '沂南', 'yinan', '临沭', 'linshu',
    '临沂高新技术产业开发', '临沂经济技术开发', '临港经济开发', '高新', '经开', '临港',
  ] as readonly string[],
} as const;

// ------------------------------------------------------------------ who is who

/** Showroom staff 展厅人员: one definition, the trade record's (areas/sales). */
export { isShowroomStaff } from '../sales/index.ts';

export function isShowroomManager(user: Pick<User, 'roles'>): boolean {
  return holdsRole(user.roles, ['showroom_manager']);
}

/** REG-5: the Marketing Director interprets these rules and reads every showroom record. */
const overseerRoles: readonly Role[] = ['marketing_director'];
export function overseesShowroom(user: Pick<User, 'roles'>): boolean {
  return holdsRole(user.roles, overseerRoles) || isShowroomManager(user);
}

export function isRegionDepartment(departmentId: string): boolean {
  return showroomSettings.regionDepartmentIds.includes(departmentId);
}

/** The Marketing Director keeps the commission rates (REG-5: 本制度由营销总监负责解释). */
export function setsCommissionRates(user: Pick<User, 'roles'>): boolean {
  return holdsRole(user.roles, overseerRoles);
}

// ------------------------------------------------------------------ REG-1

/** REG-1: 广告公司、礼仪策划公司、茶叶茶楼、文体、黄金饰品、礼品零售店、单帮、新华书店,或者是其他礼品销售客户. */
export const giftTrades = {
  advertising: { en: 'Advertising firm', zh: '广告公司' },
  event_planning: { en: 'Event planner', zh: '礼仪策划公司' },
  tea: { en: 'Tea shop or tea house', zh: '茶叶茶楼' },
  stationery_sports: { en: 'Stationery and sports', zh: '文体' },
  gold_jewellery: { en: 'Gold jewellery', zh: '黄金饰品' },
  gift_retail: { en: 'Gift retailer', zh: '礼品零售店' },
  single_trader: { en: 'Single trader', zh: '单帮' },
  xinhua_bookstore: { en: 'Xinhua bookstore', zh: '新华书店' },
  other_gift: { en: 'Other gift seller', zh: '其他礼品销售客户' },
} as const;
/** The trades a visitor may be recorded with: the gift trades of REG-1, or another (`other`). */
export const trades = [...(Object.keys(giftTrades) as (keyof typeof giftTrades)[]), 'other'] as const;
export type Trade = (typeof trades)[number];

/** A city name without spaces, case and its administrative suffix (市, 区, 县, city, district, county). */
function placeName(city: string): string {
  return city
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^(山东省?|shandong)\s*/, '')
    .replace(/(市|区|县| city| district| county)$/u, '')
    .trim();
}

/** REG-1: whether the city is Linyi 临沂市 or one of its districts and counties. */
export function isInLinyi(city: string): boolean {
  const name = placeName(city);
  return showroomSettings.linyiPlaces.includes(name) || name.startsWith('临沂');
}

/** REG-1: a gift-trade customer from outside Linyi is a regional customer, handed over at once. */
export function isRegionalCustomer(trade: Trade | null, city: string): boolean {
  return trade !== null && trade !== 'other' && !isInLinyi(city);
}

export const regionalHandoverProcessKey = 'showroom.regional-handover';
export const regionalHandoverProcessId = (visitId: string) => `showroom-handover-${visitId}`;

/** REG-1: the hand-over is due `handoverWorkingDays` working days after the visit, at the same hour. */
export function handoverDueAt(visitedAt: Date, workingDays: number = showroomSettings.handoverWorkingDays): Date {
  let at = Temporal.Instant.fromEpochMilliseconds(visitedAt.getTime()).toZonedDateTimeISO(POLICY_TIME_ZONE);
  for (let left = workingDays; left > 0; ) {
    at = at.add({ days: 1 });
    if (at.dayOfWeek <= 5) left -= 1;
  }
  return new Date(at.epochMilliseconds);
}

// ------------------------------------------------------------------ OVL-5..7: attribution

export const namedOutcomes = ['handed_over', 'absent', 'not_handed_over'] as const;
export type NamedOutcome = (typeof namedOutcomes)[number];
export const contactSteps = ['salesperson', 'colleague'] as const;
export type ContactStep = (typeof contactSteps)[number];
export const contactOutcomes = ['serves', 'unavailable'] as const;
export type ContactOutcome = (typeof contactOutcomes)[number];

export interface ContactAttempt {
  seq: number;
  step: ContactStep;
  userId: string;
  outcome: ContactOutcome;
}

/** A person as the attribution needs them. */
export interface Person {
  id: string;
  departmentId: string;
}

export interface VisitFacts {
  receivedBy: string;
  named: Person | null;
  namedOutcome: NamedOutcome | null;
  askedForSalesperson: boolean;
  attempts: readonly ContactAttempt[];
  /** The customer's department and the salesperson following it (owner or protector), if any. */
  customer: { departmentId: string; ownerId: string | null; status: string };
}

export type AttributionRule = 'OVL-5' | 'OVL-6' | 'OVL-7';

export interface Credit {
  userId: string;
  share: number;
  rateDepartmentId: string;
}

export interface Attribution {
  rule: AttributionRule | null;
  credits: Credit[];
  /** OVL-5: the receiver who did not hand over, fined 200 yuan. */
  fined: string | null;
}

const half = (a: Person, aRate: string, b: Person, bRate: string): Credit[] =>
  a.id === b.id ? [{ userId: a.id, share: 1, rateDepartmentId: aRate }] : [
    { userId: a.id, share: 0.5, rateDepartmentId: aRate },
    { userId: b.id, share: 0.5, rateDepartmentId: bRate },
  ];

const whole = (person: Person, rateDepartmentId = person.departmentId): Credit[] => [{ userId: person.id, share: 1, rateDepartmentId }];

/**
 * OVL-6: 展厅人员应第一时间联系当事人,当事人确实回不来要交业务部的工作人员接待。如果业务部不能
 * 接待,展厅人员可以接待. Showroom staff close only after the salesperson and then a Business Dept
 * colleague were contacted, in that order, and neither could serve.
 */
export function checkContactOrder(attempts: readonly ContactAttempt[]): void {
  const salesperson = attempts.findIndex((a) => a.step === 'salesperson' && a.outcome === 'unavailable');
  const colleague = attempts.findIndex((a, i) => i > salesperson && a.step === 'colleague' && a.outcome === 'unavailable');
  if (salesperson < 0 || colleague < 0) {
    throw new StateConflict(
      'BUSINESS_DEPT_NOT_CONTACTED_FIRST',
      'OVL-6: the customer asked for their Business Dept salesperson: contact the salesperson first, then a Business Dept colleague; the showroom serves only when neither can (record both attempts on the visit).',
      'OVL-6',
    );
  }
}

/**
 * Who a sale closed on a showroom visit credits, and on whose commission rate (OVL-5..7).
 * `closer` closed the sale: the receiver, the named salesperson, or (OVL-6) a Business Dept colleague.
 */
export function attributeSale(facts: VisitFacts, closer: Person): Attribution {
  const business = showroomSettings.businessDepartmentId;
  const { named } = facts;
  if (named && facts.askedForSalesperson) {
    // OVL-6: 营业部人员与业务部销售人员按业务部提成对5:5分成.
    if (closer.id === named.id) return { rule: 'OVL-6', credits: whole(named, business), fined: null };
    const salespersonAway = facts.attempts.findIndex((a) => a.step === 'salesperson' && a.outcome === 'unavailable');
    const colleague = facts.attempts.findIndex((a, i) => i > salespersonAway && a.step === 'colleague' && a.userId === closer.id && a.outcome === 'serves');
    // [interpretation] a Business Dept colleague who serves in the salesperson's place shares 5:5 as the showroom would.
    if (closer.departmentId === business && salespersonAway >= 0 && colleague >= 0) return { rule: 'OVL-6', credits: half(named, business, closer, business), fined: null };
    checkContactOrder(facts.attempts);
    return { rule: 'OVL-6', credits: half(named, business, closer, business), fined: null };
  }
  if (named) {
    // OVL-5: 只要提出销售人员的名字,客户就属于被提及的销售人员的客户.
    if (closer.id === named.id || facts.namedOutcome === 'handed_over') return { rule: 'OVL-5', credits: whole(named), fined: null };
    // 接待人员没有转交,成交后不享受提成,并处罚200元.
    if (facts.namedOutcome === 'not_handed_over') return { rule: 'OVL-5', credits: whole(named), fined: facts.receivedBy };
    // 被提及的展厅销售人员如果不在,展厅其他人员接待成交,销售提成按5:5分成 (on the named one's rate).
    return { rule: 'OVL-5', credits: half(named, named.departmentId, closer, named.departmentId), fined: null };
  }
  // OVL-7: 业务部跟进的意向客户…展厅销售人员接待成交…按业务部提成对半分.
  const { customer } = facts;
  if (customer.departmentId === business && customer.ownerId !== null && customer.ownerId !== closer.id) {
    return { rule: 'OVL-7', credits: half({ id: customer.ownerId, departmentId: business }, business, closer, business), fined: null };
  }
  return { rule: null, credits: whole(closer), fined: null };
}

/** Who may close the sale on a visit: the receiver, the named salesperson, or a colleague who served (OVL-6). */
export function checkCloser(facts: VisitFacts, closer: Person): void {
  const served = facts.attempts.some((a) => a.userId === closer.id && a.outcome === 'serves');
  if (closer.id !== facts.receivedBy && closer.id !== facts.named?.id && !served) {
    throw new PolicyViolation('NOT_A_CLOSER', 'OVL-5', `${closer.id} did not receive, was not named by and did not serve this customer.`, [
      { path: 'closedBy', message: 'the receiver, the named salesperson, or a colleague recorded as serving' },
    ]);
  }
}

/** The commission of one credit: amount × the department's rate × the share, in yuan to the fen. */
export function commissionOf(amount: string, rate: number, share: number): string {
  const fen = Math.round(Number(amount) * 100 * rate * share);
  return (fen / 100).toFixed(2);
}

// ------------------------------------------------------------------ REG-3

/** REG-3: a region (its Department Manager or a salesperson of it) announces an order it protects. */
export function announcesProtectedOrders(user: Pick<User, 'departmentId'>): boolean {
  return isRegionDepartment(user.departmentId);
}

/** REG-3: a protected order's products compared without case and surrounding spaces. */
export const productKey = (product: string) => product.trim().toLowerCase();
