// `npm run bench [-- scenario...]`: how fast the engine is, measured against Temporal itself.
// One machine, one run, one Temporal dev server, one PostgreSQL. Comparisons are interleaved
// after a warm-up and reported as ratios with their spread. Never part of `npm test`.
//
// Scenarios: overhead, latency, inbox, sustained, open, analysis, memory (default: all).
//
// `--target dev` (the default) runs them on the Temporal CLI's dev server (SQLite). `--target
// rehearsal` runs them on the production topology that `npm run rehearse` rehearses: temporal-server
// persisted in PostgreSQL, configured by deploy/temporal/, and two worker processes; it then prints
// its figures beside the newest dev-server results in bench/results/.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { Hono } from 'hono';
import { issueToken } from '../platform/http/auth.ts';
import { completeTask, startProcess, type EngineClient } from '../engine/client.ts';
import { buildApi } from '../platform/http/server.ts';
import { definitionLibrary, publishDefinition } from '../engine/sql/definitions.ts';
import { listMyTasksJson } from '../engine/sql/tasks.ts';
import { loadDemoOrganisation } from '../platform/organisation/sql.ts';
import type { ProcessDefinition, ProcessDefinitionInput } from '../engine/definition/definition.ts';
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from '../platform/config.ts';
import { pgCtl, privateCluster, startTemporalCluster, withRehearsalLock, type PostgresCluster, type TemporalCluster } from '../scripts/rehearsal/topology.ts';
import { devServerExecutable, toolsOptionsFromEnv } from '../scripts/temporal-tools.ts';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.ts';
import { registerSearchAttributes } from '../platform/worker/search-attributes.ts';
import { bundleWorkflows, createWorker } from '../platform/worker/worker.ts';
import { approveUpdate, decideUpdate, handOverUpdate, returnedSignal, type rawBorrow, type rawChain } from './raw-workflow.ts';
import { median, percentile, round, summary } from './stats.ts';
import { cpuPer, cpuSeconds } from './cpu.ts';
import { chain, twoStep } from './definitions.ts';
import { serviceSpecs } from '../areas/catalogue.ts';
import { analysisLatency } from './analysis.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

const here = path.dirname(fileURLToPath(import.meta.url));
const secret = 'bench-secret-that-is-at-least-32-characters';
const name = (en: string) => ({ en, zh: en });

/** The shape of a secret loan (BOR-5/6): or-sign approval, hand-over, return within 4 hours. */
const secretLoan: ProcessDefinitionInput = {
  key: 'bench.secret-loan',
  version: 1,
  name: name('Secret loan (benchmark)'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'approval' },
    {
      id: 'approval',
      type: 'userTask',
      name: name('Approve the loan'),
      candidates: { anyOf: [{ role: 'gm' }, { role: 'deputy_gm_in_charge', department: 'initiator.departmentId' }] },
      outcomes: ['approve', 'reject'],
      next: { approve: 'handOver', reject: 'rejected' },
    },
    { id: 'handOver', type: 'userTask', name: name('Hand over'), candidates: { anyOf: [{ role: 'archivist' }] }, outcomes: ['handed_over'], next: 'onLoan' },
    { id: 'onLoan', type: 'receiveTask', message: 'returned', deadline: { after: 'duration("PT4H")', to: 'overdue' }, next: 'returned' },
    { id: 'returned', type: 'endEvent', status: 'returned' },
    { id: 'overdue', type: 'endEvent', status: 'overdue' },
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ],
};

/** A four-month countdown that waits for an intent order: the shape of an OVL-8 protection. */
const countdown: ProcessDefinitionInput = {
  key: 'bench.countdown',
  version: 1,
  name: name('Protection countdown (benchmark)'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'protected' },
    { id: 'protected', type: 'receiveTask', message: 'intentOrder', deadline: { after: 'duration("P4M")', to: 'released' }, next: 'secured' },
    { id: 'secured', type: 'endEvent', status: 'owned' },
    { id: 'released', type: 'endEvent', status: 'open' },
  ],
};

interface Context {
  /** Worker processes per API scenario: one on the dev server, two on the rehearsal topology. */
  workers: number;
  db: TestDatabase;
  env: TestWorkflowEnvironment;
  engine: EngineClient;
  definitions: Map<string, ProcessDefinition>;
  results: Record<string, unknown>;
}

const args = parseArgs({ options: { target: { type: 'string', default: 'dev' }, help: { type: 'boolean', short: 'h', default: false } }, allowPositionals: true });
if (args.values.help) {
  console.log(`npm run bench [-- [--target dev|rehearsal] [scenario ...]]

Scenarios (default: all, in this order):
  overhead   1. secret-loan shape, custodian vs raw Temporal, interleaved rounds (throughput, p50, p99)
  latency    2. POST /tasks/{id}/complete → the next approver's GET /tasks, 20 approvers
  inbox      3. GET /api/v1/tasks at 100,000 tasks vs bare Hono returning the same JSON
  sustained  4. decisions/s through the API, interleaved with raw Temporal updates/s (ratio)
  open       5. 10,000 open countdowns: start time and worker RSS per cached instance
  analysis   6. the 7P analysis endpoints on a seeded year of orders
  memory     7. worker memory per cached instance (RSS slope over 2,000 cached countdowns)

Writes bench/results/bench-<target>-<time>.json and bench/results/latest.json (kept in git).
BENCH_WORKER_PROFILE=<dir> writes a CPU profile of each spawned worker into <dir>.`);
  process.exit(0);
}
const target = args.values.target;
if (target !== 'dev' && target !== 'rehearsal') throw new Error(`--target is dev or rehearsal, not ${target}`);

async function main(): Promise<void> {
  const wanted = new Set(args.positionals);
  const runs = (scenario: string) => wanted.size === 0 || wanted.has(scenario);
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version };
  console.log(`machine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}; target: ${target}`);

  let env: TestWorkflowEnvironment;
  let rehearsal: { postgres: PostgresCluster; cluster: TemporalCluster } | undefined;
  if (target === 'rehearsal') {
    const log = (message: string) => console.log(`[rehearsal] ${message}`);
    const postgres = await privateCluster(log);
    const cluster = await startTemporalCluster({ logDir: path.join(here, 'results', 'rehearsal-logs'), databasePrefix: 'bench', postgres, log });
    rehearsal = { postgres, cluster };
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: cluster.address, namespace: cluster.namespace });
  } else {
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: await devServerExecutable(toolsOptionsFromEnv()) } });
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  }
  const db = await createTestDatabase({ max: 10 });
  await loadDemoOrganisation(db.sql);
  const definitions = new Map<string, ProcessDefinition>();
  for (const definition of [secretLoan, twoStep, chain, countdown]) {
    definitions.set(definition.key, (await publishDefinition(db.sql, definition, serviceSpecs)).definition);
  }
  const context: Context = { workers: target === 'rehearsal' ? 2 : 1, db, env, engine: { client: env.client, taskQueue: 'bench-custodian' }, definitions, results: {} };
  try {
    if (runs('overhead')) await engineOverhead(context);
    if (runs('latency')) await withApi(context, (api) => decisionLatency(context, api));
    if (runs('inbox')) await withApi(context, (api) => inboxAtSize(context, api));
    if (runs('sustained')) await withApi(context, (api) => sustainedDecisions(context, api));
    if (runs('open')) await manyOpenProcesses(context);
    if (runs('memory')) await memoryPerInstance(context);
    if (runs('analysis')) context.results.analysisLatency = await analysisLatency(db.sql, secret);
  } finally {
    await env.teardown();
    await db.drop();
    if (rehearsal) {
      await rehearsal.cluster.temporal.stop();
      await pgCtl('stop', rehearsal.postgres);
    }
  }
  const dir = path.join(here, 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `bench-${target}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const written = `${JSON.stringify({ machine, target, at: new Date().toISOString(), scenarios: [...wanted], ...context.results }, null, 2)}\n`;
  await writeFile(file, written);
  await writeFile(path.join(dir, 'latest.json'), written);
  console.log(`\nresults written to ${path.relative(process.cwd(), file)}`);
  if (target === 'rehearsal') await besideDevServer(dir, context.results);
}

/** The headline figures of each scenario, by name. */
function headlines(results: Record<string, any>): Map<string, number | undefined> { // eslint-disable-line @typescript-eslint/no-explicit-any -- a results file as written above
  return new Map([
    ['1. overhead: custodian inst/s', results.engineOverhead?.custodian.throughput.median],
    ['1. overhead: raw Temporal inst/s', results.engineOverhead?.raw.throughput.median],
    ['1. overhead: throughput ratio', results.engineOverhead?.ratio.throughput.median],
    ['1. overhead: custodian p50 ms', results.engineOverhead?.custodian.p50.median],
    ['2. decision latency p50 ms', results.decisionLatency?.p50],
    ['2. decision latency p99 ms', results.decisionLatency?.p99],
    ['3. inbox req/s', results.inboxAtSize?.custodian.rps.median],
    ['4. sustained decisions/s', results.sustainedDecisions?.perSecond],
    ['4. sustained: custodian / raw updates', results.sustainedDecisions?.ratio?.median],
    ['5. 10,000 open: all running after s', results.manyOpenProcesses?.allRunningSeconds],
    ['5. worker RSS after MiB', results.manyOpenProcesses?.workerRssMiB.after],
    ['7. worker KiB per cached instance', results.memoryPerInstance?.kibPerInstance],
    ['6. 7P analysis slowest p99 ms', results.analysisLatency && Math.max(...Object.values<{ p99: number }>(results.analysisLatency.endpoints).map((e) => e.p99))],
  ]);
}

/** This run's figures beside those of the newest dev-server run in `dir`, if there is one. */
async function besideDevServer(dir: string, results: Record<string, unknown>): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(dir)).filter((name) => /^bench-(dev-)?\d.*\.json$/.test(name)).sort();
  const newest = files.at(-1);
  const dev = newest === undefined ? undefined : (JSON.parse(await readFile(path.join(dir, newest), 'utf8')) as Record<string, unknown>);
  const ours = headlines(results);
  const theirs = dev === undefined ? undefined : headlines(dev);
  console.log(`\nRehearsal topology beside the dev server (${newest ?? 'no dev-server results in bench/results: run npm run bench first'}):`);
  const cell = (value: number | undefined) => (value === undefined ? '–' : fmt(value));
  table([['', 'dev server (SQLite)', 'temporal-server on PostgreSQL'], ...[...ours].map(([label, value]) => [label, cell(theirs?.get(label)), cell(value)])]);
}

// ------------------------------------------------------------------ 1. engine overhead

async function engineOverhead(context: Context): Promise<void> {
  const { env, engine, definitions } = context;
  const instances = 100;
  const concurrency = 10;
  const rounds = 5;
  const custodianWorker = await createWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue: 'bench-custodian', sql: context.db.sql, workflowBundle: await bundleWorkflows() });
  const rawWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-raw', workflowsPath: path.join(here, 'raw-workflow.ts') });
  const definition = definitions.get('bench.secret-loan')!;

  const custodianOne = async () => {
    const processId = `bench-loan-${randomUUID()}`;
    await startProcess(engine, { processId, definition, library: {}, initiator: { id: 'finance-clerk', departmentId: 'finance' }, variables: {} });
    // The approver finds the task in the inbox (PostgreSQL), as through GET /tasks.
    let open = await context.db.sql<{ id: string }[]>`select id from tasks where process_id = ${processId} and state = 'open'`;
    while (open.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      open = await context.db.sql<{ id: string }[]>`select id from tasks where process_id = ${processId} and state = 'open'`;
    }
    const approved = await completeTask(engine, processId, { taskId: open[0]!.id, actorId: 'gm', outcome: 'approve' });
    await completeTask(engine, processId, { taskId: approved.openTasks[0]!.id, actorId: 'archivist', outcome: 'handed_over' });
    const handle = env.client.workflow.getHandle(processId);
    await handle.signal('message', { id: randomUUID(), name: 'returned', payload: {}, actorId: 'archivist' });
    await handle.result();
  };
  const rawOne = async () => {
    const handle = await env.client.workflow.start<typeof rawBorrow>('rawBorrow', { taskQueue: 'bench-raw', workflowId: `bench-raw-${randomUUID()}` });
    await handle.executeUpdate(approveUpdate, { args: ['gm'] });
    await handle.executeUpdate(handOverUpdate, { args: ['archivist'] });
    await handle.signal(returnedSignal, 'archivist');
    await handle.result();
  };
  const round_ = async (one: () => Promise<void>, count: number) => {
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next += 1;
          const t0 = performance.now();
          await one();
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { throughput: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  };

  await custodianWorker.runUntil(
    rawWorker.runUntil(async () => {
      await round_(custodianOne, 30);
      await round_(rawOne, 30);
      const custodian: Awaited<ReturnType<typeof round_>>[] = [];
      const raw: Awaited<ReturnType<typeof round_>>[] = [];
      for (let i = 0; i < rounds; i += 1) {
        // Interleaved, alternating which goes first, so drift in the machine's load hits both.
        if (i % 2 === 0) {
          custodian.push(await round_(custodianOne, instances));
          raw.push(await round_(rawOne, instances));
        } else {
          raw.push(await round_(rawOne, instances));
          custodian.push(await round_(custodianOne, instances));
        }
      }
      const ratio = (pick: (r: { throughput: number; p50: number; p99: number }) => number) =>
        summary(custodian.map((c, i) => pick(c) / pick(raw[i]!)));
      const result = {
        instancesPerRound: instances,
        concurrency,
        rounds,
        custodian: { throughput: summary(custodian.map((r) => r.throughput)), p50: summary(custodian.map((r) => r.p50)), p99: summary(custodian.map((r) => r.p99)) },
        raw: { throughput: summary(raw.map((r) => r.throughput)), p50: summary(raw.map((r) => r.p50)), p99: summary(raw.map((r) => r.p99)) },
        ratio: { throughput: ratio((r) => r.throughput), p50: ratio((r) => r.p50), p99: ratio((r) => r.p99) },
        target: 'custodian costs at most 25% over raw Temporal (throughput ratio ≥ 0.8, latency ratio ≤ 1.25)',
      };
      context.results.engineOverhead = result;
      console.log('\n1. Engine overhead: secret-loan shape (4 messages), %d instances × %d rounds, concurrency %d', instances, rounds, concurrency);
      table([
        ['', 'custodian', 'raw Temporal', 'custodian / raw (min–max)'],
        ['throughput (inst/s)', fmt(result.custodian.throughput.median), fmt(result.raw.throughput.median), spread(result.ratio.throughput)],
        ['p50 latency (ms)', fmt(result.custodian.p50.median), fmt(result.raw.p50.median), spread(result.ratio.p50)],
        ['p99 latency (ms)', fmt(result.custodian.p99.median), fmt(result.raw.p99.median), spread(result.ratio.p99)],
      ]);
    }),
  );
}

// ------------------------------------------------------------------ HTTP API under test

interface RunningApi {
  url: string;
  token(userId: string): Promise<string>;
}

/** The API (platform/http/server.ts) on the benchmark's server and database, listening on a free port. */
async function apiServer(context: Context, principalCacheSize = 10_000): Promise<{ url: string; close(): Promise<void> }> {
  const { env, db } = context;
  const connection = await Connection.connect({ address: env.address });
  const { app, outbox } = buildApi({
    config: {
      AUTH_JWT_SECRET: secret,
      AUTH_JWKS_URL: undefined,
      AUTH_ISSUER: undefined,
      AUTH_AUDIENCE: undefined,
      AUTH_DEV_LOGIN: false,
      AUTH_TOKEN_MAX_LIFETIME_SECONDS: DEFAULT_TOKEN_LIFETIME_SECONDS,
      AUTH_PRINCIPAL_CACHE_SIZE: principalCacheSize,
      AUTH_PRINCIPAL_CACHE_SECONDS: 300,
      CHAIN_CHECKPOINT_KEY: undefined,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'bench-custodian',
      TEMPORAL_UI_URL: 'http://localhost:8233',
      // Under load a decision may take longer than a user would wait; the bench measures it whole.
      API_WORKFLOW_WAIT_MS: 120_000,
      API_MAX_BODY_BYTES: 1024 * 1024,
      API_OUTBOX_DEADLINE_MS: 2_000,
    },
    sql: db.sql,
    connection,
  });
  const server = await listen(app.fetch);
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await outbox.stop();
      await connection.close();
    },
  };
}

async function withApi(context: Context, body: (api: RunningApi) => Promise<void>): Promise<void> {
  const server = await apiServer(context);
  // The workers in processes of their own, as in production: API and worker do not share an event loop.
  const workers: Awaited<ReturnType<typeof spawnWorker>>[] = [];
  for (let i = 0; i < context.workers; i += 1) workers.push(await spawnWorker(context, 'bench-custodian', 500));
  try {
    await body({ url: server.url, token: (userId) => issueToken(secret, userId) });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await server.close();
  }
}

/** `platform/worker/main.ts` as a child process on the benchmark's server and database, once it polls. */
async function spawnWorker(context: Context, taskQueue: string, cache: number, extraEnv: Record<string, string> = {}): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_WORKER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_WORKER_PROFILE] : []), '--import', 'tsx', path.join(here, '..', 'platform', 'worker', 'main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: context.db.url,
      TEMPORAL_ADDRESS: context.env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_MAX_CACHED_WORKFLOWS: String(cache),
      // Info, for the line that says it polls (pino JSON); the rest is read and dropped.
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A worker that ends before it is stopped leaves the scenario waiting on updates nobody takes: say so.
  child.once('exit', (code, signal) => console.log(`[worker] pid ${child.pid} exited (code ${code}, signal ${signal})`));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      // Warnings and errors are shown; the rest is dropped.
      for (const line of chunk.toString().split('\n')) if (/"level":"(warn|error|fatal)"/.test(line)) process.stdout.write(`[worker] ${line}\n`);
      if (seen === 'ready') return;
      seen = (seen + chunk.toString()).slice(-4_096);
      if (seen.includes('polling task queue')) {
        seen = 'ready';
        resolve();
      }
    });
  });
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

async function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<{ url: string; close(): Promise<void> }> {
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Users the benchmark acts as, in the demo organisation's staff role. */
async function benchUsers(context: Context, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
  await context.db.sql`
    insert into users (id, display_name, display_name_zh, department_id)
    select id, id, id, 'finance' from unnest(${ids}::text[]) as id
    on conflict (id) do nothing`;
  return ids;
}

async function startNamed(context: Context, key: string, variables: Record<string, unknown>): Promise<string> {
  const definition = context.definitions.get(key)!;
  const processId = `${key}-${randomUUID()}`;
  await startProcess(context.engine, {
    processId,
    definition,
    library: await definitionLibrary(context.db.sql, definition),
    initiator: { id: 'office-director', departmentId: 'gm-office' },
    variables,
  });
  return processId;
}

async function openTaskIds(api: RunningApi, token: string): Promise<{ id: string; processId: string }[]> {
  const response = await fetch(`${api.url}/api/v1/tasks?state=open&limit=200`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET /tasks: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { tasks: { id: string; processId: string }[] };
  return body.tasks;
}

/** Decides a task through the API; answers the instance's tasks open after it, as the response lists them. */
async function complete(api: RunningApi, token: string, taskId: string, outcome = 'approve'): Promise<{ id: string; processId: string }[]> {
  const response = await fetch(`${api.url}/api/v1/tasks/${encodeURIComponent(taskId)}/complete`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ outcome }),
  });
  if (!response.ok) throw new Error(`POST complete: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { nextTasks: { id: string; processId: string }[] }).nextTasks;
}

async function waitForTasks(api: RunningApi, token: string, count: number): Promise<{ id: string; processId: string }[]> {
  for (;;) {
    const tasks = await openTaskIds(api, token);
    if (tasks.length >= count) return tasks;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ------------------------------------------------------------------ 2. decision latency

async function decisionLatency(context: Context, api: RunningApi): Promise<void> {
  // One approver alone shows what a decision costs; twenty at once, what queueing for the two cores adds.
  const alone = await latencyWith(context, api, 1, 40);
  const together = await latencyWith(context, api, 20, 15);
  const result = { ...together, alone, target: 'p99 < 250 ms' };
  context.results.decisionLatency = result;
  console.log('\n2. Decision latency: POST /tasks/{id}/complete → next task in the next approver’s GET /tasks');
  table([
    ['approvers at once', 'decisions', 'p50 (ms)', 'p99 (ms)', 'target'],
    ['1', String(alone.decisions), fmt(alone.p50), fmt(alone.p99), result.target],
    [String(together.approvers), String(together.decisions), fmt(together.p50), fmt(together.p99), result.target],
  ]);
}

async function latencyWith(context: Context, api: RunningApi, approvers: number, perApprover: number) {
  const prefix = `bench-${approvers}-${randomUUID().slice(0, 8)}`;
  const firsts = await benchUsers(context, `${prefix}-first`, approvers);
  const seconds = await benchUsers(context, `${prefix}-second`, approvers);
  for (let i = 0; i < approvers; i += 1) {
    for (let j = 0; j < perApprover; j += 1) await startNamed(context, 'bench.two-step', { first: firsts[i], second: seconds[i] });
  }
  const latencies: number[] = [];
  await Promise.all(
    firsts.map(async (first, i) => {
      const firstToken = await api.token(first);
      const secondToken = await api.token(seconds[i]!);
      const mine = await waitForTasks(api, firstToken, perApprover);
      for (const [n, task] of mine.entries()) {
        const t0 = performance.now();
        await complete(api, firstToken, task.id);
        // Visible to the next approver: their inbox holds one more open task.
        while ((await openTaskIds(api, secondToken)).length < n + 1) await new Promise((resolve) => setTimeout(resolve, 2));
        const elapsed = performance.now() - t0;
        if (n > 0) latencies.push(elapsed); // the first decision of each approver warms up
      }
    }),
  );
  return { approvers, decisions: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

// ------------------------------------------------------------------ 3. inbox at size

async function inboxAtSize(context: Context, api: RunningApi): Promise<void> {
  const total = 100_000;
  const owners = 1_000;
  const users = await benchUsers(context, 'bench-inbox', owners);
  const { sql } = context.db;
  await sql`insert into process_instances (id, definition_key, definition_version, initiator_id, status, started_at)
            values ('bench-inbox-process', 'bench.two-step', 1, 'office-director', 'running', now()) on conflict do nothing`;
  const seeded = performance.now();
  // Spread over a thousand people, so the measured user's inbox is a realistic page among many.
  await sql`
    insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, outcomes, revision, created_at)
    select 'bench-inbox-task-' || n, 'bench-inbox-process', 'firstReview', 'First review', '初审', 'open',
           array['bench-inbox-' || (1 + n % ${owners})], array['approve'], 1, now() - n * interval '1 second'
    from generate_series(1, ${total}) as n`;
  await sql`analyze tasks`;
  const seedSeconds = (performance.now() - seeded) / 1000;
  const token = await api.token(users[0]!);
  const sample = await fetch(`${api.url}/api/v1/tasks?state=open`, { headers: { authorization: `Bearer ${token}` } });
  const body = await sample.text();
  if (!sample.ok) throw new Error(`GET /tasks: ${sample.status} ${body}`);
  const bare = new Hono().get('/api/v1/tasks', (c) => c.body(body, 200, { 'content-type': 'application/json' }));
  const bareServer = await listen(bare.fetch);
  // What the database allows: the same bare route, answering with the page's one SQL statement
  // (listMyTasksJson) on the API's pool, and nothing else (no token, no validation, no middleware).
  const userId = users[0]!;
  const withSql = new Hono().get('/api/v1/tasks', async (c) => {
    const page = await listMyTasksJson(sql, userId, { state: 'open', limit: 50 });
    return c.body(`{"tasks":[${page.tasksJson}]}`, 200, { 'content-type': 'application/json' });
  });
  const sqlServer = await listen(withSql.fetch);
  // The same API with the principal cache off (AUTH_PRINCIPAL_CACHE_SIZE=0): what the cache buys.
  const uncachedServer = await apiServer(context, 0);
  try {
    const rounds = 3;
    const ours: { rps: number; p99: number }[] = [];
    const uncached: { rps: number; p99: number }[] = [];
    const theirs: { rps: number; p99: number }[] = [];
    const database: { rps: number; p99: number }[] = [];
    const variants = [
      { url: api.url, into: ours },
      { url: uncachedServer.url, into: uncached },
      { url: bareServer.url, into: theirs },
      { url: sqlServer.url, into: database },
    ];
    for (let i = 0; i < rounds; i += 1) {
      // Each round starts with another variant, so none is always first after a pause.
      for (let k = 0; k < variants.length; k += 1) {
        const variant = variants[(i + k) % variants.length]!;
        variant.into.push(await autocannon(`${variant.url}/api/v1/tasks?state=open`, token));
      }
    }
    const result = {
      tasksInDatabase: total,
      responseBytes: body.length,
      seedSeconds: round(seedSeconds, 1),
      custodian: { rps: summary(ours.map((r) => r.rps)), p99: summary(ours.map((r) => r.p99)) },
      uncachedPrincipal: { rps: summary(uncached.map((r) => r.rps)), p99: summary(uncached.map((r) => r.p99)) },
      bare: { rps: summary(theirs.map((r) => r.rps)), p99: summary(theirs.map((r) => r.p99)) },
      bareWithSql: { rps: summary(database.map((r) => r.rps)), p99: summary(database.map((r) => r.p99)) },
      ratio: summary(ours.map((r, i) => r.rps / theirs[i]!.rps)),
      ratioToDatabase: summary(ours.map((r, i) => r.rps / database[i]!.rps)),
      cachedOverUncached: summary(ours.map((r, i) => r.rps / uncached[i]!.rps)),
      target: 'at least half the bare route’s throughput (ratio ≥ 0.5)',
    };
    context.results.inboxAtSize = result;
    console.log('\n3. Inbox at size: GET /api/v1/tasks with %d tasks in the database (%d-byte page), autocannon from a second process', total, body.length);
    table([
      ['', 'requests/s', 'p99 (ms)', 'custodian / bare (min–max)'],
      ['custodian GET /tasks', fmt(result.custodian.rps.median), fmt(result.custodian.p99.median), spread(result.ratio)],
      ['same, principal cache off', fmt(result.uncachedPrincipal.rps.median), fmt(result.uncachedPrincipal.p99.median), `cached / uncached ${spread(result.cachedOverUncached)}`],
      ['bare Hono, same JSON', fmt(result.bare.rps.median), fmt(result.bare.p99.median), ''],
      ['bare Hono + the page’s SQL', fmt(result.bareWithSql.rps.median), fmt(result.bareWithSql.p99.median), `custodian / this ${spread(result.ratioToDatabase)}`],
    ]);
  } finally {
    await sqlServer.close();
    await uncachedServer.close();
    await bareServer.close();
  }
}

/** Load from a second process: autocannon's CLI, 20 connections for 10 seconds. */
async function autocannon(url: string, token: string): Promise<{ rps: number; p99: number }> {
  const bin = path.join(here, '..', 'node_modules', 'autocannon', 'autocannon.js');
  const child = spawn(process.execPath, [bin, '-c', '20', '-d', '10', '-j', '-H', `authorization=Bearer ${token}`, url], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  await exited(child);
  const report = JSON.parse(out) as { requests: { average: number }; latency: { p99: number }; non2xx: number };
  if (report.non2xx > 0) throw new Error(`${url}: ${report.non2xx} non-2xx responses`);
  return { rps: report.requests.average, p99: report.latency.p99 };
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

// ------------------------------------------------------------------ 4. sustained decisions

async function sustainedDecisions(context: Context, api: RunningApi): Promise<void> {
  const approvers = 20;
  const seconds = 60;
  // Three rounds of each, interleaved and alternating which goes first, so drift in the machine's
  // load hits both: custodian through the HTTP API, and raw Temporal updates on a hand-written
  // workflow (bench/raw-workflow.ts rawChain) with the same ten decisions per instance.
  const rounds = 3;
  const roundSeconds = seconds / rounds;
  const users = await benchUsers(context, 'bench-sustained', approvers);
  const tokens = await Promise.all(users.map((approver) => api.token(approver)));
  const custodianRound = async (): Promise<number> => {
    let decisions = 0;
    const deadline = performance.now() + roundSeconds * 1000;
    await Promise.all(
      users.map(async (approver, i) => {
        const token = tokens[i]!;
        while (performance.now() < deadline) {
          const processId = await startNamed(context, 'bench.chain', { approver });
          // The first task is found in the inbox; each next one in the decision's response, which is
          // sent once the decision is recorded and the next task is open in the inbox. Inbox reads
          // are scenario 3's to measure.
          let [task] = (await waitForTasks(api, token, 1)).filter((t) => t.processId === processId);
          while (task) {
            [task] = await complete(api, token, task.id, 'done');
            if (performance.now() < deadline) decisions += 1;
          }
        }
      }),
    );
    return decisions / roundSeconds;
  };
  const rawWorker = await Worker.create({ connection: context.env.nativeConnection, taskQueue: 'bench-raw-sustained', workflowsPath: path.join(here, 'raw-workflow.ts') });
  const rawRound = async (): Promise<number> => {
    let decisions = 0;
    const deadline = performance.now() + roundSeconds * 1000;
    await Promise.all(
      users.map(async (approver) => {
        while (performance.now() < deadline) {
          const handle = await context.env.client.workflow.start<typeof rawChain>('rawChain', { taskQueue: 'bench-raw-sustained', workflowId: `bench-raw-chain-${randomUUID()}` });
          for (let step = 0; step < 10; step += 1) {
            await handle.executeUpdate(decideUpdate, { args: [approver] });
            if (performance.now() < deadline) decisions += 1;
          }
        }
      }),
    );
    return decisions / roundSeconds;
  };
  const custodian: number[] = [];
  const raw: number[] = [];
  // Where the cores go, per decision: CPU milliseconds of each component over each round.
  const components = {
    worker: { command: /platform\/worker\/main\.ts/ },
    'API + load (bench process)': { pid: process.pid },
    'Temporal server': { command: /temporal.* server start-dev|temporal-server/ },
    PostgreSQL: { command: /^postgres/ },
  };
  const cpu: { custodian: Record<string, number | undefined>[]; raw: Record<string, number | undefined>[] } = { custodian: [], raw: [] };
  const measured = async (kind: 'custodian' | 'raw', round_: () => Promise<number>) => {
    const before = await cpuSeconds(components);
    const perSecond = await round_();
    cpu[kind].push(cpuPer(before, await cpuSeconds(components), perSecond * roundSeconds));
    (kind === 'custodian' ? custodian : raw).push(perSecond);
  };
  await rawWorker.runUntil(async () => {
    for (let i = 0; i < rounds; i += 1) {
      if (i % 2 === 0) {
        await measured('custodian', custodianRound);
        await measured('raw', rawRound);
      } else {
        await measured('raw', rawRound);
        await measured('custodian', custodianRound);
      }
    }
  });
  const cpuMedian = (rows: Record<string, number | undefined>[]) =>
    Object.fromEntries(Object.keys(components).map((name) => [name, median(rows.map((row) => row[name] ?? Number.NaN))]));
  const perSecond = custodian.reduce((a, b) => a + b, 0) / rounds;
  const result = {
    approvers,
    seconds,
    rounds,
    decisions: Math.round(perSecond * seconds),
    perSecond,
    custodian: summary(custodian),
    rawUpdates: summary(raw),
    ratio: summary(custodian.map((c, i) => c / raw[i]!)),
    cpuMsPerDecision: { custodian: cpuMedian(cpu.custodian), raw: cpuMedian(cpu.raw) },
    target: '≥ 0.8 × raw Temporal updates/s in the same run, and ≥ 100 decisions/s (Camunda 8’s smallest SaaS cluster: 100 tasks/s on 11 vCPU)',
  };
  context.results.sustainedDecisions = result;
  console.log('\n4. Sustained decisions end to end, %d concurrent approvers, %d × %d s interleaved with raw Temporal updates', approvers, rounds, roundSeconds);
  table([
    ['', 'decisions/s (median)', 'custodian / raw (min–max)'],
    ['custodian (HTTP API)', fmt(result.custodian.median), spread(result.ratio)],
    ['raw Temporal updates', fmt(result.rawUpdates.median), ''],
  ]);
  console.log('   CPU ms per decision (median of rounds); the raw worker runs in the bench process');
  table([
    ['', ...Object.keys(components), 'total'],
    ...(['custodian', 'raw'] as const).map((kind) => {
      const row = result.cpuMsPerDecision[kind];
      return [kind, ...Object.keys(components).map((name) => fmt(row[name]!)), fmt(Object.values(row).reduce((a, b) => a + b, 0))];
    }),
  ]);
}

// ------------------------------------------------------------------ 5. many open processes

async function manyOpenProcesses(context: Context): Promise<void> {
  const count = 10_000;
  const taskQueue = `bench-open-${randomUUID()}`;
  const cache = 500;
  const worker = await spawnWorker(context, taskQueue, cache);
  const engine: EngineClient = { client: context.env.client, taskQueue };
  const definition = context.definitions.get('bench.countdown')!;
  try {
    const before = await rssMiB(worker.pid);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < count) {
          next += 1;
          await startProcess(engine, { processId: `bench-countdown-${randomUUID()}`, definition, library: {}, initiator: { id: 'biz-sales-1', departmentId: 'business' }, variables: {} });
        }
      }),
    );
    const startSeconds = (performance.now() - started) / 1000;
    // Wait until every instance has run its first workflow task (it records itself in
    // PostgreSQL), sampling the worker's memory as the open processes accumulate.
    const samples: { running: number; rssMiB: number }[] = [];
    for (let nextSample = count / 10; ; ) {
      const [row] = await context.db.sql<{ n: number }[]>`select count(*)::int as n from process_instances where definition_key = 'bench.countdown'`;
      if (row!.n >= nextSample || row!.n >= count) {
        samples.push({ running: row!.n, rssMiB: await rssMiB(worker.pid) });
        nextSample += count / 10;
      }
      if (row!.n >= count) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const settledSeconds = (performance.now() - started) / 1000;
    const after = await rssMiB(worker.pid);
    const result = {
      processes: count,
      startSeconds: round(startSeconds, 1),
      allRunningSeconds: round(settledSeconds, 1),
      workerRssMiB: { before, after, samples },
      workflowCache: cache,
      target: 'worker memory bounded by its cache size, not by the number of open processes',
    };
    context.results.manyOpenProcesses = result;
    console.log('\n5. Many open processes: %d protection-shaped countdowns (4 months each), worker cache %d', count, cache);
    table([
      ['started in (s)', 'all running after (s)', 'worker RSS before (MiB)', 'after (MiB)'],
      [fmt(result.startSeconds), fmt(result.allRunningSeconds), fmt(before), fmt(after)],
    ]);
    table([['open processes', ...samples.map((s) => String(s.running))], ['worker RSS (MiB)', ...samples.map((s) => fmt(s.rssMiB))]]);
  } finally {
    await worker.stop();
  }
}

// ------------------------------------------------------------------ 7. memory per cached instance

/**
 * Worker memory per cached instance: a worker whose cache holds every instance, and the slope of
 * its RSS over the instances it has running (least squares over the samples), so the worker's
 * fixed memory drops out.
 */
async function memoryPerInstance(context: Context): Promise<void> {
  const count = 2_000;
  const steps = 8;
  const taskQueue = `bench-memory-${randomUUID()}`;
  const worker = await spawnWorker(context, taskQueue, count);
  const engine: EngineClient = { client: context.env.client, taskQueue };
  const definition = context.definitions.get('bench.countdown')!;
  const samples: { cached: number; rssMiB: number }[] = [];
  const running = async () =>
    (await context.db.sql<{ n: number }[]>`select count(*)::int as n from process_instances where definition_key = 'bench.countdown' and id like ${`${taskQueue}%`}`)[0]!.n;
  try {
    samples.push({ cached: 0, rssMiB: await rssMiB(worker.pid) });
    for (let step = 1; step <= steps; step += 1) {
      const target = (count / steps) * step;
      let next = (count / steps) * (step - 1);
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (next < target) {
            next += 1;
            await startProcess(engine, { processId: `${taskQueue}-${next}`, definition, library: {}, initiator: { id: 'biz-sales-1', departmentId: 'business' }, variables: {} });
          }
        }),
      );
      while ((await running()) < target) await new Promise((resolve) => setTimeout(resolve, 200));
      // Let the worker's event loop and the collector settle before reading.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      samples.push({ cached: target, rssMiB: await rssMiB(worker.pid) });
    }
  } finally {
    await worker.stop();
  }
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.cached, 0) / n;
  const my = samples.reduce((a, s) => a + s.rssMiB, 0) / n;
  const slope = samples.reduce((a, s) => a + (s.cached - mx) * (s.rssMiB - my), 0) / samples.reduce((a, s) => a + (s.cached - mx) ** 2, 0);
  const result = { instances: count, samples, mibPerInstance: round(slope, 3), kibPerInstance: round(slope * 1024, 0), target: '≤ 1 MB per cached instance' };
  context.results.memoryPerInstance = result;
  console.log('\n7. Worker memory per cached instance: %d protection-shaped countdowns, all in the cache', count);
  table([['cached instances', ...samples.map((s) => String(s.cached))], ['worker RSS (MiB)', ...samples.map((s) => fmt(s.rssMiB))]]);
  console.log('   slope: %s KiB per cached instance (target ≤ 1 MB)', result.kibPerInstance);
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return round(kb / 1024, 1);
}

// ------------------------------------------------------------------ output

function fmt(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function spread(s: { median: number; min: number; max: number; runs: number }): string {
  return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)}, ${s.runs} runs)`;
}

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`);
}

// The rehearsal target shares its PostgreSQL cluster with `npm run rehearse`: one at a time.
await (target === 'rehearsal' ? withRehearsalLock((message) => console.log(`[rehearsal] ${message}`), main) : main());
