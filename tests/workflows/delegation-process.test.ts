// A power of attorney (BOR-7) in motion, on the time-skipping server: given through the API, lived
// by the delegation.power-of-attorney process, felt by GM tasks of other processes as the delegate
// gains and loses the right to decide for the GM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState } from '../../engine/client.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { powerOfAttorneyDefinition } from '../../areas/delegation/definitions.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { decide, openTasks, type EngineHarness } from '../support/engine.ts';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;

const name = (en: string) => ({ en, zh: en });

/** A request the GM approves, with the secrecy level that scopes delegations. */
function gmApproval(key: string): ProcessDefinitionInput {
  return {
    key,
    version: 1,
    name: name('GM approval'),
    input: { secrecy: { type: 'enum', values: ['none', 'secret', 'confidential', 'top_secret'] } },
    powerOfAttorney: true,
    secrecy: 'secrecy',
    nodes: [
      { id: 'start', type: 'startEvent', next: 'approval' },
      { id: 'approval', type: 'userTask', name: name('GM approval'), candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['approve', 'reject'], next: { approve: 'approved', reject: 'rejected' } },
      { id: 'approved', type: 'endEvent', status: 'approved' },
      { id: 'rejected', type: 'endEvent', status: 'rejected' },
    ],
  };
}

/** The GM approves, the Archivist checks, the GM signs off: between the two, nothing waits on the GM. */
const approveCheckSign: ProcessDefinitionInput = {
  key: 'test.gm.sign-off',
  version: 1,
  powerOfAttorney: true,
  name: name('Approve, check, sign off'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'approval' },
    { id: 'approval', type: 'userTask', name: name('GM approval'), candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['approve'], next: 'check' },
    { id: 'check', type: 'userTask', name: name('Archivist check'), candidates: { anyOf: [{ role: 'archivist' }] }, outcomes: ['done'], next: 'signOff' },
    { id: 'signOff', type: 'userTask', name: name('GM sign-off'), candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['approve'], next: 'done' },
    { id: 'done', type: 'endEvent', status: 'approved' },
  ],
};

const keys = ['test.gm.timing', 'test.gm.expiry', 'test.gm.opening', 'test.gm.scope', 'test.gm.other', 'test.gm.revoke'];

let api: EngineApiSuite;
let engine: EngineHarness;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [powerOfAttorneyDefinition, approveCheckSign, ...keys.map(gmApproval)] });
  engine = api.engine;
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, json?: unknown) => api.request(userId, method, path, { json });

/** Workflow time: ahead of the wall clock once the suite has skipped time. */
const workflowNow = () => engine.env.currentTimeMs();

async function sleepUntil(ms: number): Promise<void> {
  await engine.env.sleep(Math.max(0, ms - (await workflowNow())));
}

/** The GM gives a power of attorney through the API; the period is in workflow time. */
async function giveDelegation(delegateId: string, from: number, to: number, scope: { processKeys?: string[]; maxSecrecy: string }): Promise<{ id: string; processId: string }> {
  const given = await call('gm', 'POST', '/api/v1/delegations', {
    delegateId,
    validFrom: new Date(from).toISOString(),
    validTo: new Date(to).toISOString(),
    scope,
    reason: 'Business trip',
  });
  expect(given.status).toBe(201);
  return given.body;
}

async function pendingGmTask(key: string, secrecy = 'none'): Promise<{ processId: string; taskId: string }> {
  const processId = await engine.start({ key, version: 1 }, 'finance-clerk', { secrecy });
  const [task] = await openTasks(engine, processId);
  return { processId, taskId: task!.id };
}

const decideAs = (userId: string, taskId: string) => call(userId, 'POST', `/api/v1/tasks/${encodeURIComponent(taskId)}/complete`, { outcome: 'approve' });

/** The delegates of the process's open task, once they satisfy `ok` (announcements arrive asynchronously). */
async function delegatesOf(processId: string, ok: (delegates: string[]) => boolean = () => true): Promise<string[]> {
  let delegates: string[] = [];
  for (let attempt = 0; attempt < 100; attempt += 1) {
    delegates = Object.keys((await processState(engine, processId)).openTasks[0]?.delegates ?? {});
    if (ok(delegates)) return delegates;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return delegates;
}

async function delegationProcessStatus(processId: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const [row] = await engine.db.sql<{ status: string; ended: boolean }[]>`select status, ended_at is not null as ended from process_instances where id = ${processId}`;
    if (row?.ended) return row.status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

describe('a delegation in motion', () => {
  it('BOR-7 a GM task pending before the delegation becomes decidable by the delegate exactly when it starts, not a second earlier, on behalf of the GM', async () => {
    const pending = await pendingGmTask('test.gm.timing');
    const start = (await workflowNow()) + HOUR;
    const delegation = await giveDelegation('dgm-admin', start, start + 2 * HOUR, { processKeys: ['test.gm.timing'], maxSecrecy: 'none' });
    expect((await processState(engine, delegation.processId)).activeNodes).toEqual(['awaitStart']);

    await sleepUntil(start - SECOND);
    const early = await decideAs('dgm-admin', pending.taskId);
    // ACC-1: not yet a delegate, they may not know the GM's task exists.
    expect(early.status).toBe(404);
    expect(early.body.code).toBe('TASK_NOT_FOUND');
    expect(await delegatesOf(pending.processId)).toEqual([]);

    await sleepUntil(start + SECOND);
    expect(await delegatesOf(pending.processId, (d) => d.length > 0)).toEqual(['dgm-admin']);
    const onTime = await decideAs('dgm-admin', pending.taskId);
    expect(onTime.status).toBe(200);
    expect(onTime.body).toMatchObject({ decidedBy: 'dgm-admin', onBehalfOf: 'gm', delegationId: delegation.id, status: 'approved' });

    const audit = await engine.db.sql<{ event: string; at: Date; actor_id: string; on_behalf_of: string; delegation_id: string }[]>`
      select event, at, actor_id, on_behalf_of, delegation_id from audit_log
      where process_id = ${pending.processId} and event in ('task.delegate_added', 'task.completed') order by seq`;
    expect(audit.map((entry) => entry.event)).toEqual(['task.delegate_added', 'task.completed']);
    expect(audit[0]!.at.getTime()).toBeGreaterThanOrEqual(start);
    // The audit trail names both people: who decided and for whom, under which power of attorney.
    expect(audit[1]).toMatchObject({ actor_id: 'dgm-admin', on_behalf_of: 'gm', delegation_id: delegation.id });
    const [task] = await engine.db.sql`select decided_by, on_behalf_of, delegation_id from tasks where id = ${pending.taskId}`;
    expect(task).toEqual({ decided_by: 'dgm-admin', on_behalf_of: 'gm', delegation_id: delegation.id });
    const detail = await call('finance-clerk', 'GET', `/api/v1/processes/${pending.processId}`);
    expect(detail.body.decisions).toEqual([expect.objectContaining({ decidedBy: 'dgm-admin', onBehalfOf: 'gm', delegationId: delegation.id })]);
  });

  it('BOR-7 the GM still decides during the delegation, and after it expires the delegate is refused while the GM is not', async () => {
    const start = await workflowNow();
    const end = start + 2 * HOUR;
    const delegation = await giveDelegation('dgm-admin', start, end, { processKeys: ['test.gm.expiry'], maxSecrecy: 'none' });
    const duringByGm = await pendingGmTask('test.gm.expiry');
    expect(await delegatesOf(duringByGm.processId)).toEqual(['dgm-admin']);
    const byGm = await decideAs('gm', duringByGm.taskId);
    expect(byGm.status).toBe(200);
    expect(byGm.body).toMatchObject({ decidedBy: 'gm', onBehalfOf: null, delegationId: null });

    const late = await pendingGmTask('test.gm.expiry');
    expect(await delegatesOf(late.processId)).toEqual(['dgm-admin']);
    await sleepUntil(end + SECOND);
    const refused = await decideAs('dgm-admin', late.taskId);
    expect(refused.status).toBe(403);
    expect(await delegationProcessStatus(delegation.processId)).toBe('ended');
    expect(await delegatesOf(late.processId, (d) => d.length === 0)).toEqual([]);
    expect((await decideAs('gm', late.taskId)).status).toBe(200);
  });

  it('BOR-7 a task that opens while a delegation is in force has the delegate at once', async () => {
    const start = await workflowNow();
    const delegation = await giveDelegation('office-director', start, start + HOUR, { processKeys: ['test.gm.opening'], maxSecrecy: 'secret' });
    const opened = await pendingGmTask('test.gm.opening', 'secret');
    const [task] = await openTasks(engine, opened.processId);
    expect(task!.delegates).toEqual({ 'office-director': expect.objectContaining({ delegationId: delegation.id, principalId: 'gm' }) });
    const decided = await decideAs('office-director', opened.taskId);
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ decidedBy: 'office-director', onBehalfOf: 'gm', delegationId: delegation.id });
  });

  it('BOR-7 a delegate outside the scope is refused: a process the delegation does not name, or a secrecy above its ceiling', async () => {
    const start = (await workflowNow()) + HOUR;
    const before = {
      otherProcess: await pendingGmTask('test.gm.other', 'none'),
      tooSecret: await pendingGmTask('test.gm.scope', 'confidential'),
      inScope: await pendingGmTask('test.gm.scope', 'secret'),
    };
    await giveDelegation('dgm-sales', start, start + 4 * HOUR, { processKeys: ['test.gm.scope'], maxSecrecy: 'secret' });
    await sleepUntil(start + SECOND);
    // announced: the task in scope gains the delegate, the others do not
    expect(await delegatesOf(before.inScope.processId, (d) => d.length > 0)).toEqual(['dgm-sales']);
    for (const outside of [before.otherProcess, before.tooSecret]) {
      expect(await delegatesOf(outside.processId)).toEqual([]);
      // ACC-1: never their delegate, they may not know the task exists.
      expect((await decideAs('dgm-sales', outside.taskId)).status).toBe(404);
    }
    expect((await decideAs('dgm-sales', before.inScope.taskId)).status).toBe(200);
    // and tasks opening during the delegation are scoped the same way
    for (const [key, secrecy] of [['test.gm.other', 'none'], ['test.gm.scope', 'confidential']] as const) {
      const opened = await pendingGmTask(key, secrecy);
      expect((await decideAs('dgm-sales', opened.taskId)).body.code).toBe('TASK_NOT_FOUND');
    }
  });

  it('BOR-7 once revocation is answered the delegate can no longer decide, and the delegation process ends as revoked', async () => {
    const start = await workflowNow();
    const pending = await pendingGmTask('test.gm.revoke');
    const delegation = await giveDelegation('dgm-admin', start, start + 4 * HOUR, { processKeys: ['test.gm.revoke'], maxSecrecy: 'none' });
    expect(await delegatesOf(pending.processId, (d) => d.length > 0)).toEqual(['dgm-admin']);

    const revoked = await call('gm', 'POST', `/api/v1/delegations/${delegation.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const refused = await decideAs('dgm-admin', pending.taskId);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('NOT_A_CANDIDATE');
    expect(await delegationProcessStatus(delegation.processId)).toBe('revoked');
    const opened = await pendingGmTask('test.gm.revoke');
    expect(await delegatesOf(opened.processId)).toEqual([]);
    expect((await decideAs('gm', pending.taskId)).status).toBe(200);
  });

  it('BOR-7 a revocation reaches an instance that heard of the delegation even while none of its tasks waits on the GM', async () => {
    const processId = await engine.start({ key: 'test.gm.sign-off', version: 1 }, 'finance-clerk');
    const [approval] = await openTasks(engine, processId);
    const start = await workflowNow();
    // the instance is told of it while its first GM task is open
    const delegation = await giveDelegation('dgm-admin', start, start + 4 * HOUR, { processKeys: ['test.gm.sign-off'], maxSecrecy: 'none' });
    expect(await delegatesOf(processId, (d) => d.length > 0)).toEqual(['dgm-admin']);
    await decide(engine, processId, approval!.id, 'gm', 'approve');
    const [check] = await openTasks(engine, processId);
    expect(check!.nodeId).toBe('check');

    expect((await call('gm', 'POST', `/api/v1/delegations/${delegation.id}/revoke`)).status).toBe(200);
    await decide(engine, processId, check!.id, 'archivist', 'done');
    const [signOff] = await openTasks(engine, processId);
    expect(signOff!.nodeId).toBe('signOff');
    expect(signOff!.delegates).toEqual({});
    expect((await decideAs('dgm-admin', signOff!.id)).status).toBe(403);
  });
});
