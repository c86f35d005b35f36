// Issue #22, suspected items that need an activity to be slow or down: the real activities,
// with a gate held in front of the candidate look-up and a service made to keep failing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type Activities } from '../../areas/catalogue.ts';
import type { EngineActivities } from '../../engine/activities/engine-types.ts';
import { cancelProcess, completeTask } from '../../engine/client.ts';
import { quickEscalationDefinition, serviceDefinition } from '../support/definitions.ts';
import { openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

describe('engine with a slow look-up or a failing service (#22 suspected)', () => {
  let engine: EngineHarness;
  let real: Activities;
  /** While set, candidate look-ups wait for it; `held` counts the look-ups waiting. */
  let gate: Promise<void> | undefined;
  let held = 0;
  const failing = new Set<string>();
  const activities: EngineActivities = {
    resolveCandidates: async (input) => {
      if (gate) {
        held += 1;
        await gate;
        held -= 1;
      }
      return real.resolveCandidates(input);
    },
    project: (batch) => real.project(batch),
    runService: async (input) => {
      if (failing.has(input.processId)) throw new Error('the service is down');
      return real.runService(input);
    },
  };
  const until = async (ok: () => boolean | Promise<boolean>, what: string) => {
    for (let i = 0; i < 300; i += 1) {
      if (await ok()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    engine = await startEngine({ server: 'dev', suite: 'held', activities });
    real = createActivities({ sql: engine.db.sql, client: engine.client });
    for (const definition of [quickEscalationDefinition, serviceDefinition]) await engine.publish(definition);
  });
  afterAll(() => engine?.teardown());

  it('#22 suspected: a task decided while the escalation looks up the GM is not escalated', async () => {
    const id = await engine.start({ key: 'test.escalation.quick', version: 1 }, 'finance-clerk');
    const [task] = await openTasks(engine, id);
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    await until(() => held === 1, 'the escalation to look up the GM');
    const answer = completeTask(engine, id, { taskId: task!.id, actorId: 'office-director', outcome: 'approve' });
    await until(async () => (await engine.client.workflow.getHandle(id).fetchHistory()).events!.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes), 'the decision to be accepted');
    gate = undefined;
    open();
    expect(await answer).toMatchObject({ decidedBy: 'office-director', status: 'approved' });
    const [row] = await engine.db.sql<{ candidate_ids: string[]; state: string }[]>`select candidate_ids, state from tasks where id = ${task!.id}`;
    expect(row).toEqual({ candidate_ids: ['office-director'], state: 'completed' });
    const escalated = await engine.db.sql`select 1 from audit_log where process_id = ${id} and event = 'task.escalated'`;
    expect(escalated).toHaveLength(0);
  }, 60_000);

  it('#22 suspected: cancelling during a service task that keeps failing is answered and closes the instance', async () => {
    const processId = `test-${randomUUID()}`;
    failing.add(processId);
    await engine.start({ key: 'test.service', version: 1 }, 'finance-clerk', {}, { processId });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const answer = await Promise.race([
      cancelProcess(engine, processId, 'finance-clerk', 'the service is down'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the cancel was not answered within 15 s')), 15_000)),
    ]);
    expect(answer).toEqual({ status: 'cancelled' });
    const [instance] = await engine.db.sql<{ status: string }[]>`select status from process_instances where id = ${processId}`;
    expect(instance).toEqual({ status: 'cancelled' });
  }, 60_000);
});
