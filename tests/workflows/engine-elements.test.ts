// One test per BPMN element the interpreter runs, on the time-skipping server with the real
// activities writing to PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState, sendMessage } from '../../engine/client.ts';
import {
  approvalDefinition,
  callerDefinition,
  fallbackDefinition,
  loanDefinition,
  parallelDefinition,
  receiveDefinition,
  timerDefinition,
  votingDefinition,
} from '../support/definitions.ts';
import { decide, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

const voters = ['dgm-admin', 'dgm-sales', 'gm'];

describe('interpreter elements', () => {
  let engine: EngineHarness;
  const result = (id: string) => engine.client.workflow.getHandle(id).result();
  beforeAll(async () => {
    engine = await startEngine({ suite: 'elements' });
    for (const definition of [approvalDefinition, callerDefinition, fallbackDefinition, loanDefinition, parallelDefinition, receiveDefinition, timerDefinition]) {
      await engine.publish(definition);
    }
    await engine.publish(votingDefinition('test.vote.all', 'parallel', 'all'));
    await engine.publish(votingDefinition('test.vote.any', 'parallel', 'any'));
    await engine.publish(votingDefinition('test.vote.veto', 'parallel', 'veto'));
    await engine.publish(votingDefinition('test.vote.ratio', 'parallel', { ratio: 0.6 }));
    await engine.publish(votingDefinition('test.vote.sequential', 'sequential', 'all'));
  });
  afterAll(() => engine?.teardown());

  it('exclusive gateway: a large amount goes to the GM after the manager approves', async () => {
    const id = await engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 5000 });
    const [review] = await openTasks(engine, id);
    expect(review!.candidateIds).toEqual(['finance-manager']);
    await decide(engine, id, review!.id, 'finance-manager', 'approve');
    const [gm] = (await processState(engine, id)).openTasks;
    expect(gm!.candidateIds).toEqual(['gm']);
    await decide(engine, id, gm!.id, 'gm', 'approve');
    expect((await result(id)).status).toBe('approved');
    const rows = await engine.db.sql<{ node_id: string; state: string; decided_by: string }[]>`
      select node_id, state, decided_by from tasks where process_id = ${id} order by created_at`;
    expect(rows).toEqual([
      { node_id: 'managerReview', state: 'completed', decided_by: 'finance-manager' },
      { node_id: 'gmApproval', state: 'completed', decided_by: 'gm' },
    ]);
  });

  it('exclusive gateway: the default flow takes a small amount straight to approval', async () => {
    const id = await engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 10 });
    const [review] = await openTasks(engine, id);
    const answer = await decide(engine, id, review!.id, 'finance-manager', 'approve');
    expect(answer.status).toBe('approved');
    expect((await result(id)).status).toBe('approved');
  });

  it('the initiator is never a candidate on their own request: the fallback rule decides instead', async () => {
    // finance-manager is the only manager of Finance, and initiates: nobody is left.
    const id = await engine.start({ key: 'test.fallback', version: 1 }, 'marketing-vp');
    const [task] = await openTasks(engine, id);
    expect(task!.candidateIds).toEqual(['marketing-director']);
    const own = await engine.start({ key: 'test.approval', version: 1 }, 'finance-manager', { amount: 1 });
    await expect(result(own)).rejects.toThrow();
    const handle = engine.client.workflow.getHandle(own);
    const history = await handle.fetchHistory();
    const failed = history.events!.find((event) => event.workflowExecutionFailedEventAttributes);
    expect(failed!.workflowExecutionFailedEventAttributes!.failure!.applicationFailureInfo!.type).toBe('NO_CANDIDATES');
  });

  it('parallel gateway: both branches open at once and the join waits for both', async () => {
    const id = await engine.start({ key: 'test.parallel', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 2);
    expect(tasks.map((t) => t.nodeId).sort()).toEqual(['finance', 'hr']);
    await decide(engine, id, tasks.find((t) => t.nodeId === 'finance')!.id, 'finance-director', 'done');
    const waiting = await processState(engine, id);
    expect(waiting.status).toBe('running');
    expect(waiting.activeNodes).toEqual(['hr']);
    await decide(engine, id, tasks.find((t) => t.nodeId === 'hr')!.id, 'hr-manager', 'done');
    expect((await result(id)).status).toBe('reviewed');
  });

  it('multi-instance all (会签): every vote counts, one rejection rejects', async () => {
    const id = await engine.start({ key: 'test.vote.all', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 3);
    expect(tasks.map((t) => t.candidateIds[0])).toEqual(voters);
    await decide(engine, id, tasks[0]!.id, 'dgm-admin', 'approve');
    await decide(engine, id, tasks[1]!.id, 'dgm-sales', 'approve');
    expect((await processState(engine, id)).openTasks).toHaveLength(1);
    await decide(engine, id, tasks[2]!.id, 'gm', 'reject');
    expect((await result(id)).status).toBe('rejected');
  });

  it('multi-instance any (或签): the first vote decides and the other tasks close', async () => {
    const id = await engine.start({ key: 'test.vote.any', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 3);
    await decide(engine, id, tasks[1]!.id, 'dgm-sales', 'approve');
    expect((await result(id)).status).toBe('approved');
    const states = await engine.db.sql<{ state: string }[]>`select state from tasks where process_id = ${id} order by id`;
    expect(states.map((s) => s.state).sort()).toEqual(['cancelled', 'cancelled', 'completed']);
  });

  it('multi-instance veto: the first rejection ends the vote at once', async () => {
    const id = await engine.start({ key: 'test.vote.veto', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 3);
    await decide(engine, id, tasks[0]!.id, 'dgm-admin', 'approve');
    await decide(engine, id, tasks[2]!.id, 'gm', 'reject');
    expect((await result(id)).status).toBe('rejected');
  });

  it('multi-instance ratio: two approvals of three reach 60%', async () => {
    const id = await engine.start({ key: 'test.vote.ratio', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 3);
    await decide(engine, id, tasks[0]!.id, 'dgm-admin', 'approve');
    expect((await processState(engine, id)).status).toBe('running');
    await decide(engine, id, tasks[2]!.id, 'gm', 'approve');
    const done = await result(id);
    expect(done.status).toBe('approved');
    expect((done.variables.vote as { votes: unknown[] }).votes).toHaveLength(2);
  });

  it('multi-instance sequential: one voter at a time, in order', async () => {
    const id = await engine.start({ key: 'test.vote.sequential', version: 1 }, 'office-director');
    for (const voter of voters) {
      const open = await openTasks(engine, id);
      expect(open.map((t) => t.candidateIds)).toEqual([[voter]]);
      await decide(engine, id, open[0]!.id, voter, 'approve');
    }
    expect((await result(id)).status).toBe('approved');
  });

  it('receive task: the message moves the process on and its payload becomes a variable', async () => {
    const id = await engine.start({ key: 'test.receive', version: 1 }, 'finance-clerk', { hours: 4 });
    await sendMessage(engine, id, { name: 'returned', payload: { condition: 'shredded' }, actorId: 'archivist', id: 'm-0' });
    await sendMessage(engine, id, { name: 'returned', payload: { condition: 'intact' }, actorId: 'archivist', id: 'm-1' });
    await sendMessage(engine, id, { name: 'returned', payload: { condition: 'damaged' }, actorId: 'archivist', id: 'm-1' });
    const done = await result(id);
    expect(done.status).toBe('returned');
    // The malformed message was refused on the record, the duplicate ignored.
    expect(done.variables.awaitReturn).toEqual({ condition: 'intact' });
    const refused = await engine.db.sql<{ event: string }[]>`select event from audit_log where process_id = ${id} and event = 'message.refused'`;
    expect(refused).toHaveLength(1);
  });

  it('receive task deadline: with no message in 4 hours the deadline path is taken', async () => {
    const id = await engine.start({ key: 'test.receive', version: 1 }, 'finance-clerk', { hours: 4 });
    const started = Date.now();
    const done = await result(id);
    expect(done.status).toBe('overdue');
    expect(Date.now() - started).toBeLessThan(30_000);
    const [audit] = await engine.db.sql<{ event: string }[]>`select event from audit_log where process_id = ${id} and event = 'receive.deadline'`;
    expect(audit).toBeDefined();
  });

  it('receive task reminder: the borrower is reminded 30 minutes before the due time, once', async () => {
    const id = await engine.start({ key: 'test.loan', version: 1 }, 'finance-clerk');
    const notices = () => engine.db.sql<{ user_id: string; created_at: Date }[]>`select user_id, created_at from notifications where process_id = ${id}`;
    const started = await engine.env.currentTimeMs();
    await engine.env.sleep(209 * 60_000);
    expect(await notices()).toEqual([]);
    await engine.env.sleep(2 * 60_000);
    let rows = await notices();
    for (let i = 0; rows.length === 0 && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rows = await notices();
    }
    expect(rows.map((r) => r.user_id)).toEqual(['finance-clerk']);
    expect(rows[0]!.created_at.getTime() - started).toBeGreaterThanOrEqual(3.5 * 3600_000 - 1000);
    await sendMessage(engine, id, { name: 'returned', payload: {}, actorId: 'archivist' });
    expect((await result(id)).status).toBe('returned');
  });

  it('a reminder whose recipient has left is skipped, and the process goes on', async () => {
    const id = await engine.start({ key: 'test.loan', version: 1 }, 'floor-sales-2');
    await engine.db.sql`update users set active = false where id = 'floor-sales-2'`;
    await engine.env.sleep(5 * 3600_000);
    const [recovery] = await openTasks(engine, id);
    expect(recovery!.nodeId).toBe('recover');
    const [reminder] = await engine.db.sql<{ detail: { userIds: string[] } }[]>`select detail from audit_log where process_id = ${id} and event = 'reminder.sent'`;
    expect(reminder!.detail.userIds).toEqual([]);
    await sendMessage(engine, id, { name: 'returned', payload: {}, actorId: 'archivist' });
    expect((await result(id)).status).toBe('returned_late');
  });

  it('message boundary event: a return while overdue closes the recovery task', async () => {
    const id = await engine.start({ key: 'test.loan', version: 1 }, 'finance-clerk');
    await engine.env.sleep('5h');
    const [recovery] = await openTasks(engine, id);
    expect(recovery!.nodeId).toBe('recover');
    await sendMessage(engine, id, { name: 'returned', payload: { condition: 'intact' }, actorId: 'archivist' });
    expect((await result(id)).status).toBe('returned_late');
    const [row] = await engine.db.sql<{ state: string; decided_by: string; outcome: string }[]>`select state, decided_by, outcome from tasks where id = ${recovery!.id}`;
    expect(row).toEqual({ state: 'completed', decided_by: 'archivist', outcome: 'returned' });
  });

  it('timer events by duration (4 calendar months) and by date, then a service task', async () => {
    const wakeAt = '2031-01-01T09:00:00+08:00';
    const id = await engine.start({ key: 'test.timers', version: 1 }, 'finance-clerk', { wakeAt });
    expect((await result(id)).status).toBe('done');
    const fired = await engine.db.sql<{ at: Date }[]>`select at from audit_log where process_id = ${id} and event = 'timer.fired' order by seq`;
    expect(fired).toHaveLength(2);
    expect(fired[1]!.at.getTime()).toBeGreaterThanOrEqual(Date.parse(wakeAt));
    const [notice] = await engine.db.sql<{ user_id: string; text: string }[]>`select user_id, text from notifications where process_id = ${id}`;
    expect(notice).toEqual({ user_id: 'finance-clerk', text: 'time is up' });
  });

  it('call activity: the child process runs to its end and the parent routes on its status', async () => {
    const id = await engine.start({ key: 'test.caller', version: 1 }, 'finance-clerk', { amount: 1 });
    let children = (await processState(engine, id)).children;
    for (let i = 0; children.length === 0 && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      children = (await processState(engine, id)).children;
    }
    const childId = children[0]!.processId;
    expect(childId).toMatch(new RegExp(`^${id}\\.child\\.`));
    const [task] = await openTasks(engine, childId);
    await decide(engine, childId, task!.id, 'finance-manager', 'reject');
    expect((await result(id)).status).toBe('rejected');
    expect((await result(childId)).status).toBe('rejected');
  });
});
