import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiSuite, type ApiSuite, type EngineApiSuite, type Reply } from '../support/api-suite.ts';
import { approvalDefinition, parallelDefinition } from '../support/definitions.ts';
import type { EngineHarness } from '../support/engine.ts';

const approval = { key: 'test.approval', version: 1 };

let api: EngineApiSuite;
let engine: EngineHarness;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [approvalDefinition, parallelDefinition] });
  engine = api.engine;
});

afterAll(() => api?.teardown());

const call: ApiSuite['request'] = (...args) => api.request(...args);

const complete = (userId: string, taskId: string, json: unknown, headers: Record<string, string> = {}) =>
  call(userId, 'POST', `/api/v1/tasks/${encodeURIComponent(taskId)}/complete`, { json, headers });

/** The process's open task in the user's inbox, once the workflow has opened it. */
async function waitForMyTask(userId: string, processId: string): Promise<{ id: string; via: string; nodeId: string }> {
  for (let i = 0; i < 100; i += 1) {
    const { body } = await call(userId, 'GET', '/api/v1/tasks?limit=200');
    const task = (body.tasks as { id: string; processId: string; via: string; nodeId: string }[]).find((t) => t.processId === processId);
    if (task) return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no task of ${processId} opened for ${userId}`);
}

/** The decisions the workflow accepted (Update accepted events), with their update ids. */
async function acceptedDecisions(processId: string): Promise<{ updateId: string; actorId: string; taskId: string }[]> {
  const history = await engine.client.workflow.getHandle(processId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (!accepted?.acceptedRequest) return [];
    const payload = accepted.acceptedRequest.input?.args?.payloads?.[0]?.data;
    const input = JSON.parse(Buffer.from(payload ?? []).toString('utf8')) as { actorId: string; taskId: string };
    return [{ updateId: accepted.acceptedRequest.meta?.updateId ?? '', actorId: input.actorId, taskId: input.taskId }];
  });
}

describe('deciding tasks through the API', () => {
  it('the candidate sees the task, decides it, and the GM then sees the next one', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 5000 });
    const mine = await waitForMyTask('finance-manager', id);
    expect(mine).toMatchObject({ nodeId: 'managerReview', via: 'direct', state: 'open', candidateIds: ['finance-manager'], outcomes: ['approve', 'reject'] });
    expect(mine).toMatchObject({ name: { en: 'Manager review', zh: '部门经理审核' }, process: { key: 'test.approval', version: 1, initiatorId: 'finance-clerk' } });

    const decided = await complete('finance-manager', mine.id, { outcome: 'approve', comment: 'within budget', data: { note: 'ok' } });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ taskId: mine.id, outcome: 'approve', decidedBy: 'finance-manager', onBehalfOf: null, delegationId: null, status: 'running' });
    expect(decided.body.nextTasks).toEqual([expect.objectContaining({ nodeId: 'gmApproval', candidateIds: ['gm'], state: 'open' })]);

    const gmTask = await waitForMyTask('gm', id);
    expect(gmTask).toMatchObject({ nodeId: 'gmApproval', via: 'direct' });
    expect((await call('finance-manager', 'GET', '/api/v1/tasks')).body.tasks.some((t: { processId: string }) => t.processId === id)).toBe(false);

    const history = await call('finance-manager', 'GET', '/api/v1/tasks?state=completed');
    expect(history.body.tasks[0]).toMatchObject({
      id: mine.id,
      state: 'completed',
      via: 'direct',
      decision: { outcome: 'approve', decidedBy: 'finance-manager', comment: 'within budget', data: { note: 'ok' } },
    });
  });

  it('ACC-1 refuses a non-candidate who sees the task with 403 NOT_A_CANDIDATE, anyone else with 404, and the refusal never enters the history', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 10 });
    const task = await waitForMyTask('finance-manager', id);
    const hidden = await complete('biz-manager', task.id, { outcome: 'approve' }, { 'idempotency-key': 'refused-0' });
    expect(hidden.body).toMatchObject({ status: 404, code: 'TASK_NOT_FOUND' });
    const refused = await complete('finance-clerk', task.id, { outcome: 'approve' }, { 'idempotency-key': 'refused-1' });
    expect(refused.status).toBe(403);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ status: 403, code: 'NOT_A_CANDIDATE' });
    expect(await acceptedDecisions(id)).toEqual([]);
    // and the task is still open for its candidate
    expect((await complete('finance-manager', task.id, { outcome: 'approve' })).status).toBe(200);
    expect((await acceptedDecisions(id)).map((d) => d.actorId)).toEqual(['finance-manager']);
  });

  it('answers a retried decision with the same Idempotency-Key with the first answer, deciding once', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 5000 });
    const task = await waitForMyTask('finance-manager', id);
    const headers = { 'idempotency-key': 'decision-7f3a' };
    const first = await complete('finance-manager', task.id, { outcome: 'approve' }, headers);
    const retried = await complete('finance-manager', task.id, { outcome: 'approve' }, headers);
    expect(first.status).toBe(200);
    expect(retried.status).toBe(200);
    const result = ({ nextTasks: _next, ...rest }: Record<string, unknown>) => rest;
    expect(result(retried.body)).toEqual(result(first.body));
    expect(await acceptedDecisions(id)).toHaveLength(1);
    const audit = await engine.db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where process_id = ${id} and event = 'task.completed'`;
    expect(audit[0]!.n).toBe(1);
    expect((await call('finance-clerk', 'GET', `/api/v1/processes/${id}`)).body.decisions).toHaveLength(1);
  });

  it('answers a second decision without a key with 409 TASK_ALREADY_COMPLETED', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 5000 });
    const task = await waitForMyTask('finance-manager', id);
    expect((await complete('finance-manager', task.id, { outcome: 'approve' })).status).toBe(200);
    const again = await complete('finance-manager', task.id, { outcome: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, code: 'TASK_ALREADY_COMPLETED' });
  });

  it('answers 409 for a task of a process that has ended, and a retry with its key with the first answer', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 10 });
    const task = await waitForMyTask('finance-manager', id);
    const decided = await complete('finance-manager', task.id, { outcome: 'reject' }, { 'idempotency-key': 'k-end' });
    expect(decided.body).toMatchObject({ status: 'rejected', nextTasks: [] });
    await engine.client.workflow.getHandle(id).result();
    const retried = await complete('finance-manager', task.id, { outcome: 'reject' }, { 'idempotency-key': 'k-end' });
    // a retry of the decision that ended it still gets the first answer
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ taskId: task.id, outcome: 'reject', decidedBy: 'finance-manager', status: 'rejected' });
    const again = await complete('finance-manager', task.id, { outcome: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'TASK_ALREADY_COMPLETED' });
  });

  it('refuses an outcome the task does not have, and invalid form data, with 422', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 10 });
    const task = await waitForMyTask('finance-manager', id);
    const outcome = await complete('finance-manager', task.id, { outcome: 'maybe' });
    expect(outcome.status).toBe(422);
    expect(outcome.body).toMatchObject({ status: 422, code: 'INVALID_OUTCOME' });
    const data = await complete('finance-manager', task.id, { outcome: 'approve', data: { note: 42 } });
    expect(data.status).toBe(422);
    expect(data.type).toBe('application/problem+json');
    expect(data.body).toMatchObject({ status: 422, code: 'INVALID_TASK_DATA', errors: [expect.objectContaining({ path: 'note' })] });
    expect(await acceptedDecisions(id)).toEqual([]);
  });

  it('answers 400 for a malformed body, 404 for an unknown task, 401 without a token', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 10 });
    const task = await waitForMyTask('finance-manager', id);
    const path = `/api/v1/tasks/${encodeURIComponent(task.id)}/complete`;
    const noOutcome = await complete('finance-manager', task.id, { verdict: 'approve' });
    expect(noOutcome.status).toBe(400);
    expect(noOutcome.body).toMatchObject({ status: 400, code: 'INVALID_INPUT', errors: expect.any(Array) });
    const wrongType = await complete('finance-manager', task.id, { outcome: 'approve', data: 'yes' });
    expect(wrongType.body).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    const notJson = await call('finance-manager', 'POST', path, { raw: '{"outcome": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.type).toBe('application/problem+json');

    const unknown = await complete('finance-manager', 'no-such-task', { outcome: 'approve' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, code: 'TASK_NOT_FOUND' });
    expect((await call(null, 'POST', path, { json: { outcome: 'approve' } })).status).toBe(401);
    expect(await acceptedDecisions(id)).toEqual([]);
  });
});

describe('reading tasks', () => {
  it('shows a task to its candidate and the initiator, 404 to anyone else', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 10 });
    const task = await waitForMyTask('finance-manager', id);
    const path = `/api/v1/tasks/${encodeURIComponent(task.id)}`;
    const seen = await call('finance-manager', 'GET', path);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: task.id, processId: id, form: { note: { type: 'string', required: false } }, decision: null });
    expect((await call('finance-clerk', 'GET', path)).status).toBe(200);
    const outsider = await call('biz-sales-1', 'GET', path);
    expect(outsider.status).toBe(404);
    expect(outsider.body).toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect((await call('finance-manager', 'GET', '/api/v1/tasks/nothing-here')).status).toBe(404);
  });

  it('pages through my open tasks with a cursor', async () => {
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push(await engine.start(approval, 'finance-clerk', { amount: 10 }));
    for (const id of ids) await waitForMyTask('finance-manager', id);
    const all = (await call('finance-manager', 'GET', '/api/v1/tasks?limit=200')).body.tasks.map((t: { id: string }) => t.id) as string[];
    expect(all.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply = await call('finance-manager', 'GET', `/api/v1/tasks?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.tasks.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.tasks.map((t: { id: string }) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);

    expect((await call('finance-manager', 'GET', '/api/v1/tasks?limit=201')).body).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect((await call('finance-manager', 'GET', '/api/v1/tasks?cursor=bogus')).body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
    expect((await call('finance-manager', 'GET', '/api/v1/tasks?state=everything')).body).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect((await call('biz-sales-1', 'GET', '/api/v1/tasks')).body).toEqual({ tasks: [], nextCursor: null });
  });

  it('lists a task to a delegate, marked as by delegation', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 10 });
    const task = await waitForMyTask('finance-manager', id);
    // The projection as the engine writes it when a power of attorney applies (BOR-7).
    await engine.db.sql`update tasks set delegate_ids = array['finance-director'] where id = ${task.id}`;
    expect(await waitForMyTask('finance-director', id)).toMatchObject({ id: task.id, via: 'delegation' });
  });
});

describe('GET /api/v1/processes/{id}', () => {
  it('shows a running instance from the workflow and an ended one from PostgreSQL, in one shape', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 5000 });
    const task = await waitForMyTask('finance-manager', id);
    await complete('finance-manager', task.id, { outcome: 'approve', comment: 'fine' });

    const running = await call('finance-clerk', 'GET', `/api/v1/processes/${id}`);
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({
      id,
      definition: approval,
      status: 'running',
      initiatorId: 'finance-clerk',
      endedAt: null,
      activeNodes: ['gmApproval'],
      openTasks: [{ nodeId: 'gmApproval', candidateIds: ['gm'] }],
      decisions: [{ taskId: task.id, nodeId: 'managerReview', outcome: 'approve', decidedBy: 'finance-manager', comment: 'fine' }],
      source: 'workflow',
    });
    expect(running.body.auditTrail.map((e: { event: string }) => e.event)).toEqual(['process.started', 'task.opened', 'task.completed', 'task.opened']);

    const gmTask = running.body.openTasks[0].id as string;
    expect((await complete('gm', gmTask, { outcome: 'approve' })).status).toBe(200);
    await engine.client.workflow.getHandle(id).result();
    const ended = await call('finance-manager', 'GET', `/api/v1/processes/${id}`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ id, status: 'approved', activeNodes: [], openTasks: [], source: 'projection', endedAt: expect.any(String) });
    expect(ended.body.decisions.map((d: { decidedBy: string; outcome: string }) => [d.decidedBy, d.outcome])).toEqual([
      ['finance-manager', 'approve'],
      ['gm', 'approve'],
    ]);
    // the same keys either way
    expect(Object.keys(ended.body).sort()).toEqual(Object.keys(running.body).sort());
    expect(Object.keys(ended.body.decisions[0]).sort()).toEqual(Object.keys(running.body.decisions[0]).sort());
  });

  it('pages open tasks and decisions (GET /api/v1/processes/{id}/open-tasks, /decisions) across a page boundary, to what the detail carries', async () => {
    const id = await engine.start({ key: 'test.parallel', version: 1 }, 'finance-clerk', {});
    const finance = await waitForMyTask('finance-director', id);
    const hr = await waitForMyTask('hr-manager', id);
    /** Every item of a paged list, following nextCursor from the first page; and how many pages it took. */
    const follow = async (route: string, field: string): Promise<{ items: { id?: string; taskId?: string }[]; pages: number }> => {
      const items: { id?: string; taskId?: string }[] = [];
      let pages = 0;
      for (let cursor: string | null = null; pages === 0 || cursor !== null; pages += 1) {
        const page: Reply = await call('finance-clerk', 'GET', `${route}?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status, route).toBe(200);
        items.push(...page.body[field]);
        cursor = page.body.nextCursor;
      }
      return { items, pages };
    };

    const running = await call('finance-clerk', 'GET', `/api/v1/processes/${id}`);
    expect(running.body).toMatchObject({ source: 'workflow', openTasksNext: null, decisionsNext: null });
    const open = await follow(`/api/v1/processes/${id}/open-tasks`, 'openTasks');
    expect(open.pages).toBe(2);
    // The running detail lists them as the workflow has them (the two opened in the same instant).
    expect(new Set(open.items.map((t) => t.id))).toEqual(new Set(running.body.openTasks.map((t: { id: string }) => t.id)));
    expect(new Set(open.items.map((t) => t.id))).toEqual(new Set([finance.id, hr.id]));

    expect((await complete('finance-director', finance.id, { outcome: 'done' })).status).toBe(200);
    expect((await complete('hr-manager', hr.id, { outcome: 'done' })).status).toBe(200);
    const ended = await call('finance-clerk', 'GET', `/api/v1/processes/${id}`);
    expect(ended.body).toMatchObject({ openTasks: [], openTasksNext: null, decisionsNext: null });
    expect(ended.body.decisions).toHaveLength(2);
    const decisions = await follow(`/api/v1/processes/${id}/decisions`, 'decisions');
    expect(decisions.pages).toBe(2);
    expect(decisions.items).toEqual(ended.body.decisions);
    expect((await follow(`/api/v1/processes/${id}/open-tasks`, 'openTasks')).items).toEqual([]);

    for (const route of ['open-tasks', 'decisions']) {
      expect((await call('biz-sales-1', 'GET', `/api/v1/processes/${id}/${route}`)).body.code, route).toBe('PROCESS_NOT_FOUND');
      for (const cursor of ['no!', Buffer.from('["x"]').toString('base64url'), Buffer.from('["2026-02-30 00:00:00+00","t"]').toString('base64url')]) {
        const refused = await call('finance-clerk', 'GET', `/api/v1/processes/${id}/${route}?cursor=${encodeURIComponent(cursor)}`);
        expect(refused.status, `${route} ${cursor}`).toBe(400);
        expect(refused.body.code).toBe('INVALID_CURSOR');
      }
    }
  });

  it('pages the audit trail (GET /api/v1/processes/{id}/audit-trail), to the same events the detail carries, for those who may see it', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 5000 });
    const task = await waitForMyTask('finance-manager', id);
    await complete('finance-manager', task.id, { outcome: 'approve' });
    const detail = await call('finance-clerk', 'GET', `/api/v1/processes/${id}`);
    expect(detail.body.auditTrailNext).toBeNull();
    const paged: unknown[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page: Reply = await call('finance-clerk', 'GET', `/api/v1/processes/${id}/audit-trail?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      paged.push(...page.body.events);
      cursor = page.body.nextCursor;
      pages += 1;
    }
    expect(paged).toEqual(detail.body.auditTrail);
    expect(pages).toBe(detail.body.auditTrail.length);
    expect((await call('biz-sales-1', 'GET', `/api/v1/processes/${id}/audit-trail`)).status).toBe(404);
    expect((await call('finance-clerk', 'GET', `/api/v1/processes/${id}/audit-trail?cursor=${Buffer.from('["x"]').toString('base64url')}`)).body.code).toBe('INVALID_CURSOR');
  });

  it('is visible to the initiator, participants and the Office Director; 404 to anyone else', async () => {
    const id = await engine.start(approval, 'finance-clerk', { amount: 10 });
    await waitForMyTask('finance-manager', id);
    for (const userId of ['finance-clerk', 'finance-manager', 'office-director', 'gm']) {
      expect((await call(userId, 'GET', `/api/v1/processes/${id}`)).status, userId).toBe(200);
    }
    const outsider = await call('biz-sales-1', 'GET', `/api/v1/processes/${id}`);
    expect(outsider.status).toBe(404);
    expect(outsider.body).toMatchObject({ status: 404, code: 'PROCESS_NOT_FOUND' });
    expect((await call('gm', 'GET', '/api/v1/processes/no-such-process')).body).toMatchObject({ status: 404, code: 'PROCESS_NOT_FOUND' });
  });
});

describe('process definitions', () => {
  it('lists the published definitions and serves one as JSON and as BPMN', async () => {
    const list = await call('archivist', 'GET', '/api/v1/process-definitions');
    expect(list.status).toBe(200);
    expect(list.body.definitions).toContainEqual(expect.objectContaining({ key: 'test.approval', version: 1, name: { en: 'Approval', zh: 'Approval' } }));

    const one = await call('archivist', 'GET', '/api/v1/process-definitions/test.approval/1');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ key: 'test.approval', version: 1, nodes: expect.arrayContaining([expect.objectContaining({ id: 'managerReview' })]) });

    const bpmn = await call('archivist', 'GET', '/api/v1/process-definitions/test.approval/1/bpmn');
    expect(bpmn.status).toBe(200);
    expect(bpmn.type).toMatch(/^application\/xml/);
    expect(bpmn.text).toContain('<bpmn:userTask id="managerReview" name="Manager review / 部门经理审核">');
    expect(bpmn.text).toContain('<bpmndi:BPMNShape id="managerReview_di" bpmnElement="managerReview">');

    for (const path of ['/api/v1/process-definitions/test.approval/2', '/api/v1/process-definitions/nothing/1/bpmn']) {
      const missing = await call('archivist', 'GET', path);
      expect(missing.status, path).toBe(404);
      expect(missing.body).toMatchObject({ code: 'DEFINITION_NOT_FOUND' });
    }
    expect((await call('archivist', 'GET', '/api/v1/process-definitions/test.approval/one')).body).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect((await call(null, 'GET', '/api/v1/process-definitions')).status).toBe(401);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const { body } = await call(null, 'GET', '/api/v1/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/process-definitions',
        '/api/v1/process-definitions/{key}/{version}',
        '/api/v1/process-definitions/{key}/{version}/bpmn',
        '/api/v1/processes/{id}',
        '/api/v1/tasks',
        '/api/v1/tasks/{id}',
        '/api/v1/tasks/{id}/complete',
      ]),
    );
  });
});
