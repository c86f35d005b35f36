// One request followed across the processes: the API (platform/http/main.ts) and the worker
// (platform/worker/main.ts) run as the production processes do, on the Temporal dev server, each writing
// pino JSON lines to its own log file. A process started and a decision sent through the API with
// an X-Request-Id are found under that id in the API's request log, in the workflow's log and in
// the log of the activities they caused.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../platform/http/auth.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { Service } from '../../scripts/rehearsal/topology.ts';
import { devServerExecutable, toolsOptionsFromEnv } from '../../scripts/temporal-tools.ts';
import { freePort } from '../../scripts/tools/process.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const secret = 'request-trace-secret-of-at-least-32-characters';
const START_TIMEOUT_MS = 170_000;

const claims = { issuer: 'custodian', audience: 'custodian-api' };
let dir: string;
let db: TestDatabase;
let env: TestWorkflowEnvironment;
let worker: Service | undefined;
let api: Service | undefined;
let apiUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'custodian-trace-'));
  [db, env] = await Promise.all([
    createTestDatabase({ max: 1 }),
    devServerExecutable(toolsOptionsFromEnv()).then((executable) => TestWorkflowEnvironment.createLocal({ server: { executable } })),
  ]);
  await loadDemoOrganisation(db.sql);
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const settings = {
    ...process.env,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '2',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: `trace-${randomUUID()}`,
    AUTH_JWT_SECRET: secret,
    AUTH_ISSUER: claims.issuer,
    AUTH_AUDIENCE: claims.audience,
    AUTH_DEV_LOGIN: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    API_METRICS: 'true',
    API_METRICS_ADDRESS: '',
    LOG_FORMAT: 'json',
    // The SDK logs each activity's completion at debug.
    LOG_LEVEL: 'debug',
  };
  const node = process.execPath;
  worker = new Service('worker', node, ['--import', 'tsx', 'platform/worker/main.ts'], settings, path.join(dir, 'worker.log'), (_service, child) =>
    Service.lineOn(child, /polling task queue/, START_TIMEOUT_MS, 'the worker'),
  );
  api = new Service('api', node, ['--import', 'tsx', 'platform/http/main.ts'], settings, path.join(dir, 'api.log'), (_service, child) =>
    Service.lineOn(child, /listening on/, START_TIMEOUT_MS, 'the API'),
  );
  // One after the other: both migrate, and the worker's bundling takes the machine's cores.
  await worker.start();
  await api.start();
}, 2 * START_TIMEOUT_MS + 20_000);

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await env?.teardown();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

type Line = Record<string, unknown>;

/** The JSON lines of a process's log file (the Service's own start/exit markers left out). */
async function linesOf(service: Service): Promise<Line[]> {
  const text = await readFile(service.logFile, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Line);
}

/** The lines of `service` with this request id, once `enough` of them are there (or after 30 s). */
async function tracedIn(service: Service, requestId: string, enough: (lines: Line[]) => boolean): Promise<Line[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lines = (await linesOf(service)).filter((line) => line.requestId === requestId);
    if (enough(lines) || Date.now() > deadline) return lines;
    await delay(200);
  }
}

async function call(userId: string, method: string, urlPath: string, options: { json?: unknown; requestId?: string } = {}) {
  const response = await fetch(`${apiUrl}${urlPath}`, {
    method,
    headers: {
      authorization: `Bearer ${await issueToken(secret, userId, claims)}`,
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
    },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- each step reads the fields it checks
}

const activityLines = (lines: Line[]) => lines.filter((line) => line.sdkComponent === 'activity' || typeof line.activityType === 'string');
const workflowLines = (lines: Line[]) => lines.filter((line) => line.sdkComponent === 'workflow' && line.workflowType === 'runProcess');

describe('a request followed across the API, the workflow and its activities', () => {
  it('the id of the request that starts a process, and of the one that decides its task, is in the API, workflow and activity logs', async () => {
    const document = await call('archivist', 'POST', '/api/v1/documents', {
      json: { reference: 'TRACE-1', title: 'Traced document', category: 'contract', secrecy: 'none', departmentId: 'finance', original: true, location: 'Archive room' },
    });
    expect(document.status, JSON.stringify(document.body)).toBe(201);

    const startId = `trace-start-${randomUUID()}`;
    const borrowed = await call('finance-clerk', 'POST', '/api/v1/borrow-requests', {
      json: { documentId: document.body.id, mode: 'loan', hours: 24, purpose: 'audit preparation' },
      requestId: startId,
    });
    expect(borrowed.status, JSON.stringify(borrowed.body)).toBe(201);
    expect(borrowed.requestId).toBe(startId);
    const processId = borrowed.body.processId as string;

    // The API's request line.
    const [request] = await tracedIn(api!, startId, (lines) => lines.length > 0);
    expect(request).toMatchObject({ name: 'api', msg: 'request', method: 'POST', route: '/api/v1/borrow-requests', status: 201, principal: 'finance-clerk' });

    // The workflow's start and the activities that opened the first task, in the worker's log.
    const started = await tracedIn(worker!, startId, (lines) => workflowLines(lines).length > 0 && activityLines(lines).length > 0);
    expect(workflowLines(started)).toContainEqual(expect.objectContaining({ msg: 'start received', workflowId: processId, name: 'worker' }));
    expect(activityLines(started).length).toBeGreaterThan(0);
    for (const line of activityLines(started)) expect(line).toMatchObject({ workflowId: processId, activityType: expect.any(String) });

    // The decision: an update carrying its own id, and the activities it caused.
    let task: { id: string; nodeId: string } | undefined;
    for (const deadline = Date.now() + 30_000; task === undefined && Date.now() < deadline; await delay(200)) {
      const inbox = await call('finance-manager', 'GET', '/api/v1/tasks?limit=200');
      task = (inbox.body.tasks as { id: string; processId: string; nodeId: string }[]).find((t) => t.processId === processId);
    }
    expect(task?.nodeId).toBe('submit');
    const decideId = `trace-decide-${randomUUID()}`;
    const decided = await call('finance-manager', 'POST', `/api/v1/tasks/${encodeURIComponent(task!.id)}/complete`, { json: { outcome: 'submit' }, requestId: decideId });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);

    const decidedLines = await tracedIn(worker!, decideId, (lines) => workflowLines(lines).length > 0 && activityLines(lines).length > 0);
    expect(workflowLines(decidedLines)).toContainEqual(expect.objectContaining({ msg: 'update received', workflowId: processId }));
    expect(activityLines(decidedLines).length).toBeGreaterThan(0);
    for (const line of activityLines(decidedLines)) expect(line.workflowId).toBe(processId);
    expect((await tracedIn(api!, decideId, (lines) => lines.length > 0))[0]).toMatchObject({ route: '/api/v1/tasks/:id/complete', status: 200, principal: 'finance-manager' });
  });
});
