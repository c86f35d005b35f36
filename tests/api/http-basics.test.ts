// What every client meets first, whatever route it calls: errors as problem+json, the health
// endpoint, the OpenAPI document and the docs page. The app is the one buildApi makes for
// production and local mode, called with app.request (no socket).
import { Connection } from '@temporalio/client';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../platform/http/server.ts';
import { readConfig } from '../../platform/config.ts';
import { publishDefinition } from '../../engine/sql/definitions.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { approvalDefinition } from '../support/definitions.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

let db: TestDatabase;
let connection: Connection;
let app: OpenAPIHono;

const WAIT_MS = 500;
const MAX_BODY_BYTES = 4_096;

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemoOrganisation(db.sql);
  // Nothing here reaches Temporal; a closed port keeps it that way.
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  const config = readConfig({
    AUTH_JWT_SECRET: 'http-basics-secret-of-at-least-32-characters',
    AUTH_DEV_LOGIN: 'true',
    API_WORKFLOW_WAIT_MS: String(WAIT_MS),
    API_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    // The assertions read English; tests/api/messages.test.ts covers the Chinese default.
    COMPANY_LANGUAGE: 'en',
  });
  ({ app } = buildApi({ config, sql: db.sql, connection, log: () => {} }));
});

afterAll(async () => {
  await connection?.close();
  await db?.drop();
});

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = await response.json();
  expect(body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.ts:\d+/); // never a stack trace
  return body;
}

describe('errors are problem+json', () => {
  it('a malformed JSON body is a 400 that says so', async () => {
    const response = await app.request('/api/v1/auth/dev-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"userId": "archivist"',
    });
    const body = await expectProblem(response, 400, 'MALFORMED_REQUEST');
    expect(body.title).toBe('Bad Request');
    expect(body.detail).toMatch(/malformed json/i);
  });

  it('well-formed JSON of the wrong shape is a 400 naming the field', async () => {
    const response = await app.request('/api/v1/auth/dev-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'archivist' }),
    });
    const body = await expectProblem(response, 400, 'INVALID_INPUT');
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'userId' })]));
  });

  it('an unknown route is a 404', async () => {
    const body = await expectProblem(await app.request('/api/v1/no-such-thing'), 404, 'NOT_FOUND');
    expect(body.title).toBe('Not Found');
    expect(body.detail).toContain('/api/v1/no-such-thing');
  });

  it('a route that needs a user and gets no token is a 401', async () => {
    await expectProblem(await app.request('/api/v1/me'), 401, 'TOKEN_MISSING');
  });

  it('a body larger than API_MAX_BODY_BYTES is a 413 problem', async () => {
    const body = JSON.stringify({ userId: 'archivist', padding: 'x'.repeat(MAX_BODY_BYTES) });
    const response = await app.request('/api/v1/auth/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const problem = await expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(problem.detail).toContain(String(MAX_BODY_BYTES));
    const fits = await app.request('/api/v1/auth/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'archivist' }) });
    expect(fits.status).toBe(200);
  });

  it('Temporal unreachable is a 503 with Retry-After, within API_WORKFLOW_WAIT_MS, not a hang', async () => {
    // A real decision route on a real task row; the engine behind it is a closed port.
    await publishDefinition(db.sql, approvalDefinition, serviceSpecs);
    await db.sql`insert into process_instances (id, definition_key, definition_version, initiator_id, status, started_at)
                 values ('unreachable-1', 'test.approval', 1, 'finance-clerk', 'running', now())`;
    await db.sql`insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, outcomes, created_at)
                 values ('unreachable-1:managerReview', 'unreachable-1', 'managerReview', 'Manager review', '部门经理审核', 'open', '{finance-manager}', '{approve,reject}', now())`;
    const token = (await (await app.request('/api/v1/auth/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'finance-manager' }) })).json()).token;
    const started = Date.now();
    const response = await app.request('/api/v1/tasks/unreachable-1:managerReview/complete', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ outcome: 'approve' }),
    });
    const elapsed = Date.now() - started;
    await expectProblem(response, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(WAIT_MS + 2_000);
  });
});

describe('operations', () => {
  it('/healthz answers 200 without asking any dependency', async () => {
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('documentation', () => {
  it('/api/v1/openapi.json is an OpenAPI 3.1 document of the routes', async () => {
    const response = await app.request('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = await response.json();
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.info).toMatchObject({ title: 'Custodian', version: expect.any(String) });
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/api/v1/me', '/api/v1/auth/dev-token']));
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('/docs serves the interactive docs page over the OpenAPI document', async () => {
    const response = await app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('/api/v1/openapi.json');
    for (const asset of html.matchAll(/(?:href|src)="(\/docs\/assets\/[^"]+)"/g)) {
      const served = await app.request(asset[1]!);
      expect(served.status, asset[1]).toBe(200);
      expect((await served.arrayBuffer()).byteLength, asset[1]).toBeGreaterThan(1000);
    }
    expect([...html.matchAll(/\/docs\/assets\//g)].length).toBeGreaterThanOrEqual(2);
  });

  it('serves the stylesheet and script with their types, from the installed package (no internet)', async () => {
    const css = await app.request('/docs/assets/swagger-ui.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const js = await app.request('/docs/assets/swagger-ui-bundle.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    await expectProblem(await app.request('/docs/assets/../../package.json'), 404, 'NOT_FOUND');
    await expectProblem(await app.request('/docs/assets/secrets.txt'), 404, 'NOT_FOUND');
  });

  it('GET /docs/assets/constructor (an object-prototype key looked up as a file) is a 404', async () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      await expectProblem(await app.request(`/docs/assets/${key}`), 404, 'NOT_FOUND');
    }
  });

  it('documents a nullable component so that null satisfies it (the fuzzer found GET /api/v1/tasks/{id} with decision: null off its schema)', async () => {
    const document = await (await app.request('/api/v1/openapi.json')).json();
    expect(document.components.schemas.Task.properties.decision).toEqual({ anyOf: [{ $ref: '#/components/schemas/TaskDecision' }, { type: 'null' }] });
    const nullableParts: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (node === null || typeof node !== 'object') return;
      const parts = (node as { allOf?: { type?: unknown }[] }).allOf;
      if (parts?.some((part) => Array.isArray(part.type) && part.type.includes('null'))) nullableParts.push(where);
      for (const [key, value] of Object.entries(node)) walk(value, `${where}/${key}`);
    };
    walk(document, '');
    expect(nullableParts).toEqual([]);
  });

  it('bounds every input it documents: each string a max length (identifiers a pattern), each number a range, each list a max size', async () => {
    type Schema = { $ref?: string; type?: string | string[]; enum?: unknown[]; const?: unknown; maxLength?: number; pattern?: string; minimum?: number; exclusiveMinimum?: number; maximum?: number; maxItems?: number; items?: Schema; properties?: Record<string, Schema>; anyOf?: Schema[]; allOf?: Schema[]; oneOf?: Schema[] };
    type Parameter = { name: string; in: string; schema: Schema };
    type Operation = { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } };
    const document = await (await app.request('/api/v1/openapi.json')).json();
    const unbounded: string[] = [];
    const check = (schema: Schema, where: string, seen: string[] = []): void => {
      if (schema.$ref) {
        const name = schema.$ref.split('/').at(-1)!;
        if (!seen.includes(name)) check(document.components.schemas[name], `${where}(${name})`, [...seen, name]);
        return;
      }
      for (const part of [...(schema.anyOf ?? []), ...(schema.allOf ?? []), ...(schema.oneOf ?? [])]) check(part, where, seen);
      const types = ([] as (string | undefined)[]).concat(schema.type);
      if (types.includes('string') && schema.enum === undefined && schema.const === undefined && schema.maxLength === undefined) unbounded.push(`${where}: no maxLength`);
      if ((types.includes('integer') || types.includes('number')) && (schema.maximum === undefined || (schema.minimum ?? schema.exclusiveMinimum) === undefined)) unbounded.push(`${where}: no range`);
      if (types.includes('array')) {
        if (schema.maxItems === undefined) unbounded.push(`${where}: no maxItems`);
        if (schema.items) check(schema.items, `${where}[]`, seen);
      }
      for (const [name, property] of Object.entries(schema.properties ?? {})) check(property, `${where}.${name}`, seen);
    };
    for (const [path, methods] of Object.entries<Record<string, Operation>>(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const parameter of operation.parameters ?? []) {
          const where = `${method} ${path} ${parameter.in} ${parameter.name}`;
          check(parameter.schema, where);
          // Path parameters name records; so do the query filters that end in Id or name a department or owner.
          const names = parameter.in === 'path' || /Id$|^department$|^owner$/.test(parameter.name);
          if (names && parameter.schema.type === 'string' && parameter.schema.enum === undefined && parameter.schema.pattern === undefined) unbounded.push(`${where}: an identifier without a pattern`);
        }
        for (const content of Object.values(operation.requestBody?.content ?? {})) check(content.schema, `${method} ${path} body`);
      }
    }
    expect(unbounded).toEqual([]);
    // The shared identifier: what the API hands out matches it; a control character does not.
    const id = document.paths['/api/v1/tasks/{id}'].get.parameters.find((p: Parameter) => p.name === 'id').schema;
    for (const example of ['borrow-6f1c2e1a-0000-4000-8000-000000000000:submit:2', 'parent.node_1.3', 'biz-sales-1', 'gm-office']) expect(example).toMatch(new RegExp(id.pattern));
    expect('a\u0007b').not.toMatch(new RegExp(id.pattern));
    const token = (await (await app.request('/api/v1/auth/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'archivist' }) })).json()).token;
    await expectProblem(await app.request('/api/v1/documents/has%20space', { headers: { authorization: `Bearer ${token}` } }), 400, 'INVALID_INPUT');
  });

  it('documents every error as problem+json, and 400, 413 and 503 where a route can answer them', async () => {
    const document = await (await app.request('/api/v1/openapi.json')).json();
    expect(document.components.schemas.Problem.required).toEqual(expect.arrayContaining(['status', 'code']));
    const post = document.paths['/api/v1/documents'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['400', '413', '503']));
    expect(post.responses['503'].headers['retry-after']).toBeDefined();
    for (const [path, methods] of Object.entries<Record<string, { responses: Record<string, { content?: object }> }>>(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) >= 400 && path !== '/readyz') expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
        }
      }
    }
    // The ranges the API accepts are written down, so generated data reaches the handlers.
    const version = document.paths['/api/v1/process-definitions/{key}/{version}/bpmn'].get.parameters.find((p: { name: string }) => p.name === 'version');
    expect(version.schema.maximum).toBe(2_147_483_647);
    const archivedOn = document.components.schemas.NewArchiveDocument.properties.archivedOn;
    expect(archivedOn.pattern).toMatch(/^\^\(19/);
    expect(archivedOn.description).toContain('1900-01-01');
  });
});
