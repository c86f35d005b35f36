// Issue #22, on the real dev server: several decisions, cancels and messages reaching the
// interpreter in one activation; votes, delegations, joins, child processes, cancellation and
// failure; decisions retried after continue-as-new.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelProcess, completeTask, processState, sendMessage } from '../../engine/client.ts';
import { validateDefinition } from '../../engine/definition/validate.ts';
import { delegationSignal } from '../../engine/workflow/messages.ts';
import type { DelegationNotice } from '../../engine/workflow/types.ts';
import {
  approvalDefinition,
  callerDefinition,
  cancellableDefinition,
  decideThenCallDefinition,
  failingBranchDefinition,
  optionalStepDefinition,
  preparedSequentialVoteDefinition,
  readyThenReviewDefinition,
  recoverDefinition,
  reworkDefinition,
  votingDefinition,
} from '../support/definitions.ts';
import { decide, eventually, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

const HOUR = 60 * 60 * 1000;

describe('engine concurrency (#22)', () => {
  let engine: EngineHarness;
  const handle = (id: string) => engine.client.workflow.getHandle(id);
  const result = (id: string) => handle(id).result();
  /** Delivers the calls in one activation: sent in order while no worker runs, then the worker comes back. */
  const together = async (...calls: (() => Promise<unknown>)[]): Promise<PromiseSettledResult<unknown>[]> => {
    await engine.stopWorker();
    const pending: Promise<unknown>[] = [];
    for (const call of calls) {
      pending.push(call());
      // Each reaches the server before the next, so the history holds them in this order.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await engine.restartWorker();
    return Promise.allSettled(pending);
  };
  const taskRows = (id: string) => engine.db.sql<{ node_id: string; state: string; decided_by: string | null; outcome: string | null }[]>`
    select node_id, state, decided_by, outcome from tasks where process_id = ${id} order by created_at, id`;
  const instanceRow = (id: string) => engine.db.sql<{ status: string; ended_at: Date | null }[]>`select status, ended_at from process_instances where id = ${id}`.then((rows) => rows[0]);
  const notice = async (fields: Partial<DelegationNotice> & Pick<DelegationNotice, 'delegationId' | 'principalId' | 'delegateId'>): Promise<DelegationNotice> => {
    const now = Date.now();
    return { maxSecrecy: 'top_secret', validFrom: now - HOUR, validTo: now + 24 * HOUR, active: true, ...fields };
  };

  beforeAll(async () => {
    engine = await startEngine({ server: 'dev', suite: 'concurrency' });
    for (const definition of [
      approvalDefinition,
      callerDefinition,
      cancellableDefinition,
      decideThenCallDefinition,
      failingBranchDefinition,
      optionalStepDefinition,
      preparedSequentialVoteDefinition,
      readyThenReviewDefinition,
      recoverDefinition,
      reworkDefinition,
    ]) {
      await engine.publish(definition);
    }
    await engine.publish(votingDefinition('test.vote.any', 'parallel', 'any'));
    await engine.publish(votingDefinition('test.vote.veto', 'parallel', 'veto'));
    await engine.publish(votingDefinition('test.vote.all', 'parallel', 'all'));
  });
  afterAll(() => engine?.teardown());

  it('#22.2 或签 (any): of two votes in one activation the first decides and the second is refused', async () => {
    const id = await engine.start({ key: 'test.vote.any', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 3);
    const [rejection, approval] = await together(
      () => completeTask(engine, id, { taskId: tasks[0]!.id, actorId: 'dgm-admin', outcome: 'reject' }),
      () => completeTask(engine, id, { taskId: tasks[1]!.id, actorId: 'dgm-sales', outcome: 'approve' }),
    );
    expect(rejection).toMatchObject({ status: 'fulfilled', value: { outcome: 'reject', status: 'rejected' } });
    expect(approval).toMatchObject({ status: 'rejected', reason: { code: 'TASK_ALREADY_COMPLETED' } });
    const done = await result(id);
    expect(done.status).toBe('rejected');
    expect(done.variables['vote']).toMatchObject({ outcome: 'reject', decidedBy: 'dgm-admin', votes: [{ actorId: 'dgm-admin', outcome: 'reject' }] });
    expect((await taskRows(id)).map((t) => t.state).sort()).toEqual(['cancelled', 'cancelled', 'completed']);
  });

  // Signals reach a workflow task before updates: the message comes first in the activation,
  // though the decision was sent first. Before #22 both were taken: the task row said `lost`,
  // the instance ended `returned`.
  it('#22.3 a boundary message and a decision in one activation: the first decides and the task row agrees', async () => {
    const id = await engine.start({ key: 'test.recover', version: 1 }, 'finance-clerk');
    const [task] = await openTasks(engine, id);
    const [lost] = await together(
      () => completeTask(engine, id, { taskId: task!.id, actorId: 'archivist', outcome: 'lost' }),
      () => sendMessage(engine, id, { name: 'returned', payload: {}, actorId: 'finance-clerk' }),
    );
    expect(lost).toMatchObject({ status: 'rejected', reason: { code: 'TASK_ALREADY_COMPLETED' } });
    expect((await result(id)).status).toBe('returned');
    expect(await taskRows(id)).toEqual([{ node_id: 'recover', state: 'completed', decided_by: 'finance-clerk', outcome: 'returned' }]);
  });

  it('#22.4 cancellableAt: a cancel in the same activation as the first decision is refused', async () => {
    const id = await engine.start({ key: 'test.cancellable', version: 1 }, 'finance-clerk');
    const [first] = await openTasks(engine, id);
    const [decision, cancel] = await together(
      () => completeTask(engine, id, { taskId: first!.id, actorId: 'office-director', outcome: 'approve' }),
      () => cancelProcess(engine, id, 'finance-clerk'),
    );
    expect(decision).toMatchObject({ status: 'fulfilled', value: { status: 'running', openTasks: [{ nodeId: 'second' }] } });
    expect(cancel).toMatchObject({ status: 'rejected', reason: { code: 'NOT_CANCELLABLE' } });
    const [second] = await openTasks(engine, id);
    await decide(engine, id, second!.id, 'gm', 'approve');
    expect((await result(id)).status).toBe('approved');
  });

  it('#22.4 and a decision after an accepted cancel in the same activation is refused', async () => {
    const id = await engine.start({ key: 'test.cancellable', version: 1 }, 'finance-clerk');
    const [first] = await openTasks(engine, id);
    const [cancel, decision] = await together(
      () => cancelProcess(engine, id, 'finance-clerk'),
      () => completeTask(engine, id, { taskId: first!.id, actorId: 'office-director', outcome: 'approve' }),
    );
    expect(cancel).toMatchObject({ status: 'fulfilled', value: { status: 'cancelled' } });
    expect(decision).toMatchObject({ status: 'rejected', reason: { code: 'PROCESS_ENDED' } });
    expect(await taskRows(id)).toEqual([{ node_id: 'first', state: 'cancelled', decided_by: null, outcome: null }]);
  });

  it('#22.5 a veto names the voter who vetoed, with their data, not the last voter in candidate order', async () => {
    const id = await engine.start({ key: 'test.vote.veto', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 3);
    await completeTask(engine, id, { taskId: tasks[2]!.id, actorId: 'gm', outcome: 'approve', comment: 'fine by me' });
    const veto = await completeTask(engine, id, { taskId: tasks[0]!.id, actorId: 'dgm-admin', outcome: 'reject', comment: 'no' });
    expect(veto).toMatchObject({ outcome: 'reject', decidedBy: 'dgm-admin', status: 'rejected' });
    const done = await result(id);
    expect(done.variables['vote']).toMatchObject({
      outcome: 'reject',
      decidedBy: 'dgm-admin',
      comment: 'no',
      votes: [
        { actorId: 'gm', outcome: 'approve' },
        { actorId: 'dgm-admin', outcome: 'reject' },
      ],
    });
  });

  it('#22.7 BOR-7 a delegation that starts during a sequential vote reaches the later voters', async () => {
    const id = await engine.start({ key: 'test.vote.prepared', version: 1 }, 'office-director');
    const [prepare] = await openTasks(engine, id);
    await decide(engine, id, prepare!.id, 'archivist', 'done');
    const [first] = await openTasks(engine, id);
    expect(first!.candidateIds).toEqual(['dgm-admin']);
    await handle(id).signal(delegationSignal, await notice({ delegationId: 'dlg-start', principalId: 'gm', delegateId: 'finance-director' }));
    const second = await decide(engine, id, first!.id, 'dgm-admin', 'approve');
    const third = await decide(engine, id, second.openTasks[0]!.id, 'dgm-sales', 'approve');
    expect(third.openTasks[0]!.candidateIds).toEqual(['gm']);
    const [gmTask] = (await processState(engine, id)).openTasks;
    expect(Object.keys(gmTask!.delegates)).toEqual(['finance-director']);
    const answer = await decide(engine, id, gmTask!.id, 'finance-director', 'approve');
    expect(answer).toMatchObject({ onBehalfOf: 'gm', delegationId: 'dlg-start', status: 'approved' });
  });

  it('#22.7 BOR-7 a delegation revoked during a sequential vote does not come back for a later voter', async () => {
    const id = await engine.start({ key: 'test.vote.prepared', version: 1 }, 'office-director');
    const [prepare] = await openTasks(engine, id);
    const granted = await notice({ delegationId: 'dlg-revoked', principalId: 'gm', delegateId: 'finance-director' });
    await handle(id).signal(delegationSignal, granted);
    await decide(engine, id, prepare!.id, 'archivist', 'done');
    const [first] = await openTasks(engine, id);
    await handle(id).signal(delegationSignal, { ...granted, active: false });
    const second = await decide(engine, id, first!.id, 'dgm-admin', 'approve');
    await decide(engine, id, second.openTasks[0]!.id, 'dgm-sales', 'approve');
    const [gmTask] = (await processState(engine, id)).openTasks;
    expect(gmTask!.candidateIds).toEqual(['gm']);
    expect(gmTask!.delegates).toEqual({});
    await expect(decide(engine, id, gmTask!.id, 'finance-director', 'approve')).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
    await decide(engine, id, gmTask!.id, 'gm', 'approve');
    expect((await result(id)).status).toBe('approved');
  });

  it('#22.8 a rework flow back into a fork does not turn the fork into a join', async () => {
    const id = await engine.start({ key: 'test.rework', version: 1 }, 'office-director');
    const round = async () => {
      const tasks = await openTasks(engine, id, 2);
      expect(tasks.map((t) => t.nodeId).sort()).toEqual(['finance', 'hr']);
      await decide(engine, id, tasks.find((t) => t.nodeId === 'finance')!.id, 'finance-director', 'done');
      const last = await decide(engine, id, tasks.find((t) => t.nodeId === 'hr')!.id, 'hr-manager', 'done');
      expect(last.openTasks.map((t) => t.nodeId)).toEqual(['check']);
      return last.openTasks[0]!;
    };
    const check = await round();
    await decide(engine, id, check.id, 'gm', 'rework');
    // The second round joins exactly as the first: nothing is left over from it.
    const again = await round();
    await decide(engine, id, again.id, 'gm', 'ok');
    expect((await result(id)).status).toBe('reviewed');
  });

  it('#22.8 an exclusive gateway that skips a branch step sends its token to the join, which counts it', async () => {
    const id = await engine.start({ key: 'test.optional', version: 1 }, 'office-director', { skip: true });
    const tasks = await openTasks(engine, id);
    expect(tasks.map((t) => t.nodeId)).toEqual(['finance']);
    await decide(engine, id, tasks[0]!.id, 'finance-director', 'done');
    expect((await result(id)).status).toBe('reviewed');
    expect(await instanceRow(id)).toMatchObject({ status: 'reviewed' });
  });

  it('#22.8 validation refuses a fork one of whose branches leads back into it before its join', () => {
    const loop = {
      ...reworkDefinition,
      key: 'test.bad.loop',
      nodes: reworkDefinition.nodes.map((node) => (node.id === 'finance' ? { ...node, outcomes: ['done', 'again'], next: { done: 'join', again: 'fork' } } : node)),
    };
    expect(() => validateDefinition(loop, { services: serviceSpecs })).toThrow(/branch of the fork "fork" leads back into it/);
    expect(() => validateDefinition(reworkDefinition, { services: serviceSpecs })).not.toThrow();
    expect(() => validateDefinition(optionalStepDefinition, { services: serviceSpecs })).not.toThrow();
  });

  it('#22.9 a decision whose next node is a call activity is answered once the child waits, its task counted', async () => {
    const id = await engine.start({ key: 'test.caller.after', version: 1 }, 'finance-clerk', { amount: 10 });
    const [ask] = await openTasks(engine, id);
    const answer = await Promise.race([
      decide(engine, id, ask!.id, 'gm', 'go'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the decision was not answered within 15 s')), 15_000)),
    ]);
    expect(answer).toMatchObject({ status: 'running', openTasks: [{ nodeId: 'managerReview', candidateIds: ['finance-manager'] }] });
    const childTask = (answer as { openTasks: { id: string }[] }).openTasks[0]!;
    const [row] = await engine.db.sql<{ state: string }[]>`select state from tasks where id = ${childTask.id}`;
    expect(row).toEqual({ state: 'open' });
    const child = (await processState(engine, id)).children[0]!.processId;
    await decide(engine, child, childTask.id, 'finance-manager', 'approve');
    expect((await result(id)).status).toBe('done');
  });

  it('#22.10 cancelling the parent cancels the child and closes its task and instance rows', async () => {
    const id = await engine.start({ key: 'test.caller', version: 1 }, 'finance-clerk', { amount: 10 });
    const child = (await eventually(() => processState(engine, id), (s) => s.children.length > 0)).children[0]!.processId;
    await openTasks(engine, child);
    expect(await cancelProcess(engine, id, 'finance-clerk', 'changed my mind')).toEqual({ status: 'cancelled' });
    await handle(child).result().catch(() => undefined);
    expect(await taskRows(child)).toMatchObject([{ node_id: 'managerReview', state: 'cancelled' }]);
    expect(await eventually(() => instanceRow(child), (row) => row?.status !== 'running')).toMatchObject({ status: 'cancelled' });
    expect((await instanceRow(child))!.ended_at).not.toBeNull();
    expect(await instanceRow(id)).toMatchObject({ status: 'cancelled' });
  });

  it('#22.11 a failed instance closes its projections: the other branch\'s task and the instance row', async () => {
    const id = await engine.start({ key: 'test.failing', version: 1 }, 'finance-clerk');
    await expect(result(id)).rejects.toThrow();
    const history = await handle(id).fetchHistory();
    const failed = history.events!.find((event) => event.workflowExecutionFailedEventAttributes);
    expect(failed!.workflowExecutionFailedEventAttributes!.failure!.applicationFailureInfo!.type).toBe('NO_CANDIDATES');
    expect(await taskRows(id)).toMatchObject([{ node_id: 'ok', state: 'cancelled' }]);
    expect(await instanceRow(id)).toMatchObject({ status: 'failed' });
    expect((await instanceRow(id))!.ended_at).not.toBeNull();
  });

  it('#22.13 a decision retried after continue-as-new gets the first answer; another on the same task gets TASK_ALREADY_COMPLETED', async () => {
    const id = await engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 5000 }, { historyLimit: 10 });
    const [review] = await openTasks(engine, id);
    const firstRun = (await handle(id).describe()).runId;
    const decision = { taskId: review!.id, actorId: 'finance-manager', outcome: 'approve' };
    const first = await completeTask(engine, id, decision, 'retried-request');
    // The history is long enough now: the next activation continues as new.
    await sendMessage(engine, id, { name: 'nothing-waits-for-this', payload: {}, actorId: 'finance-clerk' });
    await eventually(() => handle(id).describe(), (d) => d.runId !== firstRun);
    expect((await handle(id).describe()).runId).not.toBe(firstRun);
    expect(await completeTask(engine, id, decision, 'retried-request')).toEqual(first);
    await expect(completeTask(engine, id, decision, 'another-request')).rejects.toMatchObject({ code: 'TASK_ALREADY_COMPLETED' });
    const [gmTask] = await openTasks(engine, id);
    await decide(engine, id, gmTask!.id, 'gm', 'approve');
    expect((await result(id)).status).toBe('approved');
    const [audit] = await engine.db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where process_id = ${id} and event = 'task.completed'`;
    expect(audit!.n).toBe(2);
  });

  it('#22 suspected: a delegate who is also a voter does not vote twice (BOR-7)', async () => {
    const id = await engine.start({ key: 'test.vote.all', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 3);
    await handle(id).signal(delegationSignal, await notice({ delegationId: 'dlg-voter', principalId: 'gm', delegateId: 'dgm-admin' }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const gmTask = (await processState(engine, id)).openTasks.find((t) => t.candidateIds.includes('gm'))!;
    expect(gmTask.delegates).toEqual({});
    await decide(engine, id, tasks[0]!.id, 'dgm-admin', 'approve');
    await expect(decide(engine, id, gmTask.id, 'dgm-admin', 'approve')).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
  });

  it('#22 suspected: a message no path can take any more is refused on the record, not buffered for ever', async () => {
    const id = await engine.start({ key: 'test.ready', version: 1 }, 'finance-clerk');
    await eventually(() => processState(engine, id), (s) => s.activeNodes.includes('ready'));
    await sendMessage(engine, id, { name: 'no-such-message', payload: {}, actorId: 'finance-clerk' });
    await sendMessage(engine, id, { name: 'ready', payload: {}, actorId: 'archivist' });
    const [review] = await openTasks(engine, id);
    // The node that waits for `ready` is behind the only path now: a second one is never taken.
    await sendMessage(engine, id, { name: 'ready', payload: {}, actorId: 'archivist' });
    const ignored = () => engine.db.sql<{ actor_id: string; message: string }[]>`
      select actor_id, detail->>'message' as message from audit_log where process_id = ${id} and event = 'message.ignored' order by seq`;
    expect(await eventually(ignored, (rows) => rows.length === 2)).toEqual([
      { actor_id: 'finance-clerk', message: 'no-such-message' },
      { actor_id: 'archivist', message: 'ready' },
    ]);
    await decide(engine, id, review!.id, 'gm', 'done');
    expect((await result(id)).status).toBe('done');
  });

  it('#22 suspected: join counts do not leak between loop rounds', async () => {
    const id = await engine.start({ key: 'test.rework', version: 1 }, 'office-director');
    for (const verdict of ['rework', 'rework', 'ok']) {
      const tasks = await openTasks(engine, id, 2);
      expect(tasks.map((t) => t.nodeId).sort()).toEqual(['finance', 'hr']);
      const first = await decide(engine, id, tasks.find((t) => t.nodeId === 'hr')!.id, 'hr-manager', 'done');
      // The join waits for the other branch every round, not only the first.
      expect(first.openTasks.map((t) => t.nodeId)).toEqual(['finance']);
      const joined = await decide(engine, id, tasks.find((t) => t.nodeId === 'finance')!.id, 'finance-director', 'done');
      expect(joined.openTasks.map((t) => t.nodeId)).toEqual(['check']);
      await decide(engine, id, joined.openTasks[0]!.id, 'gm', verdict);
    }
    expect((await result(id)).status).toBe('reviewed');
    const [opened] = await engine.db.sql<{ n: number }[]>`select count(*)::int as n from tasks where process_id = ${id}`;
    expect(opened!.n).toBe(9);
  });
});
