// Bad input gets a problem+json answer, never a 500: every route of the OpenAPI document is called
// with unknown ids, junk query strings and malformed or mistyped bodies, as several users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem } from '../../platform/http/problem.ts';
import { processCatalogue } from '../../areas/catalogue.ts';
import { startApiSuite, type EngineApiSuite, type Reply } from '../support/api-suite.ts';

type Operation = { method: string; path: string; responses: Record<string, { content?: Record<string, unknown> }> };

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
    const document = (await suite.request(null, 'GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, { responses: Operation['responses'] }>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, responses: operation.responses })),
    );
  });

  /** What is wrong with an answer: a 5xx, or a status or content type the OpenAPI document does not list for the route. */
  function misfit(operation: Operation, reply: Reply): string | undefined {
    if (reply.status >= 500) return `${reply.status} ${reply.text.slice(0, 200)}`;
    const documented = operation.responses[String(reply.status)];
    if (!documented) return `${reply.status} is not documented (${reply.text.slice(0, 120)})`;
    const type = reply.type?.split(';')[0];
    if (documented.content && !Object.keys(documented.content).includes(type ?? '')) return `${reply.status} answered ${type}, documented ${Object.keys(documented.content).join(', ')}`;
    if (reply.status >= 400 && type !== 'application/problem+json') return `${reply.status} is not problem+json`;
    return undefined;
  }
  afterAll(() => suite?.teardown());

  it('covers every route in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(30);
  });

  it('answers every route with a 2xx, 3xx or 4xx problem for junk, as an outsider, a salesperson, the archivist and the GM', async () => {
    const failures: string[] = [];
    for (const operation of operations) {
      const { method, path } = operation;
      for (const id of ['no-such-id', '%00', '../../etc']) {
        const url = `${path.replace(/\{[^}]+\}/g, encodeURIComponent(id))}?limit=abc&cursor=%ZZ&state=nonsense&status=x`;
        for (const user of [null, 'biz-sales-1', 'archivist', 'gm']) {
          for (const body of method === 'GET' ? [bodies[0]!] : bodies) {
            const reply = await suite.request(user, method, url, { ...(body.raw !== undefined ? { raw: body.raw } : {}), ...(body.json !== undefined ? { json: body.json } : {}) });
            const wrong = misfit(operation, reply);
            if (wrong) failures.push(`${method} ${url} as ${user ?? 'nobody'} with ${body.label}: ${wrong}`);
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
    for (const operation of operations.filter((o) => o.path.includes('{') && o.method !== 'GET')) {
      const { method, path } = operation;
      for (const id of ids) {
        for (const user of ['finance-clerk', 'finance-manager', 'archivist', 'office-director', 'gm']) {
          for (const body of bodies) {
            const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(id));
            const reply = await suite.request(user, method, url, { ...(body.raw !== undefined ? { raw: body.raw } : {}), ...(body.json !== undefined ? { json: body.json } : {}) });
            const wrong = misfit(operation, reply);
            if (wrong) failures.push(`${method} ${url} as ${user} with ${body.label}: ${wrong}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  // The causes of a 500 that a schema-driven fuzzer (schemathesis) found, each now a 4xx.
  describe('causes found by fuzzing', () => {
    const nul = 'GMO\u0000-1';
    const loneSurrogate = 'GMO-\ud800-1';

    it('NUL characters and lone surrogates in any string field are a 400 (POST /documents, POST /borrow-requests, queries, paths)', async () => {
      const document = { reference: 'FUZZ-1', title: 'Fuzzed', category: 'notice', secrecy: 'none', departmentId: 'finance', original: true, location: 'Room 1' };
      for (const text of [nul, loneSurrogate, '\udc00']) {
        for (const field of ['reference', 'title', 'location']) {
          // JSON.stringify writes a lone surrogate as the escape \\udXXX, as a client would.
          const reply = await suite.request('archivist', 'POST', '/api/v1/documents', { json: { ...document, [field]: text } });
          expect(reply.status, `${field}: ${JSON.stringify(text)}`).toBe(400);
          expect(reply.body).toMatchObject({ code: 'INVALID_INPUT', errors: [{ path: field }] });
        }
        const borrow = await suite.request('finance-clerk', 'POST', '/api/v1/borrow-requests', { json: { documentId: 'doc-x', mode: 'loan', hours: 2, purpose: text } });
        expect(borrow.status).toBe(400);
        expect(borrow.body.errors).toEqual([expect.objectContaining({ path: 'purpose' })]);
        // A key of free-form task data, a query value and a path parameter alike.
        const task = await suite.request('gm', 'POST', '/api/v1/tasks/t-1/complete', { json: { outcome: 'approve', data: { [text]: 'x' } } });
        expect(task.status).toBe(400);
      }
      // A URL cannot carry a lone surrogate (percent-decoding makes it U+FFFD), but it can carry NUL.
      expect((await suite.request('archivist', 'GET', '/api/v1/documents?q=a%00b')).status).toBe(400);
      expect((await suite.request('archivist', 'GET', '/api/v1/documents/a%00b')).status).toBe(400);
      expect((await suite.engine.db.sql`select count(*)::int as n from documents where reference like 'GMO%' or reference = 'FUZZ-1'`)[0]!.n).toBe(0);
      // A surrogate pair (an emoji) is text like any other.
      expect((await suite.request('archivist', 'POST', '/api/v1/documents', { json: { ...document, title: 'Fuzzed 📁' } })).status).toBe(201);
    });

    it('a definition version above the int4 range is a 400 (GET /process-definitions/archive.borrow.secret/6557188991/bpmn)', async () => {
      const reply = await suite.request('gm', 'GET', '/api/v1/process-definitions/archive.borrow.secret/6557188991/bpmn');
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: 'INVALID_INPUT', errors: [{ path: 'version' }] });
      expect((await suite.request('gm', 'GET', '/api/v1/process-definitions/archive.borrow.secret/2147483647/bpmn')).status).toBe(404);
    });

    it('dates in year 0000 are a 400 (archivedOn "0000-01-01", validFrom "0000-01-01T00:00:00Z"), and so are days that do not exist', async () => {
      const document = { reference: 'FUZZ-DATE', title: 'Dated', category: 'notice', secrecy: 'none', departmentId: 'finance', original: true, location: 'Room 1' };
      for (const archivedOn of ['0000-01-01', '1899-12-31', '3000-01-01', '2026-02-30', '2026-13-01']) {
        const reply = await suite.request('archivist', 'POST', '/api/v1/documents', { json: { ...document, archivedOn } });
        expect(reply.status, archivedOn).toBe(400);
        expect(reply.body.errors, archivedOn).toEqual([expect.objectContaining({ path: 'archivedOn' })]);
      }
      for (const validFrom of ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00+08:00', '3000-01-01T00:00:00Z']) {
        const reply = await suite.request('gm', 'POST', '/api/v1/delegations', {
          json: { delegateId: 'dgm-admin', validFrom, validTo: '2026-03-06T00:00:00+08:00', scope: { maxSecrecy: 'secret' }, documentId: 'doc-x' },
        });
        expect(reply.status, validFrom).toBe(400);
        expect(reply.body.errors, validFrom).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'validFrom' })]));
      }
      const accepted = await suite.request('archivist', 'POST', '/api/v1/documents', { json: { ...document, archivedOn: '1900-01-01' } });
      expect(accepted.status).toBe(201);
      expect(accepted.body.archivedOn).toBe('1900-01-01');
    });

    it('keyset cursors that decode but do not cast are a 400 INVALID_CURSOR (GET /documents?cursor=WyIyMDI2LTEzLTQ1IiwieCJd)', async () => {
      expect(Buffer.from('WyIyMDI2LTEzLTQ1IiwieCJd', 'base64url').toString()).toBe('["2026-13-45","x"]');
      const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
      const cases = [
        ['/api/v1/documents', 'WyIyMDI2LTEzLTQ1IiwieCJd'],
        ['/api/v1/documents', cursor(['2026-02-30', 'x'])],
        ['/api/v1/documents', cursor(['2026-01-01', 'x\u0000'])],
        ['/api/v1/borrow-requests', cursor(['1', 'x'])],
        ['/api/v1/borrow-requests', cursor(['2026-01-01 25:00:00+08', 'x'])],
        ['/api/v1/tasks', cursor(['open', 'yesterday', 'x'])],
        ['/api/v1/tasks', cursor(['closed', '2026-01-01 10:00:00+08', 'x'])],
        ['/api/v1/customers', cursor(['name', 7])],
        ['/api/v1/destruction-register', cursor(['1e400'])],
        ['/api/v1/destruction-register', '123'],
      ] as const;
      for (const [path, value] of cases) {
        const reply = await suite.request('gm', 'GET', `${path}?cursor=${value}`);
        expect(reply.status, `${path} ${value}`).toBe(400);
        expect(reply.body, `${path} ${value}`).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: 'cursor' }] });
      }
    });

    it('a cursor the API handed out still leads to the next page (documents, register)', async () => {
      const first = await suite.request('archivist', 'GET', '/api/v1/documents?limit=1');
      expect(first.status).toBe(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await suite.request('archivist', 'GET', `/api/v1/documents?limit=1&cursor=${first.body.nextCursor}`);
      expect(second.status).toBe(200);
      expect(second.body.documents[0].id).not.toBe(first.body.documents[0].id);
      const register = await suite.request('archivist', 'GET', `/api/v1/destruction-register?cursor=${Buffer.from('["0"]').toString('base64url')}`);
      expect(register.status).toBe(200);
    });

    it('unique violations on a repeated departure or co-development request are a 409 with a stable code', async () => {
      const { sql } = suite.engine.db;
      const violation = async (statement: Promise<unknown>) => statement.then(() => expect.fail('expected a unique violation'), (error: unknown) => toProblem(error).body);
      // The races the routes' own checks cannot close: the database's unique indexes refuse the second.
      await sql`insert into user_departures (id, user_id, department_id, reported_by, process_id) values ('dep-1', 'biz-sales-2', 'business', 'hr-manager', 'departure-dep-1')`;
      expect(await violation(sql`insert into user_departures (id, user_id, department_id, reported_by, process_id) values ('dep-2', 'biz-sales-2', 'business', 'hr-manager', 'departure-dep-2')`)).toMatchObject({
        status: 409,
        code: 'DEPARTURE_OPEN',
      });
      await sql`insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
                values ('cust-fuzz', 'Fuzz Co', 'distributor', 'Linyi', 'Shandong', 'business', 'biz-sales-1', 'owned', 'biz-manager')`;
      const request = (id: string) =>
        sql`insert into co_development_requests (id, customer_id, requester_id, owner_id, share_percent, process_id) values (${id}, 'cust-fuzz', 'biz-sales-2', 'biz-sales-1', 50, ${`co-development-${id}`})`;
      await request('co-1');
      expect(await violation(request('co-2'))).toMatchObject({ status: 409, code: 'CO_DEVELOPMENT_PENDING' });
    });

    it('a repeated departure report answers the open departure or 409, never 500', async () => {
      const replies = await Promise.all([1, 2, 3].map(() => suite.request('biz-manager', 'POST', '/api/v1/users/biz-sales-1/departure', { json: {} })));
      for (const reply of replies) {
        expect([200, 201, 409], reply.text).toContain(reply.status);
        if (reply.status === 409) expect(reply.body.code).toBe('DEPARTURE_OPEN');
      }
      expect((await suite.engine.db.sql`select count(*)::int as n from user_departures where user_id = 'biz-sales-1'`)[0]!.n).toBe(1);
    });
  });
});
