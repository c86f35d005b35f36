// Issue #22, on the time-skipping server: boundary timers that must not fire early, and
// automatic outcomes that must not overrule the votes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState, sendMessage } from '../../engine/client.ts';
import { timedVotingDefinition, withdrawDefinition, withdrawReceiveDefinition } from '../support/definitions.ts';
import { decide, eventually, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('engine timers and votes (#22)', () => {
  let engine: EngineHarness;
  const result = (id: string) => engine.client.workflow.getHandle(id).result();
  const taskRows = (id: string) => engine.db.sql<{ node_id: string; state: string; decided_by: string | null; outcome: string | null }[]>`
    select node_id, state, decided_by, outcome from tasks where process_id = ${id} order by node_id`;

  beforeAll(async () => {
    engine = await startEngine({ suite: 'timers' });
    for (const definition of [withdrawDefinition, withdrawReceiveDefinition]) await engine.publish(definition);
    await engine.publish(timedVotingDefinition('test.vote.all.timed', 'all'));
  });
  afterAll(() => engine?.teardown());

  it('#22.1 a boundary timer does not fire early when a sibling branch takes the message', async () => {
    const id = await engine.start({ key: 'test.withdraw', version: 1 }, 'finance-clerk');
    await openTasks(engine, id, 2);
    await sendMessage(engine, id, { name: 'withdrawn', payload: {}, actorId: 'finance-clerk' });
    const closed = await eventually(() => taskRows(id), (rows) => rows.some((row) => row.state !== 'open'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // One branch took the message; the other is still open, its automatic outcome three days away.
    expect((await taskRows(id)).filter((row) => row.state === 'open')).toHaveLength(1);
    expect(closed.filter((row) => row.state === 'completed')).toEqual([expect.objectContaining({ decided_by: 'finance-clerk', outcome: 'withdrawn' })]);
    expect((await taskRows(id)).some((row) => row.decided_by === 'system')).toBe(false);
    const open = (await processState(engine, id)).openTasks[0]!;
    if (open.nodeId === 'quick') await decide(engine, id, open.id, 'gm', 'approve');
    else {
      await engine.env.sleep(3 * DAY);
      await eventually(() => taskRows(id), (rows) => rows.every((row) => row.state !== 'open'));
      expect((await taskRows(id)).find((row) => row.node_id === 'slow')).toMatchObject({ decided_by: 'system', outcome: 'approve' });
    }
    expect((await result(id)).status).toBe('done');
  });

  it('#22.1 a receive task does not send its reminder early when a sibling branch takes the message', async () => {
    const id = await engine.start({ key: 'test.withdraw.receive', version: 1 }, 'finance-clerk');
    await eventually(() => processState(engine, id), (s) => s.activeNodes.length === 2);
    await sendMessage(engine, id, { name: 'withdrawn', payload: {}, actorId: 'finance-clerk' });
    await eventually(() => processState(engine, id), (s) => s.activeNodes.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reminders = () => engine.db.sql<{ n: number }[]>`select count(*)::int as n from notifications where process_id = ${id}`.then((r) => r[0]!.n);
    const left = (await processState(engine, id)).activeNodes;
    expect(await reminders()).toBe(0);
    await engine.env.sleep(2 * HOUR);
    expect(await eventually(reminders, (n) => n > 0)).toBe(left[0] === 'reminding' ? 1 : 0);
    await sendMessage(engine, id, { name: 'withdrawn', payload: {}, actorId: 'finance-clerk' });
    expect((await result(id)).status).toBe('done');
  });

  it('#22.6 the automatic outcome does not override a 会签 (all) tally: one rejection rejects', async () => {
    const id = await engine.start({ key: 'test.vote.all.timed', version: 1 }, 'office-director');
    const tasks = await openTasks(engine, id, 3);
    await decide(engine, id, tasks[0]!.id, 'dgm-admin', 'reject');
    await engine.env.sleep(2 * DAY);
    const done = await result(id);
    expect(done.status).toBe('rejected');
    // The rejection carries the verdict: it is the deciding vote, though the tally closed later.
    expect(done.variables['vote']).toMatchObject({ outcome: 'reject', decidedBy: 'dgm-admin' });
    expect((await taskRows(id)).map((row) => `${row.decided_by}:${row.outcome}`).sort()).toEqual(['dgm-admin:reject', 'system:approve', 'system:approve']);
  });
});
