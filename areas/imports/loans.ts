// Loans still out in the archive register (issue 21.2): the columns that name the borrower, the
// mode, the day lent and the day due, judged as a borrow request would be (BOR-3/4/5 through the
// borrowing area's borrowRoute). A valid loan is recorded with its document by the borrowing
// area (recordImportedLoan), which starts its process at the loan.
import { Temporal } from 'temporal-polyfill';
import { POLICY_TIME_ZONE } from '../../engine/definition/feel.ts';
import { PolicyViolation } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import { borrowRoute, type BorrowMode, type ImportedLoan } from '../borrowing/index.ts';
import { policyProblems, type RegisterRow, type RowProblem } from './rules.ts';

/** The loan columns of the archive register, read where the register has them. */
export const loanColumns = ['borrower', 'borrow_mode', 'borrowed_on', 'due_on'] as const;

const modeWords: Readonly<Record<string, BorrowMode>> = {
  loan: 'loan',
  借出: 'loan',
  外借: 'loan',
  借阅: 'loan',
  reading: 'reading',
  查阅: 'reading',
  调阅: 'reading',
  阅览: 'reading',
};

const cell = (row: RegisterRow, column: string): string | undefined => {
  const value = row[column]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/**
 * A register's day or moment, Asia/Shanghai: `2024-03-05`, `2024/3/5`, `2024年3月5日`, or with a time
 * (`2024-03-05 14:30`). A day alone is its start, or with `endOfDay` its end (a loan due on a day
 * may come back until that day is over).
 */
export function registerMoment(value: string, endOfDay: boolean): Date | undefined {
  const parts = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2}))?$/.exec(value);
  if (!parts) return undefined;
  try {
    const day = Temporal.PlainDate.from({ year: Number(parts[1]), month: Number(parts[2]), day: Number(parts[3]) }, { overflow: 'reject' });
    const time = parts[4] === undefined ? undefined : Temporal.PlainTime.from({ hour: Number(parts[4]), minute: Number(parts[5]) }, { overflow: 'reject' });
    const zoned = time ? day.toZonedDateTime({ timeZone: POLICY_TIME_ZONE, plainTime: time }) : day.toZonedDateTime(POLICY_TIME_ZONE);
    return new Date((time || !endOfDay ? zoned : zoned.add({ days: 1 })).epochMilliseconds);
  } catch {
    return undefined;
  }
}

/**
 * The loan a row records, if any of its loan columns is filled: its problems (row, field, what),
 * or the loan without its document (the import adds it). `now` decides nothing but that a loan
 * cannot begin in the future.
 */
export function judgeLoan(
  row: number,
  values: RegisterRow,
  document: { secrecy: SecrecyLevel },
  users: ReadonlyMap<string, User>,
  now: Date,
): Omit<ImportedLoan, 'documentId'> | RowProblem[] | undefined {
  if (loanColumns.every((column) => cell(values, column) === undefined)) return undefined;
  const problems: RowProblem[] = [];
  const borrowerId = cell(values, 'borrower');
  const borrower = borrowerId === undefined ? undefined : users.get(borrowerId);
  if (!borrower?.active) problems.push({ row, field: 'borrower', problem: borrowerId === undefined ? 'required for a loan still out' : `${borrowerId} is not an active user` });
  const modeText = cell(values, 'borrow_mode');
  const mode = modeText === undefined ? 'loan' : modeWords[modeText.toLowerCase()];
  if (mode === undefined) problems.push({ row, field: 'borrow_mode', problem: `${modeText} is neither loan 借出 nor reading 查阅` });
  const lentText = cell(values, 'borrowed_on');
  const dueText = cell(values, 'due_on');
  const lentAt = lentText === undefined ? undefined : registerMoment(lentText, false);
  const dueAt = dueText === undefined ? undefined : registerMoment(dueText, true);
  if (!lentAt) problems.push({ row, field: 'borrowed_on', problem: lentText === undefined ? 'required for a loan still out' : `${lentText} is not a date (2024-03-05, 2024/3/5, with a time 14:30 where it matters)` });
  else if (lentAt > now) problems.push({ row, field: 'borrowed_on', problem: 'a loan still out began in the past, not ahead' });
  if (!dueAt) problems.push({ row, field: 'due_on', problem: dueText === undefined ? 'required for a loan still out' : `${dueText} is not a date (2024-03-05, 2024/3/5, with a time 14:30 where it matters)` });
  else if (lentAt && dueAt <= lentAt) problems.push({ row, field: 'due_on', problem: 'due after the day it was lent' });
  if (problems.length > 0 || !borrower || !mode || !lentAt || !dueAt) return problems;
  // BOR-3/4/5 as for any request: no Top Secret, Confidential only read, Secret for at most 4 hours.
  const hours = document.secrecy === 'secret' ? (dueAt.getTime() - lentAt.getTime()) / 3_600_000 : undefined;
  const route = borrowRoute(borrower, document, mode, hours);
  if (route instanceof PolicyViolation) return policyProblems(row, route, route.ruleId === 'BOR-5' ? 'due_on' : 'borrow_mode');
  return { secrecy: document.secrecy, borrower, mode, lentAt, dueAt };
}
