// A real engine for a test suite: the time-skipping Temporal server, a worker running the
// interpreter with its real activities, and a fresh PostgreSQL database with the demo organisation.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Sql } from '../../platform/db/client.ts';
import { definitionLibrary, publishDefinition } from '../../engine/sql/definitions.ts';
import { findUser, loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { completeTask, processState, startProcess, type EngineClient } from '../../engine/client.ts';
import type { ProcessView } from '../../engine/workflow/types.ts';
import { NotFound } from '../../platform/errors.ts';
import type { NotificationSettings } from '../../platform/notifications/activities.ts';
import { devServerExecutable, testServerExecutable, toolsOptionsFromEnv } from '../../scripts/temporal-tools.ts';
import { registerSearchAttributes } from '../../platform/worker/search-attributes.ts';
import { bundleWorkflows, createWorker } from '../../platform/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
const { temporal } = proto;

// Worker state changes at INFO would drown the test report.
Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<WorkflowBundle> | undefined;
/** One webpack bundle per test file: bundling takes seconds. */
export function sharedBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflows();
  return bundle;
}

export interface EngineHarness extends EngineClient {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  worker: Worker;
  publish(definition: ProcessDefinitionInput): Promise<void>;
  start(
    definitionKey: { key: string; version: number },
    initiatorId: string,
    variables?: Record<string, unknown>,
    options?: { processId?: string; historyLimit?: number },
  ): Promise<string>;
  /** Starts a fresh worker (after `stopWorker`), as after a crash or a deploy. */
  restartWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * `time-skipping` (default) runs on the Java test server; `dev` on the real Temporal dev server,
 * for what the test server does not model (sticky queues when a worker dies, real timeouts).
 */
export async function startEngine(
  options: {
    activities?: object;
    server?: 'time-skipping' | 'dev';
    suite?: string;
    /** The database pool the worker (and an API over it) shares. */ poolSize?: number;
    /** How the real notification activities reach people (an SMTP server of the test's). */
    notifications?: NotificationSettings;
    /** CHAIN_CHECKPOINT_KEY for the worker's checkpoint activity. */
    checkpointKey?: string;
  } = {},
): Promise<EngineHarness> {
  const tools = toolsOptionsFromEnv();
  const environment =
    options.server === 'dev'
      ? devServerExecutable(tools).then((executable) => TestWorkflowEnvironment.createLocal({ server: { executable } }))
      : testServerExecutable(tools).then((executable) => TestWorkflowEnvironment.createTimeSkipping({ server: { executable } }));
  const [db, env, workflowBundle] = await Promise.all([createTestDatabase({ max: options.poolSize }), environment, sharedBundle()]);
  await Promise.all([loadDemoOrganisation(db.sql), registerSearchAttributes(env.connection, env.namespace ?? 'default')]);
  const taskQueue = `test-${randomUUID()}`;
  const launch = async () => {
    const worker = await createWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, sql: db.sql, workflowBundle, activities: options.activities, notifications: options.notifications, checkpointKey: options.checkpointKey });
    const running = worker.run();
    return { worker, running };
  };
  let current: Awaited<ReturnType<typeof launch>> | undefined = await launch();
  const started: { id: string; key: string }[] = [];
  const harness: EngineHarness = {
    env,
    db,
    client: env.client,
    taskQueue,
    // Workflow suites test the engine, not the API's deadline (tests/api/workflow-answers.test.ts
    // does): a decision held on purpose, on a loaded machine, may take longer than its default.
    waitMs: 60_000,
    get worker() {
      return current!.worker;
    },
    async publish(definition) {
      await publishDefinition(db.sql, definition, serviceSpecs);
    },
    async start(ref, initiatorId, variables = {}, { processId = `test-${randomUUID()}`, historyLimit } = {}) {
      const [row] = await db.sql<{ definition: never }[]>`select definition from process_definitions where key = ${ref.key} and version = ${ref.version}`;
      if (!row) throw new Error(`${ref.key}@${ref.version} is not published`);
      const user = await findUser(db.sql, initiatorId);
      if (!user) throw new Error(`no user ${initiatorId}`);
      await startProcess(harness, {
        processId,
        definition: row.definition,
        library: await definitionLibrary(db.sql, row.definition),
        initiator: { id: user.id, departmentId: user.departmentId },
        variables,
        historyLimit,
      });
      started.push({ id: processId, key: ref.key });
      return processId;
    },
    async stopWorker() {
      if (!current) return;
      current.worker.shutdown();
      await current.running;
      current = undefined;
    },
    async restartWorker() {
      current = await launch();
    },
    async teardown() {
      if (recordTo && options.suite) await recordHistories(env, started, path.join(recordTo, options.suite));
      await harness.stopWorker();
      await env.teardown();
      await db.drop();
    },
  };
  return harness;
}

// `RECORD_REPLAY_HISTORIES=tests/replay/histories npm test` refreshes the recorded histories
// that tests/replay replays against the current workflow code.
const recordTo = process.env.RECORD_REPLAY_HISTORIES;

async function recordHistories(env: TestWorkflowEnvironment, started: { id: string; key: string }[], dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [index, { id, key }] of started.entries()) {
    const handle = env.client.workflow.getHandle(id);
    if ((await handle.describe()).status.name === 'RUNNING') continue;
    // protobufjs' own object form (not the SDK's historyToJSON, which trips over a second protobufjs copy in node_modules).
    const history = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(await handle.fetchHistory()), { longs: String, bytes: String });
    await writeFile(path.join(dir, `${String(index).padStart(2, '0')}-${key}.json`), `${JSON.stringify(history)}\n`);
  }
}

/** Reads until `ok` holds (the worker acts asynchronously), or returns the last value after about `attempts` × 50 ms. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, attempts = 200): Promise<T> {
  let value = await read();
  for (let i = 0; !ok(value) && i < attempts; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** The open tasks of a process once there are `count` of them (the worker opens them asynchronously). */
export async function openTasks(engine: EngineClient, processId: string, count = 1): Promise<ProcessView['openTasks']> {
  let last: ProcessView['openTasks'] = [];
  for (let attempt = 0; attempt < 200; attempt += 1) {
    // A child process may not have started yet: not found is "not yet" here.
    last = (await processState(engine, processId).catch((error) => (error instanceof NotFound ? { openTasks: [] } : Promise.reject(error)))).openTasks;
    if (last.length >= count) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`expected ${count} open task(s) in ${processId}, found ${last.length}`);
}

export async function decide(engine: EngineClient, processId: string, taskId: string, actorId: string, outcome: string, data?: Record<string, unknown>) {
  return completeTask(engine, processId, { taskId, actorId, outcome, ...(data ? { data } : {}) });
}

/** How many audit rows of each event an instance wrote: the check that nothing was lost or doubled. */
export function auditEventCounts(sql: Sql, processId: string): Promise<{ event: string; n: number }[]> {
  return sql<{ event: string; n: number }[]>`
    select event, count(*)::int as n from audit_log where process_id = ${processId} group by event order by event`;
}

/** The audit trail of a two-step approval that ran once, exactly. */
export const twoStepApprovalAudit = [
  { event: 'process.ended', n: 1 },
  { event: 'process.started', n: 1 },
  { event: 'task.completed', n: 2 },
  { event: 'task.opened', n: 2 },
];
