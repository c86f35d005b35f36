// Importing existing registers (issue 21.2): the columns of the archive register and of the
// customer list, and how a row's text becomes the input of the single-record POSTs, whose own
// schemas then judge it. Pure: no I/O.
import { documentCategories } from '../archive/index.ts';
import { cardTypeLabels } from '../customers/index.ts';
import type { PolicyViolation } from '../../platform/errors.ts';
import type { Role, User } from '../../platform/organisation/model.ts';
import { secrecyLabels } from '../../platform/organisation/secrecy.ts';

export const importKinds = ['documents', 'customers'] as const;
export type ImportKind = (typeof importKinds)[number];

/** One thing wrong with one row: its number in the file (the header is row 1), the column, what. */
export interface RowProblem {
  row: number;
  field: string;
  problem: string;
}

/** A row as read: column name (api/messages.ts columnOfHeader) to its text, trimmed. */
export type RegisterRow = Record<string, string | undefined>;

/** The columns each register must have; the others are read where they exist. */
export const requiredColumns: Readonly<Record<ImportKind, readonly string[]>> = {
  documents: ['reference', 'title', 'category', 'secrecy', 'department', 'original', 'location'],
  customers: ['reference', 'name', 'card_type', 'city', 'region', 'department'],
};

export const optionalColumns: Readonly<Record<ImportKind, readonly string[]>> = {
  // and a loan still out: borrower, borrow_mode, borrowed_on, due_on (loans.ts)
  documents: ['retention', 'archived_on'],
  // and the card's parts, field by field (cards.ts)
  customers: ['owner'],
};

/** Which register column a field of the record schemas comes from, for the per-row report. */
export const columnOfField: Readonly<Record<string, string>> = {
  reference: 'reference',
  title: 'title',
  category: 'category',
  secrecy: 'secrecy',
  departmentId: 'department',
  original: 'original',
  retention: 'retention',
  archivedOn: 'archived_on',
  location: 'location',
  name: 'name',
  cardType: 'card_type',
  city: 'city',
  region: 'region',
  ownerId: 'owner',
};

const text = (row: RegisterRow, column: string): string | undefined => {
  const value = row[column]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** An id given as itself or as its English or Chinese label (registers are kept in Chinese). */
function byLabel(value: string | undefined, labels: Readonly<Record<string, { en: string; zh: string }>>): string | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  const found = Object.entries(labels).find(([id, label]) => id === lower || label.en.toLowerCase() === lower || label.zh === value);
  return found ? found[0] : value;
}

const yes = new Set(['true', 'yes', 'y', '1', 'original', '是', '原件', '正本']);
const no = new Set(['false', 'no', 'n', '0', 'copy', '否', '复印件', '副本']);

/** A yes/no cell; anything else is passed on as it is, for the schema to refuse. */
function yesNo(value: string | undefined): boolean | string | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  return yes.has(lower) ? true : no.has(lower) ? false : value;
}

/** `permanent` 永久, or a number of years (`30`, `30年`). */
function retention(value: string | undefined): 'permanent' | number | string | undefined {
  if (value === undefined) return undefined;
  if (['permanent', '永久', '长期'].includes(value.toLowerCase())) return 'permanent';
  const years = /^(\d{1,3})\s*(年|years?)?$/i.exec(value);
  return years ? Number(years[1]) : value;
}

/** A date as YYYY-MM-DD: also 2024/3/5 and 2024.03.05 as registers write them. */
function date(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parts = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(value);
  return parts ? `${parts[1]}-${parts[2]!.padStart(2, '0')}-${parts[3]!.padStart(2, '0')}` : value;
}

/** An archive register row as the input of POST /api/v1/documents (NewArchiveDocument), department as written. */
export function documentInput(row: RegisterRow): Record<string, unknown> {
  return {
    reference: text(row, 'reference'),
    title: text(row, 'title'),
    category: byLabel(text(row, 'category'), documentCategories),
    secrecy: byLabel(text(row, 'secrecy'), secrecyLabels),
    departmentId: text(row, 'department'),
    original: yesNo(text(row, 'original')),
    retention: retention(text(row, 'retention')),
    archivedOn: date(text(row, 'archived_on')),
    location: text(row, 'location'),
  };
}

const cardNames = Object.fromEntries(Object.entries(cardTypeLabels).map(([id, label]) => [id, label.card])) as Record<string, { en: string; zh: string }>;

/** A customer list row as the input of POST /api/v1/customers (NewCustomer), and what the list adds. */
export function customerInput(row: RegisterRow): { card: Record<string, unknown>; reference: string | undefined; department: string | undefined; owner: string | undefined } {
  const cardType = byLabel(byLabel(text(row, 'card_type'), cardTypeLabels), cardNames);
  return {
    card: { name: text(row, 'name'), cardType, city: text(row, 'city'), region: text(row, 'region') },
    reference: text(row, 'reference'),
    department: text(row, 'department'),
    owner: text(row, 'owner'),
  };
}

/** Departments may be named by id or by either name. */
export function departmentIdOf(value: string | undefined, departments: readonly { id: string; name: string; nameZh: string }[]): string | undefined {
  if (value === undefined) return undefined;
  return departments.find((d) => d.id === value || d.name.toLowerCase() === value.toLowerCase() || d.nameZh === value)?.id;
}

/**
 * [interpretation] Who brings a register in: the archive register is registration, so the
 * Archivist (ARC-2); the customer list is the company's customer archive as a whole, which the GM,
 * the Marketing Director and the Marketing VP oversee (SEC-1), so one of them.
 */
export const customerImporters: readonly Role[] = ['gm', 'marketing_director', 'marketing_vp'];

export function mayImport(kind: ImportKind, user: Pick<User, 'roles'>): boolean {
  const allowed: readonly Role[] = kind === 'documents' ? ['archivist'] : customerImporters;
  return user.roles.some((grant) => allowed.includes(grant.role));
}

/** A refusal of the domain's, as the rows' problems. */
export function policyProblems(row: number, error: PolicyViolation, fallbackField: string): RowProblem[] {
  const reason = `${error.code}${error.ruleId ? ` (${error.ruleId})` : ''}: ${error.message}`;
  return (error.errors?.length ? error.errors : [{ path: fallbackField, message: '' }]).map((e) => ({ row, field: columnOfField[e.path] ?? e.path, problem: reason }));
}

export { date as registerDate };
