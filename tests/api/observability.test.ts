// What the API tells operators: the request id (X-Request-Id) in the answer, in problem+json and
// on the request's log line, and the Prometheus metrics at GET /metrics. The app is the one
// buildApi makes for production and local mode, its log captured from pino.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../platform/http/auth.ts';
import { listenMetrics } from '../../platform/http/metrics-server.ts';
import { buildApi, type Api } from '../../platform/http/server.ts';
import { readConfig } from '../../platform/config.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { createLogger } from '../../platform/logging.ts';
import { freePort } from '../../scripts/tools/process.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const secret = 'observability-secret-of-at-least-32-characters';
const settings = { AUTH_JWT_SECRET: secret };

let db: TestDatabase;
let connection: Connection;
let api: Api;
let app: OpenAPIHono;
const lines: Record<string, unknown>[] = [];

/** The app of a configuration, its request log captured into `into`. */
function build(env: Record<string, string>, into: Record<string, unknown>[] = []): Api {
  const logger = createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, { name: 'api', destination: { write: (line: string) => into.push(JSON.parse(line)) } });
  return buildApi({ config: readConfig({ ...settings, ...env }), sql: db.sql, connection, logger, log: () => {} });
}

beforeAll(async () => {
  db = await createTestDatabase({ max: 1 });
  await loadDemoOrganisation(db.sql);
  // Nothing here reaches Temporal; a closed port keeps it that way.
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  api = build({}, lines);
  app = api.app;
});

afterAll(async () => {
  await api?.outbox.stop();
  await connection?.close();
  await db?.drop();
});

const get = async (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
const as = async (userId: string) => ({ authorization: `Bearer ${await issueToken(secret, userId)}` });

/** The log lines of requests with this id. */
const logged = (requestId: string) => lines.filter((line) => line.requestId === requestId);

describe('the request id', () => {
  it('is the caller\'s X-Request-Id, answered in the header and on the log line with method, route, status, duration and principal', async () => {
    const response = await get('/api/v1/documents/some-id', { ...(await as('archivist')), 'x-request-id': 'trace-abc.123' });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123');
    const [line, ...more] = logged('trace-abc.123');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ name: 'api', level: 'info', msg: 'request', method: 'GET', route: '/api/v1/documents/:id', path: '/api/v1/documents/some-id', status: response.status, principal: 'archivist' });
    expect(line!.durationMs).toEqual(expect.any(Number));
  });

  it('is in every problem+json body, and an anonymous request is logged without a principal', async () => {
    const response = await get('/api/v1/me', { 'x-request-id': 'trace-401' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: expect.any(String), requestId: 'trace-401' });
    expect(logged('trace-401')).toEqual([expect.objectContaining({ status: 401, principal: null, route: '/api/v1/me' })]);

    const missing = await get('/no/such/route', { 'x-request-id': 'trace-404' });
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', requestId: 'trace-404' });
  });

  it('is made up when the caller sends none, or one that is too long or has unsafe characters', async () => {
    const made = new Set<string>();
    for (const sent of [undefined, 'x'.repeat(129), 'caf\u00e9', 'a\tb', 'id"}{"forged":1']) {
      const response = await get('/api/v1/me', sent === undefined ? {} : { 'x-request-id': sent });
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(id).not.toBe(sent);
      expect(logged(id)).toHaveLength(1);
      made.add(id);
    }
    expect(made.size).toBe(5);
  });

  it('is answered for probes too, whose lines are debug (not logged at LOG_LEVEL=info) unless they fail', async () => {
    const probe = await get('/healthz', { 'x-request-id': 'probe-1' });
    expect([probe.status, probe.headers.get('x-request-id')]).toEqual([200, 'probe-1']);
    expect(logged('probe-1')).toEqual([]);
  });
});

/** One sample of the exposition text: its value, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  it('counts requests by route template, method and status, with a latency histogram per route, unauthenticated', async () => {
    const before = await (await get('/metrics')).text();
    const route = { method: 'GET', route: '/api/v1/documents/:id' };
    const counted = (text: string, status: string) => sample(text, 'custodian_api_requests_total', { ...route, status }) ?? 0;
    const timed = (text: string) => sample(text, 'custodian_api_request_duration_seconds_count', route) ?? 0;

    const headers = await as('archivist');
    for (const id of ['a', 'b', 'c']) expect((await get(`/api/v1/documents/${id}`, headers)).status).toBe(404);
    expect((await get('/api/v1/documents/d')).status).toBe(401);

    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = await response.text();
    expect(counted(after, '404') - counted(before, '404')).toBe(3);
    expect(counted(after, '401') - counted(before, '401')).toBe(1);
    expect(timed(after) - timed(before)).toBe(4);
    expect(after).toMatch(/^# TYPE custodian_api_request_duration_seconds histogram$/m);
    expect(sample(after, 'custodian_api_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(timed(after));
    // the scrape itself is in flight while it is answered
    expect(after).toMatch(/^custodian_api_requests_in_flight 1$/m);
    expect(after).toMatch(/^process_cpu_seconds_total /m);
  });

  it('labels paths no route answers as one series, so probing random paths cannot grow them', async () => {
    for (const path of ['/x1', '/x2/y', '/api/v1/nothing']) await get(path);
    const text = await (await get('/metrics')).text();
    expect(sample(text, 'custodian_api_requests_total', { route: '(unmatched)', status: '404' })).toBeGreaterThanOrEqual(3);
    expect(text).not.toContain('/x2/y');
  });

  it('is not served with API_METRICS=false', async () => {
    const off = build({ API_METRICS: 'false' });
    try {
      expect((await off.app.request('/metrics')).status).toBe(404);
      expect(await listenMetrics(off, readConfig({ API_METRICS: 'false', API_METRICS_ADDRESS: '127.0.0.1:9' }))).toBeUndefined();
    } finally {
      await off.outbox.stop();
    }
  });

  it('moves to its own address with API_METRICS_ADDRESS, and off the API\'s port', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const apart = build({ API_METRICS_ADDRESS: address });
    const server = await listenMetrics(apart, readConfig({ API_METRICS_ADDRESS: address }));
    try {
      expect((await apart.app.request('/metrics')).status).toBe(404);
      await apart.app.request('/healthz');
      const text = await (await fetch(`http://${address}/metrics`)).text();
      expect(sample(text, 'custodian_api_requests_total', { method: 'GET', route: '/healthz', status: '200' })).toBe(1);
    } finally {
      await server?.close();
      await apart.outbox.stop();
    }
  });
});
