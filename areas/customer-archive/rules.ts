// The customer archive regime (客户档案管理制度): what a card holds (CUS-3, CUS-4), the same-day
// upkeep duty (CUS-5), and who reads and keeps a card in the three tiers of SEC-1.
import { z } from 'zod';
import { holdsRole, managesDepartment, type User } from '../../platform/organisation/model.ts';

type FieldKind = 'text' | 'date' | 'number';
interface CardField {
  kind: FieldKind;
  label: { en: string; zh: string };
}

const text = (en: string, zh: string): CardField => ({ kind: 'text', label: { en, zh } });
const date = (en: string, zh: string): CardField => ({ kind: 'date', label: { en, zh } });
const number = (en: string, zh: string): CardField => ({ kind: 'number', label: { en, zh } });

/**
 * CUS-3: the four groups of a customer archive, in the policy's words. CUS-4: distributor cards
 * (经销商客户档案卡) and terminal cards (终端客户档案卡) hold the same groups ([interpretation] the two
 * card forms the policy cites are not supplied).
 */
export const cardGroups = {
  basic: {
    label: { en: 'Basic data', zh: '客户基础资料' },
    fields: {
      name: text('Name', '名称'),
      address: text('Address', '地址'),
      phone: text('Phone', '电话'),
      managers: text('Managers (personality, hobbies, family, education, age, ability)', '经营管理者(性格、嗜好、家庭、学历、年龄、能力)'),
      legalRepresentative: text('Legal representative (personality, hobbies, family, education, age, ability)', '法人(性格、嗜好、家庭、学历、年龄、能力)'),
      foundedOn: date('Founded', '创业时间'),
      tradingSince: date('Trading with us since', '与本公司交易时间'),
      organisationForm: text('Organisation form', '企业组织形式'),
      industry: text('Industry', '业种'),
      assets: text('Assets', '资产'),
    },
  },
  characteristics: {
    label: { en: 'Characteristics', zh: '客户特征' },
    fields: {
      serviceArea: text('Service area', '服务区域'),
      salesCapacity: text('Sales capacity', '销售能力'),
      potential: text('Potential', '发展潜力'),
      businessPhilosophy: text('Business philosophy', '经营观念'),
      policies: text('Business policies', '经营方针与政策'),
      staffCount: number('Staff', '职工人数'),
      annualSales: number('Annual sales (yuan)', '销售额'),
      managementTraits: text('Management traits', '经营管理特点'),
    },
  },
  business: {
    label: { en: 'Business status', zh: '业务状况' },
    fields: {
      salesRecord: text('Current and past sales', '目前及以往的销售实绩'),
      staffQuality: text('Quality of managers and sales staff', '经营管理者和业务人员的素质'),
      competitorRelations: text('Relations with competitors', '与其他竞争公司的关系'),
      relationsWithUs: text('Relations and attitude to us', '与本公司的业务联系及合作态度'),
    },
  },
  trading: {
    label: { en: 'Trading activity', zh: '交易活动现状' },
    fields: {
      salesActivity: text('Sales activity', '客户的销售活动状况'),
      problems: text('Problems', '存在的问题'),
      strengths: text('Strengths', '保持的优势'),
      plans: text('Plans', '未来的对策'),
      reputation: text('Reputation and image', '企业信誉与形象'),
      credit: text('Credit standing', '信用状况'),
      tradingTerms: text('Trading terms', '交易条件'),
      creditHistory: text('Past credit problems', '以往出现的信用问题'),
    },
  },
} as const satisfies Record<string, { label: { en: string; zh: string }; fields: Record<string, CardField> }>;

export type CardGroup = keyof typeof cardGroups;
export type CardContent = { [G in CardGroup]?: { [F in keyof (typeof cardGroups)[G]['fields']]?: string | number | null } };

const fieldSchema = (field: CardField) =>
  field.kind === 'number'
    ? z.number().min(0).max(1e15).nullable().optional()
    : field.kind === 'date'
      ? z.iso.date().max(10).nullable().optional()
      : z.string().trim().max(4_000).nullable().optional();

/** A card's content: the four groups, each field optional (an empty field lowers completeness). */
export const cardContentSchema = z
  .object(
    Object.fromEntries(
      Object.entries(cardGroups).map(([group, { fields }]) => [
        group,
        z
          .object(Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, fieldSchema(field)])))
          .strict()
          .optional(),
      ]),
    ),
  )
  .strict();

const allFields = Object.entries(cardGroups).flatMap(([group, { fields }]) => Object.keys(fields).map((name) => [group, name] as const));

/** OVL-1: the fields of the company card format (the share of them a party wrote scores its archive). */
export const cardFieldCount = allFields.length;

function filled(content: CardContent, group: string, name: string): boolean {
  const value = (content as Record<string, Record<string, unknown> | undefined>)[group]?.[name];
  return value !== undefined && value !== null && value !== '';
}

/** The share of the company's card format that is filled in, 0 to 100 (OVL-1 scores archive completeness on it). */
export function completeness(content: CardContent): number {
  return Math.floor((100 * allFields.filter(([group, name]) => filled(content, group, name)).length) / allFields.length);
}

/** The fields whose value differs between two versions, as `group.field`. */
export function changedFields(before: CardContent, after: CardContent): string[] {
  const value = (content: CardContent, group: string, name: string) => (filled(content, group, name) ? (content as Record<string, Record<string, unknown>>)[group]![name] : null);
  return allFields.filter(([group, name]) => value(before, group, name) !== value(after, group, name)).map(([group, name]) => `${group}.${name}`);
}

/** CUS-5 / CRM-3: how a contact happened (拜访、接待、电话、短信、传真、电子邮件、网络). */
export const contactChannels = ['visit', 'reception', 'phone', 'sms', 'fax', 'email', 'web'] as const;

export const tiers = ['company', 'department', 'personal'] as const;
export type Tier = (typeof tiers)[number];

export interface ArchivedCustomer {
  id: string;
  name: string;
  departmentId: string;
  ownerId: string | null;
  companyLevel: boolean;
}

/** SEC-1: company level when the Marketing Director keeps it; personal while a salesperson owns or protects it; otherwise the department's. */
export function tierOf(customer: ArchivedCustomer): Tier {
  if (customer.companyLevel) return 'company';
  return customer.ownerId === null ? 'department' : 'personal';
}

export type StandingRight = 'owner' | 'department' | 'company';

/** SEC-1: the Marketing Director, the Marketing VP and the GM read company-level archives, and (as those answering for all sales archives, CUS-2) every other tier. */
export function readsCompanyArchives(user: User): boolean {
  return holdsRole(user.roles, ['marketing_director', 'marketing_vp', 'gm']);
}

/**
 * SEC-1: who reads a card without a viewing approval, and under which right. The salesperson
 * keeps their own customers' cards; the Department Manager keeps the department's, and its
 * salespeople read its pool; the company-level readers read all. Anyone else files a viewing
 * request (SEC-3).
 */
export function standingRight(user: User, customer: ArchivedCustomer): StandingRight | undefined {
  if (readsCompanyArchives(user)) return 'company';
  if (customer.companyLevel) return undefined;
  if (customer.ownerId === user.id) return 'owner';
  if (managesDepartment(user.roles, customer.departmentId)) return 'department';
  if (customer.ownerId === null && user.departmentId === customer.departmentId && holdsRole(user.roles, ['salesperson'])) return 'department';
  return undefined;
}

/**
 * SEC-4 (严禁擅自修改): who may change a card and record contacts with its customer: its keeper
 * (the Marketing Director at company level, the owner at personal level, the Department Manager
 * at department level) and, for a pool customer, the department's salespeople who serve it (CUS-5
 * obliges them to complete the card after each contact).
 */
export function keepsCard(user: User, customer: ArchivedCustomer): boolean {
  const tier = tierOf(customer);
  if (tier === 'company') return holdsRole(user.roles, ['marketing_director']);
  if (tier === 'personal') return customer.ownerId === user.id;
  return managesDepartment(user.roles, customer.departmentId) || (user.departmentId === customer.departmentId && holdsRole(user.roles, ['salesperson']));
}

/** HR supervises (CUS-2) and the Marketing Director answers for the archives: they read the record of views. */
export function readsViewLog(user: User): boolean {
  return holdsRole(user.roles, ['hr', 'marketing_director']);
}

export const customerArchiveSettings = {
  /** [interpretation] SEC-3 grants viewing for a time the policy does not give: 7 days. */
  viewGrantDays: 7,
  /** CUS-5: the day-end check runs just after midnight, for the day before (Asia/Shanghai). */
  upkeepCheckAt: { hour: 0, minute: 15 },
  /** CUS-5: incomplete cards are reminded on this day of each month, at 09:00. */
  incompleteReminderDay: 1,
} as const;

export const backupProcessKey = 'customers.backup';
export const deletionProcessKey = 'customers.archive-deletion';
export const deletionProcessId = (deletionId: string) => `customer-deletion-${deletionId}`;

/** SEC-4: what a deletion request names: the card, the contact records, or both. */
export const deletionScopes = ['card', 'contacts', 'all'] as const;
export type DeletionScope = (typeof deletionScopes)[number];

/**
 * SEC-4: who may ask to delete a customer's archive data: its keeper (SEC-1) or the Marketing
 * Director; the Marketing Director approves. Nobody deletes without that approval.
 */
export function mayRequestDeletion(user: User, customer: ArchivedCustomer): boolean {
  return keepsCard(user, customer) || holdsRole(user.roles, ['marketing_director']);
}

/** Who reads a deletion request: its requester, the Marketing Director, HR (CUS-2) and the GM. */
export function readsDeletion(user: User, requestedBy: string): boolean {
  return user.id === requestedBy || holdsRole(user.roles, ['marketing_director', 'hr', 'gm']);
}
export const viewRequestProcessKey = 'customers.view-request';
export const upkeepCheckProcessKey = 'customers.upkeep-check';
export const incompleteReminderProcessKey = 'customers.incomplete-cards';
export const viewRequestProcessId = (grantId: string) => `customer-view-${grantId}`;
