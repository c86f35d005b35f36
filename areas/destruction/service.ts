// The application service of retention and destruction (DES-1..5): the only code of the area that
// opens transactions and starts or messages processes. Routes and service tasks call it; it
// applies the rules (rules.ts) and writes through the SQL (sql.ts) inside its transactions.
import { randomUUID } from 'node:crypto';
import { insertAudit } from '../../platform/db/audit.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import { demand } from '../../platform/access.ts';
import { destructionFilers, destructionVerifiers, destructionViewers, holdKeepers, registerReaders, retentionReviewers } from './access.ts';
import type { User } from '../../platform/organisation/model.ts';
import { enqueueMessage, enqueueStart } from '../../engine/sql/outbox.ts';
import { mayKnowDocument } from '../archive/index.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import {
  findDestructionRequest,
  findHold,
  insertDestructionRequest,
  insertHold,
  listRegister,
  lockCandidates,
  lockDocumentHolds,
  lockDocumentStatus,
  lockRequest,
  markVerified,
  pastRetention,
  pendingItemHolds,
  pendingItems,
  pendingRequestOf,
  recordDestructionDecision,
  registeredExecution,
  rejectRequest,
  releaseHold,
  requestIdForKey,
  returnToReview,
  startVerification,
  supervisorFacts,
  approveWithSupervisors,
  writeRegisterEntry,
  type CandidateDocument,
  type DestructionRequest,
  type Hold,
  type RegisterEntry,
} from './sql.ts';
import {
  approversOf,
  checkFiling,
  checkHoldable,
  destructionBlocker,
  destructionProcessId,
  destructionProcessKey,
  destructionSettings,
  executionSummary,
  highestSecrecy,
  needsGmApproval,
  policyDate,
  registerRecord,
  supervisorDesignationProblem,
  verificationMismatch,
  type ExecutionResult,
} from './rules.ts';

export type { DestructionRequest, Hold, RegisterEntry } from './sql.ts';

export interface DestructionDeps {
  sql: Sql;
  outbox: ProcessOutbox;
}

// ------------------------------------------------------------------ holds

/**
 * Places a hold, the document's row locked first (see lockDocumentStatus). Undefined when there
 * is no such document; 409 when it is destroyed already.
 */
export async function placeHold(
  sql: Sql,
  hold: { id: string; documentId: string; reason: string; placedBy: string },
): Promise<{ hold: Hold; destructionRequestId: string | null } | undefined> {
  return sql.begin(async (tx) => {
    const status = await lockDocumentStatus(tx, hold.documentId);
    if (status === undefined) return undefined;
    checkHoldable(hold.documentId, status);
    const placed = await insertHold(tx, hold);
    const destructionRequestId = await pendingRequestOf(tx, hold.documentId);
    await auditHold(tx, placed, 'placed', { reason: hold.reason, destructionRequestId });
    return { hold: placed, destructionRequestId };
  });
}

/** DES-2: placing and releasing a hold changes what may be destroyed, so the audit trail records both. */
async function auditHold(tx: TransactionSql, hold: Hold, change: 'placed' | 'released', detail: Record<string, unknown>): Promise<void> {
  await insertAudit(tx, [
    {
      key: `${hold.id}:${change}`,
      at: (change === 'placed' ? hold.placedAt : hold.releasedAt!).getTime(),
      processId: null,
      event: `hold.${change}`,
      actorId: change === 'placed' ? hold.placedBy : hold.releasedBy,
      ruleId: 'DES-2',
      detail: { holdId: hold.id, documentId: hold.documentId, ...detail },
    },
  ]);
}

/** The Office Director holds a document: it cannot enter destruction, and leaves a destruction under way before execution. */
export async function holdDocument(sql: Sql, user: User, documentId: string, reason: string): Promise<{ hold: Hold; destructionRequestId: string | null }> {
  demand(holdKeepers, user, undefined, () => new Forbidden('NOT_THE_OFFICE_DIRECTOR', 'Only the Office Director places holds on archive material.'));
  const placed = await placeHold(sql, { id: `hold-${randomUUID()}`, documentId, reason, placedBy: user.id });
  if (!placed) throw new NotFound('DOCUMENT_NOT_FOUND', `No document ${documentId}.`);
  return placed;
}

export async function releaseDocumentHold(sql: Sql, user: User, documentId: string, holdId: string): Promise<Hold> {
  demand(holdKeepers, user, undefined, () => new Forbidden('NOT_THE_OFFICE_DIRECTOR', 'Only the Office Director releases holds.'));
  if (!(await findHold(sql, documentId, holdId))) throw new NotFound('HOLD_NOT_FOUND', `No hold ${holdId} on document ${documentId}.`);
  const released = await sql.begin(async (tx) => {
    const row = await releaseHold(tx, { id: holdId, releasedBy: user.id });
    if (row) await auditHold(tx, row, 'released', {});
    return row;
  });
  if (!released) throw new StateConflict('HOLD_ALREADY_RELEASED', `Hold ${holdId} has already been released.`);
  return released;
}

// ------------------------------------------------------------------ retention (DES-2)

/**
 * DES-2: the documents that have reached their destruction date by `today` (YYYY-MM-DD, the
 * company's calendar) and may enter destruction: in the archive, not held, in no request.
 */
export async function retentionDue(sql: Sql, today: string): Promise<CandidateDocument[]> {
  return (await pastRetention(sql, today)).filter((document) => destructionBlocker(document, today) === undefined);
}

/** What the daily retention review lists, for the Archivist or the Office Director. */
export async function destructionCandidates(sql: Sql, user: User): Promise<CandidateDocument[]> {
  demand(retentionReviewers, user, undefined, () => new Forbidden('NOT_ARCHIVE_STAFF', 'Only the Archivist and the Office Director review retention.'));
  return retentionDue(sql, policyDate(Date.now()));
}

// ------------------------------------------------------------------ requests

/** What a reader who may not know a document (GET /documents/{id} hides it from them) reads in its place. */
export const WITHHELD = '(withheld)';

/**
 * A request the user may see; the same 404 for one that does not exist and one they may not see.
 * ACC-3: the title and reference of an item the user may not know exists (Top Secret, outside the
 * archive's roles: mayKnowDocument, the rule of GET /documents/{id}) are withheld.
 */
export async function visibleDestructionRequest(sql: Sql, user: User, id: string): Promise<DestructionRequest> {
  const request = await findDestructionRequest(sql, id);
  if (!request || !destructionViewers.allows(user, request)) throw new NotFound('DESTRUCTION_REQUEST_NOT_FOUND', `No destruction request ${id}.`);
  return { ...request, items: withheldFor(user, request.items) };
}

/** ACC-3: items with the title and reference withheld where the user may not know the document. */
function withheldFor<Item extends { secrecy: SecrecyLevel; reference: string; title: string }>(user: User, items: readonly Item[]): Item[] {
  return items.map((item) => (mayKnowDocument(user.roles, item.secrecy) ? item : { ...item, reference: WITHHELD, title: WITHHELD }));
}

/** ACC-3 in the register (DES-4): its readers include the Deputy GMs, who may not know a Top Secret document. */
function registerEntryFor(user: User, entry: RegisterEntry): RegisterEntry {
  const form = entry.approvalForm as { items?: { secrecy: SecrecyLevel; reference: string; title: string }[] };
  return {
    ...entry,
    items: withheldFor(user, entry.items),
    approvalForm: Array.isArray(form.items) ? { ...entry.approvalForm, items: withheldFor(user, form.items) } : entry.approvalForm,
  };
}

/**
 * DES-1/2: the Archivist files a destruction approval form. The documents are locked and checked,
 * the request recorded and its process queued in one transaction; the process starts after the
 * commit. With an Idempotency-Key already used by the same Archivist for the same form, the request
 * it filed (`created` false).
 */
export async function fileDestructionRequest(
  { sql, outbox }: DestructionDeps,
  user: User,
  form: { documentIds: string[]; reason: string; idempotencyKey: string | null },
): Promise<{ request: DestructionRequest; created: boolean }> {
  const { documentIds, reason, idempotencyKey: key } = form;
  demand(destructionFilers, user, undefined, () => new Forbidden('NOT_THE_ARCHIVIST', 'DES-1: only the Archivist files a destruction request; nothing is destroyed any other way.', 'DES-1'));
  const replay = async (): Promise<DestructionRequest | undefined> => {
    const existingId = key === null ? undefined : await requestIdForKey(sql, user.id, key);
    if (existingId === undefined) return undefined;
    const existing = (await findDestructionRequest(sql, existingId))!;
    const same = existing.reason === reason && existing.items.map((item) => item.documentId).join('\n') === documentIds.join('\n');
    if (!same) throw new PolicyViolation('IDEMPOTENCY_KEY_REUSED', undefined, 'This Idempotency-Key was used for a different destruction request.');
    await outbox.deliver([existing.processId]);
    return existing;
  };
  const replayed = await replay();
  if (replayed) return { request: replayed, created: false };

  const id = randomUUID();
  const today = policyDate(Date.now());
  try {
    await sql.begin(async (tx) => {
      const documents = checkFiling(documentIds, await lockCandidates(tx, documentIds), today);
      const secrecy = highestSecrecy(documents.map((d) => d.secrecy));
      await insertDestructionRequest(tx, {
        id,
        requestedBy: user.id,
        reason,
        secrecy,
        supervisorsRequired: destructionSettings.supervisorsRequired,
        idempotencyKey: key,
        // checkFiling let only documents with a retention end through
        documents: documents.map((d) => ({ ...d, retentionEndsOn: d.retentionEndsOn! })),
      });
      // Queued with the request: the process starts after the commit, or once Temporal is back.
      await enqueueStart(tx, {
        key: destructionProcessKey,
        processId: destructionProcessId(id),
        initiator: { id: user.id, departmentId: user.departmentId },
        variables: { requestId: id, secrecy, classified: needsGmApproval(secrecy), supervisorsRequired: destructionSettings.supervisorsRequired },
      });
    });
  } catch (error) {
    // The same key sent twice at once: the second waits for the first and finds its request.
    if ((error as { code?: string }).code === '23505' && key !== null) {
      const existing = await replay();
      if (existing) return { request: existing, created: false };
    }
    throw error;
  }
  await outbox.deliver([destructionProcessId(id)]);
  return { request: (await findDestructionRequest(sql, id))!, created: true };
}

/**
 * DES-4: the Archivist reports the item check of an approved request, once per approval (a second
 * one would wait in the process for a later check): the status and the message to the process are
 * committed together.
 */
export async function reportVerification({ sql, outbox }: DestructionDeps, user: User, id: string, checkedIds: string[]): Promise<void> {
  const request = await visibleDestructionRequest(sql, user, id);
  demand(destructionVerifiers, user, request, () => new Forbidden('NOT_THE_ARCHIVIST', 'DES-4: the Archivist checks the material item by item.', 'DES-4'));
  const started = await sql.begin(async (tx) => {
    if (!(await startVerification(tx, id))) return false;
    const message = { id: `verification-${randomUUID()}`, name: 'destruction.verified', payload: { checkedIds, verifiedBy: user.id }, actorId: user.id };
    await enqueueMessage(tx, request.processId, message);
    return true;
  });
  if (!started) throw new StateConflict('NOT_AWAITING_VERIFICATION', `Destruction request ${id} is ${request.status}, not awaiting the item check.`, 'DES-4');
  await outbox.deliver([request.processId]);
}

// ------------------------------------------------------------------ the register (DES-4)

function checkRegisterReader(user: User): void {
  demand(registerReaders, user, undefined, () => new Forbidden('NOT_ARCHIVE_STAFF', 'The destruction register is kept by the archive and read by its executives.', 'DES-4'));
}

/** A page of the register after entry `afterSeq`, for its readers. */
export async function registerPage(sql: Sql, user: User, page: { afterSeq: number; limit: number }): Promise<RegisterEntry[]> {
  checkRegisterReader(user);
  return (await listRegister(sql, page)).map((entry) => registerEntryFor(user, entry));
}

/** The whole register, a page at a time, so that its size (it only grows) never sits in memory at once. */
export function registerPages(sql: Sql, user: User): AsyncGenerator<RegisterEntry[]> {
  checkRegisterReader(user);
  return (async function* () {
    for (let page = await listRegister(sql, { afterSeq: 0, limit: 500 }); page.length; page = await listRegister(sql, { afterSeq: page.at(-1)!.seq, limit: 500 })) {
      yield page.map((entry) => registerEntryFor(user, entry));
    }
  })();
}

// ------------------------------------------------------------------ the process's steps

/** A review or approval (DES-2/3), with the principal a delegate decided for; once per workflow step (`key`). */
export async function recordDecision(sql: Sql, key: string, decision: Parameters<typeof recordDestructionDecision>[2]): Promise<void> {
  await recordDestructionDecision(sql, key, decision);
}

/**
 * DES-5: records the final approver's designation and, when it stands, approves the request with
 * those supervisors; otherwise the problem, which goes back to the approver. A replayed step gets
 * the recorded answer.
 */
export async function designateSupervisors(
  sql: Sql,
  key: string,
  designation: { requestId: string; supervisorIds: string[]; designatedBy: string; onBehalfOf: string | null; at: Date },
): Promise<{ problem: string | undefined }> {
  return sql.begin(async (tx) => {
    const request = await lockRequest(tx, designation.requestId);
    const { decisions } = (await findDestructionRequest(tx, designation.requestId))!;
    const problem = supervisorDesignationProblem({
      supervisorIds: designation.supervisorIds,
      required: request.supervisorsRequired,
      people: await supervisorFacts(tx, request.requestedBy, designation.supervisorIds),
      approvers: [designation.designatedBy, designation.onBehalfOf, ...approversOf(decisions)],
    });
    const recorded = await recordDestructionDecision(tx, key, {
      requestId: designation.requestId,
      step: 'designation',
      outcome: problem === undefined ? 'designated' : 'refused',
      decidedBy: designation.designatedBy,
      onBehalfOf: designation.onBehalfOf,
      comment: problem ?? null,
      detail: { supervisorIds: designation.supervisorIds },
      at: designation.at,
    });
    if (recorded.outcome === 'designated') await approveWithSupervisors(tx, designation);
    return { problem: recorded.outcome === 'designated' ? undefined : (recorded.comment ?? 'refused') };
  });
}

/**
 * DES-5, SOD-2: the problem with the supervisors the final approver names in their decision, told
 * at once (the process checks the same when it records the designation): undefined when none are
 * named yet, or the decision is not the final one (classified material: the GM's).
 */
export async function designationProblemOf(sql: Sql, requestId: string, step: 'officeReview' | 'gmApproval', approverId: string, supervisorIds: string[]): Promise<string | undefined> {
  const request = await findDestructionRequest(sql, requestId);
  if (!request || supervisorIds.length === 0 || (step === 'officeReview' && needsGmApproval(request.secrecy))) return undefined;
  return supervisorDesignationProblem({
    supervisorIds,
    required: request.supervisorsRequired,
    people: await supervisorFacts(sql, request.requestedBy, supervisorIds),
    approvers: [approverId, ...approversOf(request.decisions)],
  });
}

/**
 * DES-4: the Archivist's item check. A match lets the destruction go ahead; a mismatch returns the
 * request to review (its approval and designation no longer stand). Replayed steps get the
 * recorded answer.
 */
export async function verifyItems(
  sql: Sql,
  key: string,
  verification: { requestId: string; checkedIds: string[]; verifiedBy: string; at: Date },
): Promise<{ missing: string[]; unexpected: string[] }> {
  return sql.begin(async (tx) => {
    await lockRequest(tx, verification.requestId);
    const items = await pendingItemHolds(tx, verification.requestId);
    const computed = verificationMismatch({
      approvedIds: items.map((i) => i.documentId),
      heldIds: items.filter((i) => i.held).map((i) => i.documentId),
      checkedIds: verification.checkedIds,
    });
    const matches = computed.missing.length === 0 && computed.unexpected.length === 0;
    const recorded = await recordDestructionDecision(tx, key, {
      requestId: verification.requestId,
      step: 'verification',
      outcome: matches ? 'match' : 'mismatch',
      decidedBy: verification.verifiedBy,
      onBehalfOf: null,
      comment: null,
      detail: { checkedIds: verification.checkedIds, ...computed },
      at: verification.at,
    });
    if (recorded.outcome === 'match') await markVerified(tx, verification.requestId);
    else await returnToReview(tx, verification.requestId);
    const detail = recorded.detail as { missing: string[]; unexpected: string[] };
    return { missing: detail.missing, unexpected: detail.unexpected };
  });
}

/** Rejected at some step: the items are let go and the documents return to the archive. */
export async function rejectDestruction(sql: Sql, requestId: string, at: Date): Promise<void> {
  await sql.begin(async (tx) => {
    await lockRequest(tx, requestId);
    await rejectRequest(tx, requestId, at);
  });
}

/**
 * DES-1/4: carries out an approved, verified destruction in one transaction. The documents are
 * locked, then the holds re-read: a held item is withdrawn and returns to the archive. The
 * register entry is written (registerRecord), and only then are the documents marked destroyed.
 * Once written, a second call returns the same entry.
 */
export async function executeDestruction(
  sql: Sql,
  execution: { requestId: string; confirmedBy: string[]; method: string; place: string; executedAt: Date; at: Date },
): Promise<ExecutionResult> {
  return sql.begin(async (tx) => {
    const request = await lockRequest(tx, execution.requestId);
    const done = await registeredExecution(tx, execution.requestId);
    if (done) return executionSummary(done.seq, done.items);
    if (request.status !== 'verified') throw new Error(`destruction request ${execution.requestId} is ${request.status}, not verified`);
    const pending = await pendingItems(tx, execution.requestId);
    const holds = await lockDocumentHolds(
      tx,
      pending.map((item) => item.documentId),
    );
    const form = (await findDestructionRequest(tx, execution.requestId))!;
    const entry = registerRecord(form, pending, holds, execution.confirmedBy);
    const seq = await writeRegisterEntry(tx, form, { ...entry, method: execution.method, place: execution.place, executedAt: execution.executedAt, at: execution.at });
    return executionSummary(seq, entry.items);
  });
}
