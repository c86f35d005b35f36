// The daily retention review's Temporal Schedule (DES-2), on the dev server: the Java
// time-skipping server does not implement schedules (CreateSchedule fails there). Created once,
// left alone when nothing changed, re-pinned when a new version of the definition is published,
// and a triggered run lists the due documents for the Archivist.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTask, processState } from '../../engine/client.ts';
import { findDefinition } from '../../engine/sql/definitions.ts';
import { insertDocument } from '../../areas/archive/sql.ts';
import { retentionReviewProcessKey } from '../../areas/destruction/rules.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { ensureProcessSchedule, ensureSchedules, pinnedDefinition } from '../../platform/schedules.ts';
import { retentionReviewSchedule } from '../../areas/destruction/schedules.ts';
import { retentionReviewDefinition } from '../../areas/destruction/definitions.ts';
import { startEngine, type EngineHarness } from '../support/engine.ts';

let engine: EngineHarness;

/** The other areas' schedules, whose processes this suite does not publish (tests/e2e/campaign-schedules.test.ts covers CYC-1's). */

beforeAll(async () => {
  engine = await startEngine({ server: 'dev' });
  await engine.publish(retentionReviewDefinition);
});

afterAll(async () => {
  await engine?.client.schedule
    .getHandle(retentionReviewSchedule.id)
    .delete()
    .catch(() => {});
  await engine?.teardown();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 300): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the condition never held');
}

describe('the retention review schedule', () => {
  it('DES-2 is created at 01:00 Asia/Shanghai with the definition pinned, and ensuring it again changes nothing', async () => {
    const definition = (await findDefinition(engine.db.sql, retentionReviewProcessKey, 1))!;
    expect(await ensureProcessSchedule(engine.client, engine.taskQueue, retentionReviewSchedule, definition)).toBe('created');
    const described = await engine.client.schedule.getHandle(retentionReviewSchedule.id).describe();
    expect(described.spec.timezone).toBe('Asia/Shanghai');
    expect(described.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 1, end: 1, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] })]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'runProcess', taskQueue: engine.taskQueue });
    expect(pinnedDefinition(described)).toEqual({ key: retentionReviewProcessKey, version: 1 });
    expect(described.action.args?.[0]).toMatchObject({ initiator: { id: 'system', departmentId: 'gm-office' }, definition: { nodes: definition.nodes } });

    expect(await ensureProcessSchedule(engine.client, engine.taskQueue, retentionReviewSchedule, definition)).toBe('unchanged');
    expect(await ensureSchedules({ client: engine.client, taskQueue: engine.taskQueue, sql: engine.db.sql, schedules: [retentionReviewSchedule] })).toEqual({ [retentionReviewSchedule.id]: 'unchanged' });
  });

  it('DES-2 pins the newest published version when the definition changes', async () => {
    const second: ProcessDefinitionInput = { ...structuredClone(retentionReviewDefinition), version: 2, description: 'Version 2: same steps, new wording.' };
    await engine.publish(second);
    expect(await ensureSchedules({ client: engine.client, taskQueue: engine.taskQueue, sql: engine.db.sql, schedules: [retentionReviewSchedule] })).toEqual({ [retentionReviewSchedule.id]: 'updated' });
    const described = await engine.client.schedule.getHandle(retentionReviewSchedule.id).describe();
    expect(pinnedDefinition(described)).toEqual({ key: retentionReviewProcessKey, version: 2 });
    expect(described.spec.timezone).toBe('Asia/Shanghai');
    expect(await ensureSchedules({ client: engine.client, taskQueue: engine.taskQueue, sql: engine.db.sql, schedules: [retentionReviewSchedule] })).toEqual({ [retentionReviewSchedule.id]: 'unchanged' });
  });

  it('DES-2 a triggered run lists the documents past their retention in a task for the Archivist', async () => {
    const due = `due-${randomUUID()}`;
    const permanent = `kept-${randomUUID()}`;
    const document = { title: 'Operating report 2010', departmentId: 'finance', original: true, location: 'Shelf 1', registeredBy: 'archivist', secrecy: 'none' } as const;
    await insertDocument(engine.db.sql, { ...document, id: due, reference: `R-${due}`, category: 'operating_report', retentionYears: 10, archivedOn: '2010-01-01' });
    await insertDocument(engine.db.sql, { ...document, id: permanent, reference: `R-${permanent}`, category: 'decision', retentionYears: null, archivedOn: '1995-01-01' });

    const handle = engine.client.schedule.getHandle(retentionReviewSchedule.id);
    await handle.trigger();
    const described = await until(
      () => handle.describe(),
      (d) => d.info.recentActions.length > 0,
    );
    const workflowId = described.info.recentActions[0]!.action.workflow.workflowId;
    expect(workflowId).toMatch(/^retention-review-/);

    const state = await until(
      () => processState(engine, workflowId),
      (view) => view.openTasks.length > 0,
    );
    expect(state.definition).toEqual({ key: retentionReviewProcessKey, version: 2 });
    const listed = (state.variables.due as { documentIds: string[] }).documentIds;
    expect(listed).toContain(due);
    expect(listed).not.toContain(permanent);
    const [task] = state.openTasks;
    expect(task).toMatchObject({ nodeId: 'reviewDue', candidateIds: ['archivist'] });

    await completeTask(engine, workflowId, { taskId: task!.id, actorId: 'archivist', outcome: 'reviewed' });
    expect((await engine.client.workflow.getHandle(workflowId).result()).status).toBe('reviewed');
  });
});
