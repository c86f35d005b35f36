// Borrowing's application service (BOR-1..8): a request is stored with its audit row and the
// start of its process in one transaction; who sees a request; withdrawing it before the
// hand-over; the return as a message to its process; and the steps the processes take in the
// register (borrowingSteps, behind the service tasks). The only borrowing code that opens
// transactions or starts and messages processes.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { usersWithRole } from '../../platform/organisation/sql.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import type { FormValue, ServiceContext } from '../../engine/activities/services.ts';
import { cancelProcess, sendMessage, type EngineClient } from '../../engine/client.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { enqueueStart } from '../../engine/sql/outbox.ts';
import { isProcessParticipant } from '../../engine/sql/tasks.ts';
import { archiveService, hasArchiveRole, isArchivist } from '../archive/index.ts';
import {
  borrowDueAt,
  borrowProcessId,
  borrowRoute,
  cancellableStatuses,
  dueReminder,
  heldStatuses,
  importedLoanProcessKey,
  type BorrowMode,
  type BorrowRequestStatus,
  type ReturnCondition,
} from './rules.ts';
import type { borrowingServices } from './service-task-specs.ts';
import {
  changeBorrowStatus,
  findBorrowRequest,
  findBorrowRequestByKey,
  insertBorrowRequest,
  insertImportedLoan,
  insertIncident,
  isSecondHolder,
  listBorrowRequests,
  lockBorrowRequest,
  recordReturn,
  returnDocumentToShelf,
  startBorrowing,
  takeDocumentFromShelf,
  type BorrowRequest,
  type BorrowRequestCursor,
  type LockedRequest,
} from './sql.ts';

export type { BorrowRequest, BorrowRequestCursor };

export interface NewBorrowing {
  documentId: string;
  mode: BorrowMode;
  hours?: number | undefined;
  purpose: string;
}

export interface BorrowRequestFilter {
  status?: BorrowRequestStatus | undefined;
  documentId?: string | undefined;
  limit: number;
  after?: BorrowRequestCursor | undefined;
}

/** Whether a stored request is what this submission asks for (a retry with its Idempotency-Key). */
function sameBorrowing(earlier: BorrowRequest, body: NewBorrowing): boolean {
  return earlier.documentId === body.documentId && earlier.mode === body.mode && earlier.hours === (body.hours ?? null) && earlier.purpose === body.purpose;
}

export function borrowingService(deps: { sql: Sql; engine: EngineClient; outbox: ProcessOutbox }) {
  const { sql, engine, outbox } = deps;
  const archive = archiveService(sql);

  /** What starts the request's process: queued in the transaction that stores the request. */
  const queueProcessOf = (tx: TransactionSql, request: BorrowRequest, user: User) =>
    enqueueStart(tx, {
      key: request.processKey,
      processId: request.processId,
      initiator: { id: user.id, departmentId: request.requesterDepartmentId },
      variables: {
        requestId: request.id,
        documentId: request.documentId,
        secrecy: request.document.secrecy,
        mode: request.mode,
        reminderBefore: dueReminder({ secrecy: request.document.secrecy, mode: request.mode, hours: request.hours ?? undefined }),
      },
      summary: `借阅 ${request.document.title} — ${user.displayNameZh}`,
    });

  /**
   * The request, if the user may see it: the requester, whoever is or was asked to decide one of
   * its tasks, and those with a role in the archive; the same 404 for anyone else.
   */
  async function visibleRequest(user: User, id: string): Promise<BorrowRequest> {
    const request = await findBorrowRequest(sql, id);
    const visible =
      request !== undefined && (request.requesterId === user.id || hasArchiveRole(user.roles) || (await isProcessParticipant(sql, request.processId, user.id)));
    if (!visible) throw new NotFound('BORROW_REQUEST_NOT_FOUND', `No borrow request ${id}.`);
    return request;
  }

  /**
   * Asks to borrow a document: the route follows from the requester and the document (borrowRoute),
   * refusals write nothing. A retry with the same Idempotency-Key answers with the first request:
   * `replayed` when it was found before anything was checked, `created` false when a concurrent
   * retry stored it first.
   */
  async function requestToBorrow(user: User, body: NewBorrowing, idempotencyKey: string | undefined): Promise<{ request: BorrowRequest; created: boolean; replayed: boolean }> {
    if (idempotencyKey !== undefined) {
      const earlier = await findBorrowRequestByKey(sql, user.id, idempotencyKey);
      if (earlier) {
        if (!sameBorrowing(earlier, body)) throw new PolicyViolation('IDEMPOTENCY_KEY_REUSED', undefined, 'This Idempotency-Key was used for a different request.');
        await outbox.deliver([earlier.processId]);
        return { request: earlier, created: false, replayed: true };
      }
    }

    const document = await archive.visibleDocument(user, body.documentId);
    const route = borrowRoute(user, document, body.mode, body.hours);
    if (route instanceof PolicyViolation) throw route;
    if (document.status !== 'in_archive') {
      throw new StateConflict('DOCUMENT_UNAVAILABLE', `Document ${document.reference} is ${document.status.replace('_', ' ')}; ask again once it is back in the archive.`);
    }

    const id = randomUUID();
    const stored = await sql.begin(async (tx) => {
      const inserted = await insertBorrowRequest(tx, {
        id,
        processKey: route.processKey,
        documentId: document.id,
        requesterId: user.id,
        requesterDepartmentId: user.departmentId,
        mode: body.mode,
        hours: body.hours ?? null,
        purpose: body.purpose,
        idempotencyKey: idempotencyKey ?? null,
      });
      if (inserted.created) {
        await insertAudit(tx, [
          {
            key: `${borrowProcessId(id)}:requested`,
            at: Date.now(),
            processId: inserted.request.processId,
            event: 'borrow.pending',
            actorId: user.id,
            ruleId: route.ruleIds[0] ?? null,
            detail: { requestId: id, documentId: document.id, mode: body.mode, hours: body.hours ?? null, route: route.approval, ruleIds: route.ruleIds },
          },
        ]);
        await queueProcessOf(tx, inserted.request, user);
      }
      return inserted;
    });
    await outbox.deliver([stored.request.processId]);
    return { ...stored, replayed: false };
  }

  /** My own requests; every request for those with a role in the archive ([interpretation]). */
  function listRequests(user: User, filter: BorrowRequestFilter) {
    return listBorrowRequests(sql, { ...filter, requesterId: hasArchiveRole(user.roles) ? undefined : user.id });
  }

  /** The requester withdraws a request before the hand-over; the process records the cancellation. */
  async function withdrawRequest(user: User, id: string, reason: string | undefined): Promise<BorrowRequest> {
    const request = await visibleRequest(user, id);
    if (request.requesterId !== user.id) throw new Forbidden('NOT_THE_REQUESTER', 'Only the requester may withdraw a borrow request.');
    // Withdrawn already: a retry (e.g. after a 503 whose cancel reached the process anyway) answers
    // with the request as it stands, so a repeated withdrawal is safe.
    if (request.status === 'cancelled') return request;
    if (!(cancellableStatuses as readonly string[]).includes(request.status)) {
      throw new StateConflict('NOT_CANCELLABLE', `The request is ${request.status.replace('_', ' ')}; it can be withdrawn only before the hand-over.`);
    }
    try {
      await cancelProcess(engine, request.processId, user.id, reason);
    } catch (error) {
      // The process moved past the hand-over (or ended) since the status was read.
      if (error instanceof StateConflict) {
        const now = (await findBorrowRequest(sql, request.id))!;
        if (now.status === 'cancelled') return now;
        throw new StateConflict('NOT_CANCELLABLE', `The request can no longer be withdrawn: ${error.message}.`);
      }
      throw error;
    }
    // The process wrote the cancellation (its onCancel service) before the update answered.
    return (await findBorrowRequest(sql, request.id))!;
  }

  /** BOR-8: the Archivist takes the document back; the process records the return. */
  async function takeBack(user: User, id: string, check: { condition: ReturnCondition; note?: string | undefined }): Promise<BorrowRequest> {
    if (!isArchivist(user.roles)) throw new Forbidden('ARCHIVIST_ONLY', 'Only the Archivist takes documents back and checks them.', 'BOR-8');
    const request = await visibleRequest(user, id);
    if (!(heldStatuses as readonly string[]).includes(request.status)) {
      throw new StateConflict('NOT_ON_LOAN', `The request is ${request.status.replace('_', ' ')}: the document is not out on it.`);
    }
    // One return per request: a repeated call is the same message, which the process takes once.
    await sendMessage(engine, request.processId, { id: `returned:${request.id}`, name: 'returned', payload: { condition: check.condition, note: check.note ?? '' }, actorId: user.id });
    return request;
  }

  return { visibleRequest, requestToBorrow, listRequests, withdrawRequest, takeBack };
}

export type BorrowingService = ReturnType<typeof borrowingService>;

type HandOverResult = { handedOver: boolean; dueAt: string | null; reason: 'unavailable' | 'closed' | null };

/** The rule that set the request's due time: BOR-4 for a reading, BOR-5 for a Secret loan. */
function dueRule(request: Pick<LockedRequest, 'mode' | 'secrecy'>): string | null {
  if (request.mode === 'reading') return 'BOR-4';
  return request.secrecy === 'secret' ? 'BOR-5' : null;
}

/** A borrowing service's input, as its spec (service-task-specs.ts) types it. */
type StepInput<Name extends keyof typeof borrowingServices> = FormValue<(typeof borrowingServices)[Name]['input']>;

/**
 * The steps the borrowing processes take in the register, one per service task (named as the
 * services are). Each changes the register and writes its audit row in one transaction keyed by
 * the service call, and each is guarded by the status it expects, so a retried call changes
 * nothing twice.
 */
export function borrowingSteps(sql: Sql) {
  /** One audit row per service call: a status change of a request, citing the rule behind it. */
  const audit = (
    tx: TransactionSql,
    context: ServiceContext,
    change: { requestId: string; event: string; actorId?: string; ruleId?: string | null; previous?: BorrowRequestStatus; detail?: Record<string, unknown> },
  ) =>
    insertAudit(tx, [
      {
        key: context.key,
        at: context.at,
        processId: context.processId,
        event: change.event,
        actorId: change.actorId ?? null,
        ruleId: change.ruleId ?? null,
        detail: { requestId: change.requestId, ...(change.previous ? { previous: change.previous } : {}), ...change.detail },
      },
    ]);

  const locked = async (tx: TransactionSql, requestId: string): Promise<LockedRequest> => {
    const request = await lockBorrowRequest(tx, requestId);
    // The process is started after its request is stored: a missing one is a defect, not a fault to retry.
    if (!request) throw ApplicationFailure.nonRetryable(`no borrow request ${requestId}`, 'BORROW_REQUEST_NOT_FOUND');
    return request;
  };

  /** The request lost the document to another holder: it ends `unavailable`. */
  const markUnavailable = (requestId: string, context: ServiceContext): Promise<HandOverResult> =>
    sql.begin(async (tx) => {
      const previous = await changeBorrowStatus(tx, requestId, ['approved'], 'unavailable');
      if (previous) await audit(tx, context, { requestId, event: 'borrow.unavailable', previous, detail: { reason: 'the document is held by another borrower' } });
      return { handedOver: false, dueAt: null, reason: 'unavailable' };
    });

  return {
    async setBorrowDecision(input: StepInput<'setBorrowDecision'>, context: ServiceContext) {
      const { requestId, status } = input;
      await sql.begin(async (tx) => {
        const previous = await changeBorrowStatus(tx, requestId, ['pending'], status);
        if (previous) await audit(tx, context, { requestId, event: `borrow.${status}`, ruleId: input.ruleId, previous });
      });
      return {};
    },

    async handOverDocument(input: StepInput<'handOverDocument'>, context: ServiceContext) {
      const { requestId } = input;
      try {
        return await sql.begin(async (tx): Promise<HandOverResult> => {
          const request = await locked(tx, requestId);
          // A retry after the hand-over committed: answer as the first call did.
          if ((heldStatuses as readonly string[]).includes(request.status) || request.status === 'returned') {
            return { handedOver: true, dueAt: request.dueAt!.toISOString(), reason: null };
          }
          if (request.status !== 'approved') return { handedOver: false, dueAt: null, reason: 'unavailable' };
          const due = borrowDueAt(request, context.at);
          if (due === 'closed') return { handedOver: false, dueAt: null, reason: 'closed' };
          if (!(await takeDocumentFromShelf(tx, request.documentId, request.mode))) {
            const previous = await changeBorrowStatus(tx, requestId, ['approved'], 'unavailable');
            if (previous) await audit(tx, context, { requestId, event: 'borrow.unavailable', previous, detail: { reason: 'the document is not on the shelf' } });
            return { handedOver: false, dueAt: null, reason: 'unavailable' };
          }
          await startBorrowing(tx, request, { by: input.archivistId, at: new Date(context.at), dueAt: new Date(due) });
          await audit(tx, context, {
            requestId,
            event: request.mode === 'loan' ? 'borrow.on_loan' : 'borrow.in_reading',
            ruleId: dueRule(request),
            previous: 'approved',
            detail: { handedOverBy: input.archivistId, dueAt: new Date(due).toISOString() },
          });
          return { handedOver: true, dueAt: new Date(due).toISOString(), reason: null };
        });
      } catch (error) {
        // One document, one holder: the database refused a second holder that slipped past the shelf check.
        if (isSecondHolder(error)) return markUnavailable(requestId, context);
        throw error;
      }
    },

    async resumeImportedLoan({ requestId }: StepInput<'resumeImportedLoan'>) {
      const request = await findBorrowRequest(sql, requestId);
      if (!request?.dueAt || !(heldStatuses as readonly string[]).includes(request.status)) {
        throw ApplicationFailure.nonRetryable(`borrow request ${requestId} is not an imported loan still out`, 'NOT_ON_LOAN');
      }
      return { dueAt: request.dueAt.toISOString(), overdue: request.status === 'overdue' };
    },

    async markBorrowOverdue(input: StepInput<'markBorrowOverdue'>, context: ServiceContext) {
      const { requestId } = input;
      await sql.begin(async (tx) => {
        const request = await locked(tx, requestId);
        const previous = await changeBorrowStatus(tx, requestId, ['on_loan', 'in_reading'], 'overdue');
        if (previous) await audit(tx, context, { requestId, event: 'borrow.overdue', ruleId: dueRule(request), previous });
      });
      return {};
    },

    async recordBorrowReturn(input: StepInput<'recordBorrowReturn'>, context: ServiceContext) {
      const { requestId, condition, note } = input;
      return sql.begin(async (tx) => {
        const request = await locked(tx, requestId);
        if (request.status === 'returned') return { intact: request.returnCondition === 'intact' };
        if (!(heldStatuses as readonly string[]).includes(request.status)) {
          throw ApplicationFailure.nonRetryable(`borrow request ${requestId} is ${request.status}, not out of the archive`, 'NOT_ON_LOAN');
        }
        await recordReturn(tx, requestId, { at: new Date(context.at), condition, note });
        // A lost document is not back: it stays off the shelf, and the incident says why (BOR-8).
        if (condition !== 'lost') await returnDocumentToShelf(tx, request.documentId);
        await audit(tx, context, { requestId, event: 'borrow.returned', ruleId: 'BOR-8', previous: request.status, detail: { condition, note } });
        return { intact: condition === 'intact' };
      });
    },

    async cancelBorrowRequest(input: StepInput<'cancelBorrowRequest'>, context: ServiceContext) {
      const { requestId, reason } = input;
      await sql.begin(async (tx) => {
        const previous = await changeBorrowStatus(tx, requestId, cancellableStatuses, 'cancelled');
        if (previous) await audit(tx, context, { requestId, event: 'borrow.cancelled', actorId: input.actorId, previous, detail: reason ? { reason } : {} });
      });
      return {};
    },

    async openIncident({ requestId }: StepInput<'openIncident'>, context: ServiceContext) {
      const request = await findBorrowRequest(sql, requestId);
      if (!request?.returnCondition || request.returnCondition === 'intact') {
        throw ApplicationFailure.nonRetryable(`borrow request ${requestId} has no return that needs an incident`, 'NO_INCIDENT');
      }
      const officeDirectors = (await usersWithRole(sql, 'office_director')).map((user) => user.id);
      const incident = await sql.begin(async (tx) => {
        const opened = await insertIncident(tx, {
          id: `incident-${requestId}`,
          requestId,
          documentId: request.documentId,
          borrowerId: request.requesterId,
          condition: request.returnCondition as Exclude<ReturnCondition, 'intact'>,
          note: request.returnNote ?? '',
          openedAt: new Date(context.at),
        });
        if (opened.created) {
          await audit(tx, context, {
            requestId,
            event: 'borrow.incident_opened',
            ruleId: 'BOR-8',
            detail: { incidentId: opened.id, borrowerId: request.requesterId, condition: request.returnCondition, reportedTo: officeDirectors },
          });
        }
        return opened;
      });
      await insertNotices(sql, {
        key: context.key,
        processId: context.processId,
        userIds: officeDirectors,
        ...notice('borrow.incident', {
          reference: request.document.reference,
          title: request.document.title,
          condition: request.returnCondition,
          borrowerId: request.requesterId,
          note: request.returnNote ?? '',
        }),
        at: context.at,
      });
      return { incidentId: incident.id };
    },
  };
}

/** A loan still out in the archive register being imported (issue 21.2), judged by the import. */
export interface ImportedLoan {
  documentId: string;
  secrecy: SecrecyLevel;
  borrower: Pick<User, 'id' | 'departmentId'>;
  mode: BorrowMode;
  lentAt: Date;
  dueAt: Date;
}

/**
 * Records an imported loan in the transaction that registers its document: the document leaves
 * the shelf, the borrow request stands as the register had it (on loan or in reading, overdue once
 * its due time has passed), the record is audited as imported, and its process
 * (archive.borrow.imported) is queued in the process outbox, to start at the loan. Returns the
 * process to deliver once the transaction commits.
 */
export async function recordImportedLoan(tx: TransactionSql, loan: ImportedLoan, by: { actorId: string; importId: string; reference: string; at: Date }): Promise<string> {
  const id = randomUUID();
  const processId = borrowProcessId(id);
  const hours = loan.secrecy === 'secret' ? (loan.dueAt.getTime() - loan.lentAt.getTime()) / 3_600_000 : null;
  const status = loan.dueAt <= by.at ? 'overdue' : loan.mode === 'loan' ? 'on_loan' : 'in_reading';
  await takeDocumentFromShelf(tx, loan.documentId, loan.mode);
  await insertImportedLoan(tx, {
    id,
    processKey: importedLoanProcessKey,
    documentId: loan.documentId,
    requesterId: loan.borrower.id,
    requesterDepartmentId: loan.borrower.departmentId,
    mode: loan.mode,
    hours,
    purpose: `Imported from the archive register (import ${by.importId})`,
    status,
    handedOverAt: loan.lentAt,
    handedOverBy: by.actorId,
    dueAt: loan.dueAt,
  });
  await insertAudit(tx, [
    {
      key: `import:${by.importId}:${by.reference}:loan`,
      at: by.at.getTime(),
      processId,
      event: 'borrow.imported',
      actorId: by.actorId,
      detail: { importId: by.importId, requestId: id, documentId: loan.documentId, borrowerId: loan.borrower.id, mode: loan.mode, status, lentAt: loan.lentAt.toISOString(), dueAt: loan.dueAt.toISOString() },
    },
  ]);
  await enqueueStart(tx, {
    key: importedLoanProcessKey,
    processId,
    initiator: { id: loan.borrower.id, departmentId: loan.borrower.departmentId },
    variables: {
      requestId: id,
      documentId: loan.documentId,
      secrecy: loan.secrecy,
      mode: loan.mode,
      reminderBefore: dueReminder({ secrecy: loan.secrecy, mode: loan.mode, hours: hours ?? undefined }),
    },
    summary: `借阅（导入） ${by.reference} — ${loan.borrower.id}`,
  });
  return processId;
}
