// A worker that stops mid-process (crash or deploy) loses nothing: on the real Temporal dev
// server, whose sticky-queue timeouts hand the instance to the next worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTask } from '../../api/engine-client.ts';
import { approvalDefinition } from '../support/definitions.ts';
import { decide, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

describe('worker restart', () => {
  let engine: EngineHarness;
  beforeAll(async () => {
    engine = await startEngine({ server: 'dev' });
    await engine.publish(approvalDefinition);
  });
  afterAll(() => engine?.teardown());

  it('a decision sent while no worker runs is applied once a new worker starts, with nothing lost or doubled', async () => {
    const id = await engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 5000 });
    const [task] = await openTasks(engine, id);
    await engine.stopWorker();
    const pending = completeTask(engine, id, { taskId: task!.id, actorId: 'finance-manager', outcome: 'approve' }, 'while-down');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await engine.restartWorker();
    expect((await pending).outcome).toBe('approve');
    const [gm] = await openTasks(engine, id);
    expect(gm!.nodeId).toBe('gmApproval');
    await decide(engine, id, gm!.id, 'gm', 'approve');
    expect((await engine.client.workflow.getHandle(id).result()).status).toBe('approved');
    const rows = await engine.db.sql<{ event: string; n: number }[]>`
      select event, count(*)::int as n from audit_log where process_id = ${id} group by event order by event`;
    expect(rows).toEqual([
      { event: 'process.ended', n: 1 },
      { event: 'process.started', n: 1 },
      { event: 'task.completed', n: 2 },
      { event: 'task.opened', n: 2 },
    ]);
  });

});
