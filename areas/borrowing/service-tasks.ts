// The borrowing processes' service tasks (domain/services/borrowing.ts). Each changes the
// register and writes its audit row in one transaction keyed by the service call, and each is
// guarded by the status it expects, so a retried call changes nothing twice.
import { ApplicationFailure } from '@temporalio/common';
import {
  changeBorrowStatus,
  findBorrowRequest,
  insertIncident,
  isSecondHolder,
  lockBorrowRequest,
  recordReturn,
  returnDocumentToShelf,
  startBorrowing,
  takeDocumentFromShelf,
  type LockedRequest,
} from './sql.ts';
import type { TransactionSql } from '../../platform/db/client.ts';
import { usersWithRole } from '../../platform/organisation/sql.ts';
import { borrowDueAt, cancellableStatuses, heldStatuses, type BorrowRequestStatus, type ReturnCondition } from './rules.ts';
import { borrowingServices } from './service-task-specs.ts';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import { typedServiceHandlers, type ServiceContext, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';

type HandOverResult = { handedOver: boolean; dueAt: string | null; reason: 'unavailable' | 'closed' | null };

/** The rule that set the request's due time: BOR-4 for a reading, BOR-5 for a Secret loan. */
function dueRule(request: Pick<LockedRequest, 'mode' | 'secrecy'>): string | null {
  if (request.mode === 'reading') return 'BOR-4';
  return request.secrecy === 'secret' ? 'BOR-5' : null;
}

export function borrowingServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof borrowingServices> {
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

  return typedServiceHandlers(borrowingServices, {
    async setBorrowDecision(input, context) {
      const { requestId, status } = input;
      await sql.begin(async (tx) => {
        const previous = await changeBorrowStatus(tx, requestId, ['pending'], status);
        if (previous) await audit(tx, context, { requestId, event: `borrow.${status}`, ruleId: input.ruleId, previous });
      });
      return {};
    },

    async handOverDocument(input, context) {
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

    async markBorrowOverdue(input, context) {
      const { requestId } = input;
      await sql.begin(async (tx) => {
        const request = await locked(tx, requestId);
        const previous = await changeBorrowStatus(tx, requestId, ['on_loan', 'in_reading'], 'overdue');
        if (previous) await audit(tx, context, { requestId, event: 'borrow.overdue', ruleId: dueRule(request), previous });
      });
      return {};
    },

    async recordBorrowReturn(input, context) {
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

    async cancelBorrowRequest(input, context) {
      const { requestId, reason } = input;
      await sql.begin(async (tx) => {
        const previous = await changeBorrowStatus(tx, requestId, cancellableStatuses, 'cancelled');
        if (previous) await audit(tx, context, { requestId, event: 'borrow.cancelled', actorId: input.actorId, previous, detail: reason ? { reason } : {} });
      });
      return {};
    },

    async openIncident({ requestId }, context) {
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
        kind: 'borrow.incident',
        text:
          `BOR-8 incident: ${request.document.reference} 《${request.document.title}》 came back ${request.returnCondition.replace('_', ' ')} ` +
          `from ${request.requesterId}.${request.returnNote ? ` Note: ${request.returnNote}` : ''}`,
        at: context.at,
      });
      return { incidentId: incident.id };
    },
  });
}
