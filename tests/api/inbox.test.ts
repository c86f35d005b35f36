// The inbox (issue 16.2): "my tasks" filtered by process key, business key, requester, due date,
// overdue and delegation, sorted by due date, counted per state; and "my requests".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';

/** One task for `approver`, due `dueMinutes` after it opens (negative: already past due). */
const inboxDefinition: ProcessDefinitionInput = {
  key: 'test.inbox',
  version: 1,
  name: { en: 'Inbox', zh: '待办' },
  input: { ref: { type: 'string' }, approver: { type: 'string' }, dueMinutes: { type: 'number' } },
  businessKey: 'ref',
  nodes: [
    { id: 'start', type: 'startEvent', next: 'review' },
    { id: 'review', type: 'userTask', name: { en: 'Review', zh: '审核' }, candidates: { anyOf: [{ user: 'approver' }] }, due: 'if dueMinutes < 0 then duration("-PT" + string(-dueMinutes) + "M") else duration("PT" + string(dueMinutes) + "M")', outcomes: ['done'], next: 'end' },
    { id: 'end', type: 'endEvent', status: 'done' },
  ],
};
const otherDefinition: ProcessDefinitionInput = { ...inboxDefinition, key: 'test.inbox-other' };

let api: EngineApiSuite;
/** Task ids by business key. */
const tasks: Record<string, string> = {};
const processes: Record<string, string> = {};

interface Listed {
  id: string;
  processId: string;
  via: string;
  process: { businessKey: string };
}

async function list(userId: string, query: string): Promise<string[]> {
  const reply = await api.request(userId, 'GET', `/api/v1/tasks?${query}`);
  expect(reply.status, reply.text).toBe(200);
  return (reply.body.tasks as Listed[]).map((t) => t.process.businessKey);
}

async function start(key: string, ref: string, initiator: string, approver: string, dueMinutes: number): Promise<void> {
  processes[ref] = await api.engine.start({ key, version: 1 }, initiator, { ref, approver, dueMinutes });
  // Generous: on a loaded machine the workflow may take a while to open its first task.
  for (const until = Date.now() + 60_000; !tasks[ref] && Date.now() < until; ) {
    const [row] = await api.engine.db.sql<{ id: string }[]>`select id from tasks where process_id = ${processes[ref]!} and state = 'open'`;
    if (row) tasks[ref] = row.id;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(tasks[ref], `the task of ${ref}`).toBeDefined();
}

beforeAll(async () => {
  api = await startApiSuite({ definitions: [inboxDefinition, otherDefinition] });
  // In the order they open: A, B, C, D.
  await start('test.inbox', 'A', 'biz-sales-1', 'finance-director', 120);
  await start('test.inbox', 'B', 'floor-sales-1', 'finance-director', -60);
  await start('test.inbox-other', 'C', 'biz-sales-1', 'finance-director', 60);
  await start('test.inbox', 'D', 'floor-sales-1', 'gm', 1440);
  // D reaches the Finance Director only as the GM's delegate (as a power of attorney would, BOR-7).
  await api.engine.db.sql`update tasks set delegate_ids = array['finance-director'] where id = ${tasks.D!}`;
});

afterAll(() => api?.teardown());

describe('my tasks, filtered and sorted', () => {
  it('lists the longest-waiting first by default, and the soonest due first when sorted by due date', async () => {
    expect(await list('finance-director', '')).toEqual(['A', 'B', 'C', 'D']);
    expect(await list('finance-director', 'sort=due')).toEqual(['B', 'C', 'A', 'D']);
  });

  it('pages through the due-date order with its cursor', async () => {
    const first = await api.request('finance-director', 'GET', '/api/v1/tasks?sort=due&limit=2');
    expect((first.body.tasks as Listed[]).map((t) => t.process.businessKey)).toEqual(['B', 'C']);
    const second = await api.request('finance-director', 'GET', `/api/v1/tasks?sort=due&limit=2&cursor=${first.body.nextCursor}`);
    expect((second.body.tasks as Listed[]).map((t) => t.process.businessKey)).toEqual(['A', 'D']);
    expect(second.body.nextCursor).toBeNull();
    // A cursor of one order is not read in another.
    const mixed = await api.request('finance-director', 'GET', `/api/v1/tasks?limit=2&cursor=${first.body.nextCursor}`);
    expect((mixed.body.tasks as Listed[]).map((t) => t.process.businessKey)).toEqual(['A', 'B']);
  });

  it.each([
    ['processKey=test.inbox-other', ['C']],
    ['businessKey=B', ['B']],
    ['requester=floor-sales-1', ['B', 'D']],
    [`dueBefore=${encodeURIComponent(new Date(Date.now() + 90 * 60_000).toISOString())}`, ['B', 'C']],
    ['overdue=true', ['B']],
    ['overdue=false', ['A', 'C', 'D']],
    ['via=delegation', ['D']],
    ['via=direct', ['A', 'B', 'C']],
    ['requester=biz-sales-1&processKey=test.inbox', ['A']],
  ])('filters by %s', async (query, expected) => {
    expect(await list('finance-director', query)).toEqual(expected);
  });

  it.each([
    ['sort=oldest'],
    ['overdue=maybe'],
    ['via=proxy'],
    ['dueBefore=tomorrow'],
    ['processKey=Not%20A%20Key'],
    ['requester=%20'],
  ])('refuses %s with a 400 problem', async (query) => {
    const reply = await api.request('finance-director', 'GET', `/api/v1/tasks?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.type).toContain('application/problem+json');
    expect(reply.body.code).toBe('INVALID_INPUT');
  });
});

describe('counts per state', () => {
  it('counts open, overdue, by delegation and completed tasks, under the filters', async () => {
    expect((await api.request('finance-director', 'GET', '/api/v1/tasks/counts')).body).toEqual({ open: 4, overdue: 1, viaDelegation: 1, completed: 0 });
    const done = await api.request('finance-director', 'POST', `/api/v1/tasks/${encodeURIComponent(tasks.A!)}/complete`, { json: { outcome: 'done' } });
    expect(done.status, done.text).toBe(200);
    expect((await api.request('finance-director', 'GET', '/api/v1/tasks/counts')).body).toEqual({ open: 3, overdue: 1, viaDelegation: 1, completed: 1 });
    expect((await api.request('finance-director', 'GET', '/api/v1/tasks/counts?processKey=test.inbox')).body).toEqual({ open: 2, overdue: 1, viaDelegation: 1, completed: 1 });
    expect((await api.request('finance-director', 'GET', '/api/v1/tasks/counts?requester=floor-sales-1')).body).toEqual({ open: 2, overdue: 1, viaDelegation: 1, completed: 0 });
    // Decided before it was due: not overdue among the completed.
    expect(await list('finance-director', 'state=completed&overdue=false')).toEqual(['A']);
    expect(await list('finance-director', 'state=completed&overdue=true')).toEqual([]);
  });

  it('refuses a bad filter with a 400 problem', async () => {
    const reply = await api.request('finance-director', 'GET', '/api/v1/tasks/counts?dueBefore=2026-13-01T00:00:00Z');
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('INVALID_INPUT');
  });
});

describe('my requests', () => {
  interface Request {
    processId: string;
    businessKey: string;
    status: string;
    endedAt: string | null;
    openTasks: { id: string; candidateIds: string[] }[];
  }
  const requests = async (userId: string, query = '') => {
    const reply = await api.request(userId, 'GET', `/api/v1/me/requests${query}`);
    expect(reply.status, reply.text).toBe(200);
    return reply.body as { requests: Request[]; nextCursor: string | null };
  };

  it('lists the processes I started, the newest first, with what each waits for', async () => {
    // A ended when the Finance Director decided it (counts per state, above).
    for (let i = 0; i < 100 && (await requests('biz-sales-1')).requests.some((r) => r.businessKey === 'A' && r.endedAt === null); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const mine = (await requests('biz-sales-1')).requests;
    expect(mine.map((r) => r.businessKey)).toEqual(['C', 'A']);
    expect(mine[0]).toMatchObject({ processId: processes.C, status: 'running', endedAt: null, openTasks: [{ id: tasks.C, candidateIds: ['finance-director'] }] });
    expect(mine[1]).toMatchObject({ processId: processes.A, status: 'done', openTasks: [] });
    expect((await requests('biz-sales-1', '?status=running')).requests.map((r) => r.businessKey)).toEqual(['C']);
    expect((await requests('biz-sales-1', '?status=ended')).requests.map((r) => r.businessKey)).toEqual(['A']);
    expect((await requests('biz-sales-1', '?processKey=test.inbox')).requests.map((r) => r.businessKey)).toEqual(['A']);
    // Nobody else's.
    expect((await requests('finance-director')).requests).toEqual([]);
  });

  it('pages with its cursor', async () => {
    const first = await requests('floor-sales-1', '?limit=1');
    expect(first.requests.map((r) => r.businessKey)).toEqual(['D']);
    const second = await requests('floor-sales-1', `?limit=1&cursor=${first.nextCursor}`);
    expect(second.requests.map((r) => r.businessKey)).toEqual(['B']);
    expect(second.nextCursor).toBeNull();
  });

  it.each([['?status=paused'], ['?limit=0'], ['?cursor=bm9wZQ']])('refuses %s with a 400 problem', async (query) => {
    const reply = await api.request('biz-sales-1', 'GET', `/api/v1/me/requests${query}`);
    expect(reply.status).toBe(400);
    expect(reply.type).toContain('application/problem+json');
  });
});
