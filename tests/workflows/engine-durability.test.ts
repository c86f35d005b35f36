// Boundary timers, continue-as-new, refusals, idempotent decisions, cancellation and worker
// restarts: what keeps a long approval correct while time passes and machines fail.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelProcess, completeTask, processState } from '../../engine/client.ts';
import { Forbidden, StateConflict } from '../../platform/errors.ts';
import { completeTaskUpdate, delegationSignal } from '../../engine/workflow/messages.ts';
import { approvalDefinition, autoOutcomeDefinition, cancellableDefinition, escalationDefinition } from '../support/definitions.ts';
import { decide, eventually, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('interpreter durability', () => {
  let engine: EngineHarness;
  const result = (id: string) => engine.client.workflow.getHandle(id).result();
  const reminders = (id: string) =>
    engine.db.sql<{ n: number }[]>`select count(*)::int as n from notifications where process_id = ${id} and kind = 'task.reminder'`.then((r) => r[0]!.n);

  beforeAll(async () => {
    engine = await startEngine({ suite: 'durability' });
    for (const definition of [approvalDefinition, autoOutcomeDefinition, cancellableDefinition, escalationDefinition]) await engine.publish(definition);
  });
  afterAll(() => engine?.teardown());

  it('reminders repeat daily from the due time, and the task escalates to the GM two days after it', async () => {
    const id = await engine.start({ key: 'test.escalation', version: 1 }, 'finance-clerk');
    const [task] = await openTasks(engine, id);
    expect(task!.dueAt! - task!.openedAt).toBe(DAY);
    await engine.env.sleep(DAY - HOUR);
    expect(await reminders(id)).toBe(0);
    await engine.env.sleep(2 * HOUR);
    expect(await eventually(() => reminders(id), (n) => n === 1)).toBe(1);
    await engine.env.sleep(DAY);
    expect(await eventually(() => reminders(id), (n) => n === 2)).toBe(2);
    await engine.env.sleep(DAY);
    const [row] = await eventually(
      () => engine.db.sql<{ candidate_ids: string[] }[]>`select candidate_ids from tasks where id = ${task!.id}`,
      (rows) => rows[0]?.candidate_ids[0] === 'gm',
    );
    expect(row!.candidate_ids).toEqual(['gm']);
    await expect(decide(engine, id, task!.id, 'finance-manager', 'approve')).rejects.toBeInstanceOf(Forbidden);
    await decide(engine, id, task!.id, 'gm', 'approve');
    expect((await result(id)).status).toBe('approved');
    const events = await engine.db.sql<{ event: string }[]>`select event from audit_log where process_id = ${id} order by seq`;
    expect(events.map((e) => e.event)).toContain('task.escalated');
  });

  it('an automatic outcome decides a task nobody decided in time', async () => {
    const id = await engine.start({ key: 'test.auto', version: 1 }, 'finance-clerk');
    expect((await result(id)).status).toBe('approved');
    const [task] = await engine.db.sql<{ decided_by: string; outcome: string }[]>`select decided_by, outcome from tasks where process_id = ${id}`;
    expect(task).toEqual({ decided_by: 'system', outcome: 'approve' });
  });

  it('continues as new before the history grows too long, keeping the open task and its timers', async () => {
    const id = await engine.start({ key: 'test.escalation', version: 1 }, 'finance-clerk', {}, { historyLimit: 40 });
    const [task] = await openTasks(engine, id);
    const handle = engine.client.workflow.getHandle(id);
    const firstRun = (await handle.describe()).runId;
    // Ten daily reminders write far more than 40 history events.
    await engine.env.sleep(11 * DAY);
    const described = await eventually(() => handle.describe(), (d) => d.runId !== firstRun);
    expect(described.runId).not.toBe(firstRun);
    const state = await processState(engine, id);
    expect(state.openTasks.map((t) => t.id)).toEqual([task!.id]);
    const count = await eventually(() => reminders(id), (n) => n >= 10);
    expect(count).toBeGreaterThanOrEqual(10);
    expect(count).toBeLessThanOrEqual(11);
    await decide(engine, id, task!.id, 'gm', 'approve');
    expect((await result(id)).status).toBe('approved');
    const [tasks] = await engine.db.sql<{ n: number }[]>`select count(*)::int as n from tasks where process_id = ${id}`;
    expect(tasks!.n).toBe(1);
  });

  it('an update from a non-candidate is refused and never enters the history', async () => {
    const id = await engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 1 });
    const [task] = await openTasks(engine, id);
    const handle = engine.client.workflow.getHandle(id);
    const refused = handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task!.id, actorId: 'biz-sales-1', outcome: 'approve' }], updateId: 'refused-1' });
    await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(completeTask(engine, id, { taskId: task!.id, actorId: 'biz-sales-1', outcome: 'approve' })).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
    await expect(completeTask(engine, id, { taskId: task!.id, actorId: 'finance-manager', outcome: 'maybe' })).rejects.toMatchObject({ code: 'INVALID_OUTCOME' });
    await expect(
      completeTask(engine, id, { taskId: task!.id, actorId: 'finance-manager', outcome: 'approve', data: { note: 42 } }),
    ).rejects.toMatchObject({ code: 'INVALID_TASK_DATA' });
    const history = await handle.fetchHistory();
    expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
    await decide(engine, id, task!.id, 'finance-manager', 'approve');
    expect((await result(id)).status).toBe('approved');
  });

  it('the same decision sent twice is applied once', async () => {
    const id = await engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 1 });
    const [task] = await openTasks(engine, id);
    const decision = { taskId: task!.id, actorId: 'finance-manager', outcome: 'approve' };
    const [first, second] = await Promise.all([completeTask(engine, id, decision, 'req-1'), completeTask(engine, id, decision, 'req-1')]);
    expect(second).toEqual(first);
    await expect(completeTask(engine, id, decision, 'req-2')).rejects.toBeInstanceOf(StateConflict);
    await result(id);
    // An ended process is never started again under its id.
    await expect(engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 1 }, { processId: id })).rejects.toMatchObject({ code: 'PROCESS_ALREADY_ENDED' });
    const [audit] = await engine.db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where process_id = ${id} and event = 'task.completed'`;
    expect(audit!.n).toBe(1);
    expect((await engine.client.workflow.getHandle(id).fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
  });

  it('the initiator cancels while allowed; others may not; after the first decision nobody can', async () => {
    const id = await engine.start({ key: 'test.cancellable', version: 1 }, 'finance-clerk');
    const [task] = await openTasks(engine, id);
    await expect(cancelProcess(engine, id, 'office-director')).rejects.toMatchObject({ code: 'NOT_THE_INITIATOR' });
    expect(await cancelProcess(engine, id, 'finance-clerk', 'no longer needed')).toEqual({ status: 'cancelled' });
    expect((await result(id)).status).toBe('cancelled');
    const [row] = await engine.db.sql<{ state: string }[]>`select state from tasks where id = ${task!.id}`;
    expect(row!.state).toBe('cancelled');
    const [instance] = await engine.db.sql<{ status: string; ended_at: Date | null }[]>`select status, ended_at from process_instances where id = ${id}`;
    expect(instance!.status).toBe('cancelled');
    expect(instance!.ended_at).not.toBeNull();

    const late = await engine.start({ key: 'test.cancellable', version: 1 }, 'finance-clerk');
    const [first] = await openTasks(engine, late);
    await decide(engine, late, first!.id, 'office-director', 'approve');
    await expect(cancelProcess(engine, late, 'finance-clerk')).rejects.toMatchObject({ code: 'NOT_CANCELLABLE' });
  });

  it('BOR-7 a delegate announced to a running process decides on behalf of the GM until the delegation ends', async () => {
    const id = await engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 5000 });
    const [review] = await openTasks(engine, id);
    await decide(engine, id, review!.id, 'finance-manager', 'approve');
    const [gmTask] = await openTasks(engine, id);
    // Workflow time on the test server has moved on with the earlier tests' sleeps.
    const now = await engine.env.currentTimeMs();
    const notice = { delegationId: 'dlg-1', principalId: 'gm', delegateId: 'dgm-admin', maxSecrecy: 'secret', validFrom: now, validTo: now + 2 * HOUR, active: true };
    const handle = engine.client.workflow.getHandle(id);
    await handle.signal(delegationSignal, notice);
    const withDelegate = await eventually(() => processState(engine, id), (s) => Object.keys(s.openTasks[0]?.delegates ?? {}).length > 0);
    expect(withDelegate.openTasks[0]!.delegates['dgm-admin']).toMatchObject({ delegationId: 'dlg-1', principalId: 'gm' });
    const answer = await decide(engine, id, gmTask!.id, 'dgm-admin', 'approve');
    expect(answer).toMatchObject({ decidedBy: 'dgm-admin', onBehalfOf: 'gm', delegationId: 'dlg-1' });
    const [row] = await engine.db.sql<{ decided_by: string; on_behalf_of: string; delegation_id: string }[]>`
      select decided_by, on_behalf_of, delegation_id from tasks where id = ${gmTask!.id}`;
    expect(row).toEqual({ decided_by: 'dgm-admin', on_behalf_of: 'gm', delegation_id: 'dlg-1' });
    const [audit] = await engine.db.sql<{ actor_id: string; on_behalf_of: string; rule_id: string | null }[]>`
      select actor_id, on_behalf_of, rule_id from audit_log where task_id = ${gmTask!.id} and event = 'task.completed'`;
    expect(audit).toMatchObject({ actor_id: 'dgm-admin', on_behalf_of: 'gm' });

    const expired = await engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 5000 });
    const [second] = await openTasks(engine, expired);
    await decide(engine, expired, second!.id, 'finance-manager', 'approve');
    const [gmAgain] = await openTasks(engine, expired);
    await engine.client.workflow.getHandle(expired).signal(delegationSignal, { ...notice, delegationId: 'dlg-2', validTo: (await engine.env.currentTimeMs()) + HOUR });
    await eventually(() => processState(engine, expired), (s) => Object.keys(s.openTasks[0]?.delegates ?? {}).length > 0);
    await engine.env.sleep(2 * HOUR);
    await expect(decide(engine, expired, gmAgain!.id, 'dgm-admin', 'approve')).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
    await decide(engine, expired, gmAgain!.id, 'gm', 'approve');
    expect((await result(expired)).status).toBe('approved');
  });
});
