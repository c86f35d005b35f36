// Borrowing's application service (BOR-1..8): a request is stored with its audit row and the
// start of its process in one transaction; who sees a request; withdrawing it before the
// hand-over; the return as a message to its process. The only borrowing code that opens
// transactions or starts and messages processes.
import { randomUUID } from 'node:crypto';
import { insertAudit } from '../../platform/db/audit.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { cancelProcess, sendMessage, type EngineClient } from '../../engine/client.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { enqueueStart } from '../../engine/sql/outbox.ts';
import { isProcessParticipant } from '../../engine/sql/tasks.ts';
import { archiveService, hasArchiveRole, isArchivist } from '../archive/index.ts';
import {
  borrowProcessId,
  borrowRoute,
  cancellableStatuses,
  dueReminder,
  heldStatuses,
  type BorrowMode,
  type BorrowRequestStatus,
  type ReturnCondition,
} from './rules.ts';
import { findBorrowRequest, findBorrowRequestByKey, insertBorrowRequest, listBorrowRequests, type BorrowRequest, type BorrowRequestCursor } from './sql.ts';

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
    if (!(cancellableStatuses as readonly string[]).includes(request.status)) {
      throw new StateConflict('NOT_CANCELLABLE', `The request is ${request.status.replace('_', ' ')}; it can be withdrawn only before the hand-over.`);
    }
    try {
      await cancelProcess(engine, request.processId, user.id, reason);
    } catch (error) {
      // The process moved past the hand-over (or ended) since the status was read.
      if (error instanceof StateConflict) throw new StateConflict('NOT_CANCELLABLE', `The request can no longer be withdrawn: ${error.message}.`);
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
