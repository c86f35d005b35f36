// Bad input gets a problem+json answer, never a 500: every route of the OpenAPI document is called
// with unknown ids, junk query strings and malformed or mistyped bodies, as several users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processCatalogue } from '../../workflows/processes/index.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';

type Operation = { method: string; path: string };

const bodies: { label: string; raw?: string; json?: unknown }[] = [
  { label: 'no body' },
  { label: 'malformed JSON', raw: '{"outcome": ' },
  { label: 'an array', json: [] },
  { label: 'an empty object', json: {} },
  { label: 'wrong types', json: { documentId: 42, hours: 'many', mode: ['loan'], outcome: {}, data: 'x', delegateId: null, validFrom: 'yesterday', documentIds: 'all', reason: 7, name: 1, cardType: 'x' } },
  { label: 'deep junk', json: { data: { a: { b: { c: [1, 2, { d: 'e'.repeat(5_000) }] } } }, comment: 'x'.repeat(10_000) } },
];

describe('no 500 for a user’s mistake', () => {
  let suite: EngineApiSuite;
  let operations: Operation[];

  beforeAll(async () => {
    suite = await startApiSuite({ definitions: processCatalogue });
    const document = (await suite.request(null, 'GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
  });
  afterAll(() => suite?.teardown());

  it('covers every route in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(30);
  });

  it('answers every route with a 2xx, 3xx or 4xx problem for junk, as an outsider, a salesperson, the archivist and the GM', async () => {
    const failures: string[] = [];
    for (const { method, path } of operations) {
      for (const id of ['no-such-id', '%00', '../../etc']) {
        const url = `${path.replace(/\{[^}]+\}/g, encodeURIComponent(id))}?limit=abc&cursor=%ZZ&state=nonsense&status=x`;
        for (const user of [null, 'biz-sales-1', 'archivist', 'gm']) {
          for (const body of method === 'GET' ? [bodies[0]!] : bodies) {
            const reply = await suite.request(user, method, url, { ...(body.raw !== undefined ? { raw: body.raw } : {}), ...(body.json !== undefined ? { json: body.json } : {}) });
            if (reply.status >= 500) failures.push(`${method} ${url} as ${user ?? 'nobody'} with ${body.label}: ${reply.status} ${reply.text.slice(0, 200)}`);
            else if (reply.status >= 400 && !reply.type?.includes('application/problem+json')) failures.push(`${method} ${url}: ${reply.status} is not problem+json`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('answers junk bodies sent to real resources (a document, a borrow request, its task and process) without a 500', async () => {
    const { sql } = suite.engine.db;
    await sql`insert into documents (id, reference, title, category, secrecy, department_id, original, archived_on, location, registered_by)
              values ('doc-junk', 'JUNK-1', 'Junk target', 'notice', 'none', 'finance', true, '2020-01-01', 'Room 1', 'archivist')`;
    const created = await suite.request('finance-clerk', 'POST', '/api/v1/borrow-requests', { json: { documentId: 'doc-junk', mode: 'loan', hours: 2, purpose: 'audit' } });
    expect(created.status).toBe(201);
    let task: { id: string; process_id: string } | undefined;
    for (let attempt = 0; !task && attempt < 100; attempt += 1) {
      [task] = await sql<{ id: string; process_id: string }[]>`select id, process_id from tasks where state = 'open' limit 1`;
      if (!task) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ids = ['doc-junk', created.body.id as string, task!.id, task!.process_id];
    const failures: string[] = [];
    for (const { method, path } of operations.filter((o) => o.path.includes('{') && o.method !== 'GET')) {
      for (const id of ids) {
        for (const user of ['finance-clerk', 'finance-manager', 'archivist', 'office-director', 'gm']) {
          for (const body of bodies) {
            const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(id));
            const reply = await suite.request(user, method, url, { ...(body.raw !== undefined ? { raw: body.raw } : {}), ...(body.json !== undefined ? { json: body.json } : {}) });
            if (reply.status >= 500) failures.push(`${method} ${url} as ${user} with ${body.label}: ${reply.status} ${reply.text.slice(0, 200)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
