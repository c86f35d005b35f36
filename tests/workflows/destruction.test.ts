// The retention review and the destruction process (DES-1..5) on the time-skipping server, with
// the real activities writing to PostgreSQL: reviews and approvals, delegation, the supervisors'
// designation, the Archivist's item check, holds during the process, and the register entry.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState, sendMessage, startProcess } from '../../engine/client.ts';
import { findDefinition } from '../../engine/sql/definitions.ts';
import { findDestructionRequest, insertDestructionRequest, listRegister, lockCandidates, releaseHold } from '../../areas/destruction/sql.ts';
import { placeHold } from '../../areas/destruction/service.ts';
import { insertDocument, type NewDocument } from '../../areas/archive/sql.ts';
import {
  destructionProcessId,
  destructionProcessKey,
  highestSecrecy,
  needsGmApproval,
  policyDate,
  retentionReviewInitiator,
  retentionReviewProcessKey,
} from '../../areas/destruction/rules.ts';
import { destructionDefinition, retentionReviewDefinition } from '../../areas/destruction/definitions.ts';
import { decide, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

const DAY = 24 * 3_600_000;
const destruction = { key: destructionProcessKey, version: 1 };
const confirmation = { method: 'shredding', place: 'Archive room, shredder 2', executedAt: '2026-12-01T10:00:00+08:00' };

let engine: EngineHarness;
const sql = () => engine.db.sql;
const result = (id: string) => engine.client.workflow.getHandle(id).result();

beforeAll(async () => {
  engine = await startEngine();
  await engine.publish(retentionReviewDefinition);
  await engine.publish(destructionDefinition);
});

afterAll(() => engine?.teardown());

let documentCount = 0;
/** A document in the archive; by default an operating report (10 years) archived in 2010, long past retention. */
async function archived(overrides: Partial<NewDocument> = {}): Promise<string> {
  documentCount += 1;
  const id = `doc-${documentCount}-${randomUUID().slice(0, 8)}`;
  await insertDocument(sql(), {
    id,
    reference: `OR-${id}`,
    title: `Operating report ${documentCount}`,
    category: 'operating_report',
    secrecy: 'none',
    departmentId: 'finance',
    original: true,
    retentionYears: 10,
    archivedOn: '2010-03-01',
    location: 'Archive room, shelf 3',
    registeredBy: 'archivist',
    ...overrides,
  });
  return id;
}

/** What POST /api/v1/destruction-requests files, then the process it starts. */
async function fileRequest(documentIds: string[], supervisorsRequired = 1): Promise<{ requestId: string; processId: string }> {
  const requestId = randomUUID();
  const secrecy = await engine.db.sql.begin(async (tx) => {
    const documents = await lockCandidates(tx, documentIds);
    const level = highestSecrecy(documents.map((d) => d.secrecy));
    await insertDestructionRequest(tx, {
      id: requestId,
      requestedBy: 'archivist',
      reason: 'Retention ended',
      secrecy: level,
      supervisorsRequired,
      idempotencyKey: null,
      documents: documents.map((d) => ({ ...d, retentionEndsOn: d.retentionEndsOn! })),
    });
    return level;
  });
  const processId = await engine.start(
    destruction,
    'archivist',
    { requestId, secrecy, classified: needsGmApproval(secrecy), supervisorsRequired },
    { processId: destructionProcessId(requestId) },
  );
  return { requestId, processId };
}

async function onlyTask(processId: string, nodeId: string) {
  const tasks = await openTasks(engine, processId);
  expect(tasks.map((t) => t.nodeId)).toEqual([nodeId]);
  return tasks[0]!;
}

/** The Archivist's item check, as POST /api/v1/destruction-requests/{id}/verification delivers it. */
async function verify(processId: string, checkedIds: string[]): Promise<void> {
  await sendMessage(engine, processId, { name: 'destruction.verified', payload: { checkedIds, verifiedBy: 'archivist' }, actorId: 'archivist' });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the condition never held');
}

const statuses = async (ids: string[]) =>
  Object.fromEntries((await sql()<{ id: string; status: string }[]>`select id, status from documents where id = any(${ids})`).map((r) => [r.id, r.status]));

const noticesOf = async (userId: string, processId: string) =>
  (await sql()<{ text: string }[]>`select text from notifications where user_id = ${userId} and process_id = ${processId} order by created_at`).map((r) => r.text);

describe('the destruction process', () => {
  it('DES-3 general material is final at the Office Director: review, designation, item check, supervision, register entry', async () => {
    const documents = [await archived(), await archived()];
    const { requestId, processId } = await fileRequest(documents);
    expect(await statuses(documents)).toEqual({ [documents[0]!]: 'pending_destruction', [documents[1]!]: 'pending_destruction' });

    const review = await onlyTask(processId, 'officeReview');
    expect(review.candidateIds).toEqual(['office-director']);
    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['finance-director'] });
    // No GM step for general material: the process now waits for the Archivist's check.
    expect((await processState(engine, processId)).activeNodes).toEqual(['verification']);
    expect((await findDestructionRequest(sql(), requestId))!).toMatchObject({ status: 'approved', supervisorIds: ['finance-director'], designatedBy: 'office-director' });
    expect((await noticesOf('archivist', processId)).length).toBeGreaterThan(0);

    await verify(processId, documents);
    const supervise = await onlyTask(processId, 'supervise');
    expect(supervise.candidateIds).toEqual(['finance-director']);
    await decide(engine, processId, supervise.id, 'finance-director', 'confirm', confirmation);
    expect((await result(processId)).status).toBe('destroyed');

    expect(await statuses(documents)).toEqual({ [documents[0]!]: 'destroyed', [documents[1]!]: 'destroyed' });
    const request = (await findDestructionRequest(sql(), requestId))!;
    expect(request.status).toBe('destroyed');
    expect(request.items.map((i) => i.state)).toEqual(['destroyed', 'destroyed']);
    const [entry] = (await listRegister(sql(), { afterSeq: 0, limit: 1_000 })).filter((e) => e.requestId === requestId);
    expect(entry).toMatchObject({
      seq: request.registerSeq,
      requestedBy: 'archivist',
      approvers: [{ step: 'office_review', decidedBy: 'office-director', onBehalfOf: null }],
      supervisors: { designated: ['finance-director'], designatedBy: 'office-director', confirmedBy: ['finance-director'] },
      method: 'shredding',
      place: 'Archive room, shredder 2',
    });
    expect(entry!.executedAt.toISOString()).toBe('2026-12-01T02:00:00.000Z');
    expect(entry!.items.map((i) => [i.documentId, i.outcome]).sort()).toEqual(documents.map((d) => [d, 'destroyed']).sort());
    expect(entry!.approvalForm).toMatchObject({ requestId, reason: 'Retention ended', verification: { verifiedBy: 'archivist' } });
    const nodes = await sql()<{ node_id: string }[]>`select node_id from tasks where process_id = ${processId}`;
    expect(nodes.map((n) => n.node_id)).not.toContain('gmApproval');
  });

  it('DES-3 a request with classified material needs the GM after the Office Director, and the GM designates the supervisor', async () => {
    const documents = [await archived(), await archived({ secrecy: 'secret' })];
    const { requestId, processId } = await fileRequest(documents);
    const review = await onlyTask(processId, 'officeReview');
    // For classified material the Office Director reviews; the designation is the GM's.
    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['hr-manager'] });
    const approval = await onlyTask(processId, 'gmApproval');
    expect(approval.candidateIds).toEqual(['gm']);
    expect((await findDestructionRequest(sql(), requestId))!.status).toBe('in_review');
    await decide(engine, processId, approval.id, 'gm', 'approve', { supervisorIds: ['finance-director'] });
    await verify(processId, documents);
    const supervise = await onlyTask(processId, 'supervise');
    expect(supervise.candidateIds).toEqual(['finance-director']);
    await decide(engine, processId, supervise.id, 'finance-director', 'confirm', confirmation);
    expect((await result(processId)).status).toBe('destroyed');
    const [entry] = (await listRegister(sql(), { afterSeq: 0, limit: 1_000 })).filter((e) => e.requestId === requestId);
    expect(entry!.approvers.map((a) => [a.step, a.decidedBy])).toEqual([
      ['office_review', 'office-director'],
      ['gm_approval', 'gm'],
    ]);
    expect(entry!.supervisors.designatedBy).toBe('gm');
  });

  it('DES-3 BOR-7 a power of attorney does not reach destruction: classified material waits for the GM himself', async () => {
    const now = await engine.env.currentTimeMs();
    const attorney = await archived({ category: 'power_of_attorney', retentionYears: 30, archivedOn: policyDate(now) });
    // A delegation "for every process" (null scope) as an older registration could hold it.
    await sql()`
      insert into delegations (id, principal_id, delegate_id, valid_from, valid_to, process_keys, max_secrecy, reason, document_id)
      values ('poa-destruction', 'gm', 'dgm-admin', ${new Date(now - DAY)}, ${new Date(now + 30 * DAY)}, null, 'confidential', 'GM abroad', ${attorney})`;
    try {
      const documents = [await archived({ secrecy: 'confidential' })];
      const { requestId, processId } = await fileRequest(documents);
      const review = await onlyTask(processId, 'officeReview');
      await decide(engine, processId, review.id, 'office-director', 'approve');
      const approval = await onlyTask(processId, 'gmApproval');
      expect(approval.candidateIds).toEqual(['gm']);
      expect(approval.delegates).toEqual({});
      await expect(decide(engine, processId, approval.id, 'dgm-admin', 'approve', { supervisorIds: ['finance-director'] })).rejects.toMatchObject({
        code: 'NOT_A_CANDIDATE',
      });
      expect((await findDestructionRequest(sql(), requestId))!.status).toBe('in_review');

      await decide(engine, processId, approval.id, 'gm', 'approve', { supervisorIds: ['finance-director'] });
      expect((await findDestructionRequest(sql(), requestId))!).toMatchObject({ status: 'approved', designatedBy: 'gm', designatedOnBehalfOf: null });
    } finally {
      await sql()`update delegations set revoked_at = now(), revoked_by = 'gm' where id = 'poa-destruction'`;
    }
  });

  it('DES-5 SOD-2 the final approval needs a designated supervisor other than the Archivist and the approver: otherwise it returns to the approver with a notice', async () => {
    const documents = [await archived()];
    const { requestId, processId } = await fileRequest(documents);
    let review = await onlyTask(processId, 'officeReview');
    await decide(engine, processId, review.id, 'office-director', 'approve');
    review = await onlyTask(processId, 'officeReview');
    expect(await noticesOf('office-director', processId)).toEqual([expect.stringMatching(/^DES-5: designate the supervisor/)]);
    expect((await findDestructionRequest(sql(), requestId))!.status).toBe('in_review');

    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['archivist'] });
    review = await onlyTask(processId, 'officeReview');
    expect((await noticesOf('office-director', processId)).at(-1)).toMatch(/archivist is an Archivist/);

    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['no-such-user'] });
    review = await onlyTask(processId, 'officeReview');
    expect((await noticesOf('office-director', processId)).at(-1)).toMatch(/no user no-such-user/);

    // SOD-2: the final approver does not supervise what they approved.
    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['office-director'] });
    review = await onlyTask(processId, 'officeReview');
    expect((await noticesOf('office-director', processId)).at(-1)).toMatch(/^SOD-2: office-director approved this destruction/);

    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['finance-director'] });
    expect((await processState(engine, processId)).activeNodes).toEqual(['verification']);
    const request = (await findDestructionRequest(sql(), requestId))!;
    expect(request).toMatchObject({ status: 'approved', supervisorIds: ['finance-director'] });
    expect(request.decisions.filter((d) => d.step === 'designation').map((d) => d.outcome)).toEqual(['refused', 'refused', 'refused', 'refused', 'designated']);
  });

  it('DES-5 under the two-supervisor setting the approver designates two different people, and both confirm the destruction', async () => {
    const documents = [await archived()];
    const { requestId, processId } = await fileRequest(documents, 2);
    let review = await onlyTask(processId, 'officeReview');
    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['finance-director'] });
    review = await onlyTask(processId, 'officeReview');
    expect((await noticesOf('office-director', processId)).at(-1)).toMatch(/requires 2 supervisors; 1 designated/);
    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['finance-director', 'finance-director'] });
    review = await onlyTask(processId, 'officeReview');
    expect((await noticesOf('office-director', processId)).at(-1)).toMatch(/must be different people/);
    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['finance-director', 'hr-manager'] });

    await verify(processId, documents);
    const tasks = await openTasks(engine, processId, 2);
    expect(tasks.map((t) => t.candidateIds)).toEqual([['finance-director'], ['hr-manager']]);
    await decide(engine, processId, tasks[0]!.id, 'finance-director', 'confirm', confirmation);
    expect((await processState(engine, processId)).activeNodes).toEqual(['supervise']);
    await decide(engine, processId, tasks[1]!.id, 'hr-manager', 'confirm', confirmation);
    expect((await result(processId)).status).toBe('destroyed');
    const [entry] = (await listRegister(sql(), { afterSeq: 0, limit: 1_000 })).filter((e) => e.requestId === requestId);
    expect(entry!.supervisors).toMatchObject({ designated: ['finance-director', 'hr-manager'], confirmedBy: ['finance-director', 'hr-manager'] });
  });

  it('DES-2 a hold placed while the destruction runs withdraws the document at execution; the register records it as withdrawn', async () => {
    const [held, destroyed] = [await archived(), await archived()];
    const { requestId, processId } = await fileRequest([held!, destroyed!]);
    const review = await onlyTask(processId, 'officeReview');
    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['finance-director'] });
    await verify(processId, [held!, destroyed!]);
    const supervise = await onlyTask(processId, 'supervise');
    // After the check, before execution: the execution step re-reads the holds.
    const placed = await placeHold(sql(), { id: `hold-${randomUUID()}`, documentId: held!, reason: 'Tax audit', placedBy: 'office-director' });
    expect(placed!.destructionRequestId).toBe(requestId);
    await decide(engine, processId, supervise.id, 'finance-director', 'confirm', confirmation);
    expect((await result(processId)).status).toBe('destroyed');

    expect(await statuses([held!, destroyed!])).toEqual({ [held!]: 'in_archive', [destroyed!]: 'destroyed' });
    const request = (await findDestructionRequest(sql(), requestId))!;
    expect(request.items.find((i) => i.documentId === held)).toMatchObject({ state: 'withdrawn', holdId: placed!.hold.id });
    const [entry] = (await listRegister(sql(), { afterSeq: 0, limit: 1_000 })).filter((e) => e.requestId === requestId);
    expect(entry!.items.find((i) => i.documentId === held)).toMatchObject({ outcome: 'withdrawn', hold: { id: placed!.hold.id, reason: 'Tax audit' } });
    expect(entry!.items.find((i) => i.documentId === destroyed)).toMatchObject({ outcome: 'destroyed' });
    await releaseHold(sql(), { id: placed!.hold.id, releasedBy: 'office-director' });
  });

  it('DES-4 an item check that does not match the approved list returns the form to the Office Director; a rejection then returns the documents', async () => {
    const documents = [await archived(), await archived()];
    const { requestId, processId } = await fileRequest(documents);
    let review = await onlyTask(processId, 'officeReview');
    await decide(engine, processId, review.id, 'office-director', 'approve', { supervisorIds: ['finance-director'] });
    await verify(processId, [documents[0]!, 'doc-not-on-the-form']);
    review = await until(
      () => openTasks(engine, processId),
      (tasks) => tasks.some((t) => t.nodeId === 'officeReview'),
    ).then((tasks) => tasks[0]!);
    expect(review.nodeId).toBe('officeReview');
    const notice = (await noticesOf('office-director', processId)).at(-1);
    expect(notice).toMatch(/^DES-4: the item check does not match/);
    expect(notice).toContain(`not checked: ${documents[1]}`);
    expect(notice).toContain('not on the approved list: doc-not-on-the-form');
    const request = (await findDestructionRequest(sql(), requestId))!;
    expect(request).toMatchObject({ status: 'in_review', supervisorIds: null });
    expect(request.decisions.find((d) => d.step === 'verification')).toMatchObject({ outcome: 'mismatch', decidedBy: 'archivist' });

    await decide(engine, processId, review.id, 'office-director', 'reject');
    expect((await result(processId)).status).toBe('rejected');
    expect(await statuses(documents)).toEqual({ [documents[0]!]: 'in_archive', [documents[1]!]: 'in_archive' });
    const closed = (await findDestructionRequest(sql(), requestId))!;
    expect(closed.status).toBe('rejected');
    expect(closed.items.map((i) => i.state)).toEqual(['returned', 'returned']);
    expect(closed.registerSeq).toBeNull();
  });

  it('DES-5 a confirmation without method, place and time is asked again; a supervisor who refuses stops the destruction', async () => {
    const documents = [await archived({ secrecy: 'secret' })];
    const { requestId, processId } = await fileRequest(documents);
    await decide(engine, processId, (await onlyTask(processId, 'officeReview')).id, 'office-director', 'approve');
    await decide(engine, processId, (await onlyTask(processId, 'gmApproval')).id, 'gm', 'reject');
    expect((await result(processId)).status).toBe('rejected');
    expect(await statuses(documents)).toEqual({ [documents[0]!]: 'in_archive' });

    const again = await fileRequest(documents);
    await decide(engine, again.processId, (await onlyTask(again.processId, 'officeReview')).id, 'office-director', 'approve');
    await decide(engine, again.processId, (await onlyTask(again.processId, 'gmApproval')).id, 'gm', 'approve', { supervisorIds: ['hr-manager'] });
    await verify(again.processId, documents);
    let supervise = await onlyTask(again.processId, 'supervise');
    await decide(engine, again.processId, supervise.id, 'hr-manager', 'confirm', { method: 'pulping' });
    supervise = await onlyTask(again.processId, 'supervise');
    expect((await noticesOf('hr-manager', again.processId)).at(-1)).toMatch(/method, place and time/);
    await decide(engine, again.processId, supervise.id, 'hr-manager', 'refuse');
    expect((await result(again.processId)).status).toBe('rejected');
    expect(await statuses(documents)).toEqual({ [documents[0]!]: 'in_archive' });
    expect((await findDestructionRequest(sql(), requestId))!.status).toBe('rejected');
  });
});

describe('the retention review', () => {
  async function review(): Promise<{ processId: string; documentIds: string[] | undefined; status: () => Promise<string> }> {
    const definition = (await findDefinition(sql(), retentionReviewProcessKey, 1))!;
    const processId = `retention-review-${randomUUID()}`;
    await startProcess(engine, { processId, definition, library: {}, initiator: { ...retentionReviewInitiator }, variables: {} });
    const state = await until(
      () => processState(engine, processId),
      (view) => view.openTasks.length > 0 || view.status !== 'running',
    );
    return {
      processId,
      documentIds: (state.variables.due as { documentIds: string[] } | undefined)?.documentIds,
      status: async () => (await result(processId)).status,
    };
  }

  it('DES-2 lists for the Archivist what has reached its destruction date; never permanent, held, lent or already requested material', async () => {
    const now = await engine.env.currentTimeMs();
    const due = await archived();
    const permanent = await archived({ category: 'annual_plan', retentionYears: null, archivedOn: '1990-01-01' });
    const held = await archived();
    await placeHold(sql(), { id: `hold-${randomUUID()}`, documentId: held, reason: 'Litigation', placedBy: 'office-director' });
    const lent = await archived();
    await sql()`update documents set status = 'on_loan' where id = ${lent}`;
    const requested = await archived();
    await fileRequest([requested]);
    // Ten years' retention ending 30 days from now.
    const today = policyDate(now);
    const soon = await archived({ archivedOn: `${Number(today.slice(0, 4)) - 10}${today.slice(4)}`, retentionYears: 10 });
    await sql()`update documents set archived_on = archived_on + 30 where id = ${soon}`;

    const first = await review();
    const [task] = await openTasks(engine, first.processId);
    expect(task).toMatchObject({ nodeId: 'reviewDue', candidateIds: ['archivist'] });
    expect(first.documentIds).toContain(due);
    for (const excluded of [permanent, held, lent, requested, soon]) expect(first.documentIds).not.toContain(excluded);
    await decide(engine, first.processId, task!.id, 'archivist', 'reviewed');
    expect(await first.status()).toBe('reviewed');

    await engine.env.sleep(31 * DAY);
    const later = await review();
    expect(later.documentIds).toContain(soon);
    expect(later.documentIds).not.toContain(permanent);
  });
});
