// What every client meets first, whatever route it calls: errors as problem+json, the health
// endpoint, the OpenAPI document and the docs page. The app is the one buildApi makes for
// production and local mode, called with app.request (no socket).
import { Connection } from '@temporalio/client';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.ts';
import { readConfig } from '../../config.ts';
import { loadDemoOrganisation } from '../../db/organisation.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let db: TestDatabase;
let connection: Connection;
let app: OpenAPIHono;

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemoOrganisation(db.sql);
  // Nothing here reaches Temporal; a closed port keeps it that way.
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  const config = readConfig({ AUTH_JWT_SECRET: 'http-basics-secret-of-at-least-32-characters', AUTH_DEV_LOGIN: 'true' });
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
});
