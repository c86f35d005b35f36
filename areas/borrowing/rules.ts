// Borrowing archives 借阅 (BOR-1..8): which process a request runs, the limits it must respect,
// when a loan or a reading session is due, and the settings behind them. Pure: no I/O.
import { Temporal } from 'temporal-polyfill';
import { PolicyViolation } from '../../platform/errors.ts';
import { isExecutive, type RoleGrant } from '../../platform/organisation/model.ts';
import { POLICY_TIME_ZONE } from '../../engine/definition/feel.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';

/**
 * The company's settings for borrowing. Figures the policy states (BOR-5's 4 hours) sit here
 * beside the ones it leaves to the company ([interpretation] the others), so they read together.
 */
export const borrowingSettings = {
  /** BOR-5: a Secret archive is borrowed (a loan or a reading session) for no more than 4 hours. */
  secretBorrowMaxHours: 4,
  /** [interpretation] a non-classified loan lasts 7 days unless the request asks for less. */
  loanDefaultHours: 7 * 24,
  /** BOR-4 [interpretation]: a reading session ends when the archive room closes (Asia/Shanghai). */
  readingRoomClosesAt: '17:30',
  /** The borrower is reminded this long before a loan of at least `longLoanFromHours` is due... */
  longLoanReminder: 'P1D',
  longLoanFromHours: 48,
  /** ...and this long before anything shorter (a Secret loan, a reading session) is due. */
  shortLoanReminder: 'PT30M',
} as const;

export const borrowModes = ['loan', 'reading'] as const;
/** loan: the document leaves the archive room; reading: it is read inside it (BOR-4). */
export type BorrowMode = (typeof borrowModes)[number];

export const borrowRequestStatuses = [
  'pending',
  'approved',
  'on_loan',
  'in_reading',
  'overdue',
  'returned',
  'rejected',
  'cancelled',
  // the document was handed to someone else first: one document, one holder
  'unavailable',
] as const;
export type BorrowRequestStatus = (typeof borrowRequestStatuses)[number];

/** What an approver's decision makes of a pending request. */
export const borrowDecisions = ['approved', 'rejected'] as const satisfies readonly BorrowRequestStatus[];

/** While a request is in one of these states, the document is in the borrower's hands. */
export const heldStatuses = ['on_loan', 'in_reading', 'overdue'] as const satisfies readonly BorrowRequestStatus[];

/**
 * Statuses in which the requester may still cancel: nothing has been handed over. The process's
 * side of the same window is its definitions' cancellableAt (every task up to the hand-over).
 */
export const cancellableStatuses = ['pending', 'approved'] as const satisfies readonly BorrowRequestStatus[];

export const returnConditions = ['intact', 'damaged', 'missing_pages', 'lost'] as const;
/** BOR-8: what the Archivist finds when the document comes back; anything but intact opens an incident. */
export type ReturnCondition = (typeof returnConditions)[number];

/** The reminder offsets a definition may be started with (an enum input, so a definition checks them). */
export const dueReminders = [borrowingSettings.shortLoanReminder, borrowingSettings.longLoanReminder] as const;
export type DueReminder = (typeof dueReminders)[number];

/**
 * The process instance that runs a borrow request: `borrow-<id>`. The register stores it as a
 * generated column of the same form (0005_borrowing.sql), which a test holds to this function.
 */
export function borrowProcessId(requestId: string): string {
  return `borrow-${requestId}`;
}

/** The four approval routes, one process definition each. */
export const borrowProcessKeys = {
  /** BOR-1: executives borrow non-classified archives through the Archivist, no approver. */
  direct: 'archive.borrow.direct',
  /** BOR-2: the Department Manager applies, the Office Director approves. */
  department: 'archive.borrow.department',
  /** BOR-5/6: a Secret loan (or reading), approved by the GM or the Deputy GM in charge. */
  secret: 'archive.borrow.secret',
  /** BOR-4: a Confidential reading in the archive room, approved like a Secret loan. */
  confidential: 'archive.borrow.confidential',
} as const;
export type BorrowApproval = keyof typeof borrowProcessKeys;

/**
 * A loan still out in the archive register a company brings in (issue 21.2): its process starts
 * at the loan (archive.borrow.imported), so the return (BOR-8), the due reminder and the recovery
 * of an overdue document run as for a loan handed over here. No approval: it was lent before.
 */
export const importedLoanProcessKey = 'archive.borrow.imported';

export interface BorrowRoute {
  approval: BorrowApproval;
  processKey: (typeof borrowProcessKeys)[BorrowApproval];
  /** The rules that chose this route. */
  ruleIds: string[];
}

/**
 * The one place that decides how a request runs: the process for this requester and this
 * document, or the rule that refuses it. Checked in the order a reader of the policy would:
 * what may never be accessed, how it may be accessed, for how long, then who approves.
 */
export function borrowRoute(
  requester: { roles: readonly Pick<RoleGrant, 'role'>[] },
  document: { secrecy: SecrecyLevel },
  mode: BorrowMode,
  hours: number | undefined,
): BorrowRoute | PolicyViolation {
  const route = (approval: BorrowApproval, ...ruleIds: string[]): BorrowRoute => ({ approval, processKey: borrowProcessKeys[approval], ruleIds });
  switch (document.secrecy) {
    case 'top_secret':
      return new PolicyViolation('TOP_SECRET_NOT_BORROWABLE', 'BOR-3', 'Top Secret 绝密 archives may not be accessed at all.');
    case 'confidential':
      if (mode !== 'reading') {
        return new PolicyViolation('CONFIDENTIAL_READING_ONLY', 'BOR-4', 'Confidential 机密 archives are only read inside the archive room; they are never lent out.');
      }
      return route('confidential', 'BOR-4');
    case 'secret': {
      // BOR-5: 借阅时间不得超过4小时 covers every 借阅, a reading session as much as a loan.
      const max = borrowingSettings.secretBorrowMaxHours;
      if (mode === 'loan' && hours === undefined) return new PolicyViolation('SECRET_LOAN_HOURS_REQUIRED', 'BOR-5', `A Secret 秘密 loan states its length in hours, at most ${max}.`);
      if (hours !== undefined && hours > max) {
        return new PolicyViolation('SECRET_BORROW_TOO_LONG', 'BOR-5', `A Secret 秘密 archive is borrowed (lent or read) for at most ${max} hours, not ${hours}.`);
      }
      return route('secret', 'BOR-5', 'BOR-6');
    }
    case 'none':
      if (mode === 'loan' && hours !== undefined && hours > borrowingSettings.loanDefaultHours) {
        // A company setting, not a rule of the policy: no rule ID.
        return new PolicyViolation('LOAN_TOO_LONG', undefined, `A loan lasts at most ${borrowingSettings.loanDefaultHours} hours.`);
      }
      return isExecutive(requester.roles) ? route('direct', 'BOR-1') : route('department', 'BOR-2');
  }
}

/**
 * When a loan or reading session handed over at `handedOverAt` is due back, or `closed` when a
 * reading is handed over once the archive room has closed for the day (BOR-4: a session never
 * outlasts the working day; the Archivist hands it over on the next one). A Secret reading
 * that names no length still ends after 4 hours (BOR-5).
 */
export function borrowDueAt(request: { secrecy: SecrecyLevel; mode: BorrowMode; hours: number | null }, handedOverAt: number): number | 'closed' {
  const after = (hours: number) => handedOverAt + hours * 3_600_000;
  const hours = request.hours ?? (request.secrecy === 'secret' ? borrowingSettings.secretBorrowMaxHours : null);
  if (request.mode === 'reading') {
    const closes = readingRoomClosesOn(handedOverAt);
    if (handedOverAt >= closes) return 'closed';
    return hours === null ? closes : Math.min(after(hours), closes);
  }
  return after(hours ?? borrowingSettings.loanDefaultHours);
}

/** BOR-4: the closing time of the archive room on the day (Asia/Shanghai) of `at`. */
export function readingRoomClosesOn(at: number): number {
  const day = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(POLICY_TIME_ZONE);
  return day.withPlainTime(Temporal.PlainTime.from(borrowingSettings.readingRoomClosesAt)).epochMilliseconds;
}

/** How long before the due time the borrower is reminded: a day for long loans, half an hour otherwise. */
export function dueReminder(request: { secrecy: SecrecyLevel; mode: BorrowMode; hours: number | undefined }): DueReminder {
  const long = request.mode === 'loan' && request.secrecy === 'none' && (request.hours ?? borrowingSettings.loanDefaultHours) >= borrowingSettings.longLoanFromHours;
  return long ? borrowingSettings.longLoanReminder : borrowingSettings.shortLoanReminder;
}

// Who may know a document is the archive's rule; borrowing reads it through the archive's index.
export { mayKnowDocument } from '../archive/index.ts';
