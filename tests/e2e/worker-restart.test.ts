// A worker that stops mid-process (crash or deploy) loses nothing: on the real Temporal dev
// server, whose sticky-queue timeouts hand the instance to the next worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTask } from '../../engine/client.ts';
import { approvalDefinition } from '../support/definitions.ts';
import { auditEventCounts, decide, openTasks, startEngine, twoStepApprovalAudit, type EngineHarness } from '../support/engine.ts';

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
    expect(await auditEventCounts(engine.db.sql, id)).toEqual(twoStepApprovalAudit);
  });

});
