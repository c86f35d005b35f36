// GET /api/v1/tasks builds its page as JSON in PostgreSQL (issue 20). Each task in it must be
// exactly what GET /api/v1/tasks/{id} shows of the same task (less its form), with `via` (BOR-7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { createAuthenticator, issueToken } from '../../platform/http/auth.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { publishDefinition } from '../../engine/sql/definitions.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const secret = 'a-test-secret-that-is-at-least-32-characters-long';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemoOrganisation(db.sql);
  const name = { en: 'Review', zh: '审核' };
  await publishDefinition(
    db.sql,
    {
      key: 'test.inbox-json',
      version: 1,
      name,
      input: {},
      nodes: [
        { id: 'start', type: 'startEvent', next: 'review' },
        { id: 'review', type: 'userTask', name, candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['approve', 'reject'], next: 'done' },
        { id: 'done', type: 'endEvent', status: 'approved' },
      ],
    },
    serviceSpecs,
  );
  await db.sql`insert into process_instances (id, definition_key, definition_version, business_key, initiator_id, status, started_at)
               values ('p-json', 'test.inbox-json', 1, 'REQ-7', 'office-director', 'running', now())`;
  // Microseconds in every time: the page must show them as the single task does (milliseconds, UTC).
  await db.sql`
    insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, delegate_ids, outcomes, due_at, revision, created_at)
    values ('t-open-direct', 'p-json', 'review', 'Review "quoted" \\ name', '审核', 'open', array['gm'], array['deputy-gm-1'], array['approve', 'reject'],
            '2026-03-01 08:00:00.123456+00', 1, '2026-02-01 07:59:59.999999+00'),
           ('t-open-delegated', 'p-json', 'review', 'Review', '审核', 'open', array['finance-manager'], array['gm'], array['approve'],
            null, 1, '2026-02-02 00:00:00.000500+00')`;
  await db.sql`
    insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, delegate_ids, outcomes, revision, created_at,
                       completed_at, outcome, decided_by, on_behalf_of, delegation_id, comment, data)
    values ('t-done', 'p-json', 'review', 'Review', '审核', 'completed', array['finance-manager'], array['gm'], array['approve'], 2,
            '2026-02-03 00:00:00+00', '2026-02-04 10:11:12.345678+00', 'approve', 'gm', 'finance-manager', 'd-1', null,
            ${db.sql.json({ amount: 3, note: '备注', nested: { b: [1, 2], a: null } })})`;
});

afterAll(async () => {
  await db?.drop();
});

describe('GET /api/v1/tasks as JSON from PostgreSQL (issue 20)', () => {
  it('BOR-7 each task equals GET /tasks/{id} without its form, with via direct or delegation, open and completed', async () => {
    const app = testApp({ sql: db.sql, authenticator: createAuthenticator({ secret }) });
    const headers = { authorization: `Bearer ${await issueToken(secret, 'gm')}` };
    const single = async (id: string) => {
      const response = await app.request(`/api/v1/tasks/${id}`, { headers });
      expect(response.status).toBe(200);
      const { form, ...task } = (await response.json()) as Record<string, unknown>;
      expect(form).toBeDefined();
      return task;
    };
    const page = async (query: string) => {
      const response = await app.request(`/api/v1/tasks?${query}`, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      return (await response.json()) as { tasks: Record<string, unknown>[]; nextCursor: string | null };
    };

    const open = await page('state=open');
    expect(open.tasks.map((t) => t.id)).toEqual(['t-open-direct', 't-open-delegated']);
    expect(open.tasks[0]).toEqual({ ...(await single('t-open-direct')), via: 'direct' });
    expect(open.tasks[1]).toEqual({ ...(await single('t-open-delegated')), via: 'delegation' });
    expect(open.tasks[0]).toMatchObject({ dueAt: '2026-03-01T08:00:00.123Z', createdAt: '2026-02-01T07:59:59.999Z', name: { en: 'Review "quoted" \\ name' } });
    expect(open.nextCursor).toBeNull();

    const done = await page('state=completed');
    expect(done.tasks).toEqual([{ ...(await single('t-done')), via: 'delegation' }]);
    expect(done.tasks[0]!.decision).toMatchObject({ at: '2026-02-04T10:11:12.345Z', data: { amount: 3, note: '备注', nested: { b: [1, 2], a: null } }, comment: null });
  });

  it('pages with a cursor that starts exactly after the last task shown', async () => {
    const app = testApp({ sql: db.sql, authenticator: createAuthenticator({ secret }) });
    const headers = { authorization: `Bearer ${await issueToken(secret, 'gm')}` };
    const first = (await (await app.request('/api/v1/tasks?state=open&limit=1', { headers })).json()) as { tasks: { id: string }[]; nextCursor: string | null };
    expect(first.tasks.map((t) => t.id)).toEqual(['t-open-direct']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await (await app.request(`/api/v1/tasks?state=open&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`, { headers })).json()) as {
      tasks: { id: string }[];
      nextCursor: string | null;
    };
    expect(second.tasks.map((t) => t.id)).toEqual(['t-open-delegated']);
    expect(second.nextCursor).toBeNull();
  });
});
