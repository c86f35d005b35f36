// Local mode: Custodian on one machine, in one process. A Temporal dev server with its Web UI
// (history persisted in the data folder), PostgreSQL (DATABASE_URL, or an embedded PGlite with its
// one connection, persisted in the data folder), the demo organisation, the worker and the API.
// `npm start` (scripts/start.ts) runs it until Ctrl-C; the local-mode end-to-end suite and
// `npm run fuzz` start it through the same function, so what they test is what a user runs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { buildApi, listen } from '../platform/http/server.ts';
import { describeScheduleChanges, ensureSchedules } from '../platform/schedules.ts';
import { readConfig, requireAuthConfig, type Config } from '../platform/config.ts';
import { connect, type Sql } from '../platform/db/client.ts';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from '../platform/db/embedded.ts';
import { migrate } from '../platform/db/migrate.ts';
import { loadDemoOrganisation } from '../platform/organisation/sql.ts';
import { StateConflict } from '../platform/errors.ts';
import { searchAttributeNames } from '../engine/search-attributes.ts';
import { publishCatalogue, schedules } from '../areas/catalogue.ts';
import { startWorker } from '../platform/worker/run.ts';
import { bundleWorkflows } from '../platform/worker/worker.ts';
import { listenMetrics } from '../platform/http/metrics-server.ts';
import type { Logger } from '../platform/logging.ts';
import { notificationSchedule } from '../platform/notifications/schedules.ts';
import { ensureCheckpointSchedule } from '../platform/chains/checkpoints.ts';
import { freePort, temporalCliPath } from './temporal-tools.ts';

export type Log = (message: string) => void;

const defaultLog: Log = (message) => console.log(`[start] ${message}`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Local mode's defaults, under whatever the environment sets (an empty variable counts as unset). */
const localDefaults: Record<string, string> = {
  // Dev login hands out tokens for any user: only on this machine's loopback interface.
  HOST: '127.0.0.1',
  AUTH_DEV_LOGIN: 'true',
  // Someone is watching the terminal.
  LOG_FORMAT: 'pretty',
  // Each notice on the console, as it is taken up for delivery (issue 16.3).
  NOTIFY_CONSOLE: 'true',
};

const DEV_SERVER_START_TIMEOUT_MS = 60_000;
const DEV_SERVER_STOP_TIMEOUT_MS = 20_000;
const STEP_STOP_TIMEOUT_MS = 25_000;
/** The file in the data folder naming the dev server a launcher started, and the launcher. */
const DEV_SERVER_RECORD = 'temporal-dev-server.json';

/** A running local system. */
export interface LocalSystem {
  config: Config;
  /** The pool on the system's database: with the embedded PGlite, its one connection. */
  sql: Sql;
  /** The launcher's client connection to the dev server. */
  connection: Connection;
  /** The API's base URL as bound (the real port when PORT was 0). */
  apiUrl: string;
  temporalAddress: string;
  /** What `npm start` prints once everything is up. */
  banner: string;
  /** Settles when the worker stops: after stop(), or by itself on failure (rejects). */
  workerFinished: Promise<void>;
  /** Stops everything, newest first; once, however often it is called. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// What has been started, stopped in reverse order
// ---------------------------------------------------------------------------------------------

class Started {
  private readonly steps: { name: string; stop: () => Promise<void> }[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly log: Log) {}

  add(name: string, stop: () => Promise<void>): void {
    this.steps.push({ name, stop });
  }

  /** Stops everything once, newest first; a step that fails or hangs is reported and passed over. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const step of this.steps.reverse()) {
        const timeout = delay(STEP_STOP_TIMEOUT_MS, 'timeout' as const, { ref: false });
        try {
          if ((await Promise.race([step.stop().then(() => 'done' as const), timeout])) === 'timeout') {
            this.log(`  ${step.name} did not stop within ${STEP_STOP_TIMEOUT_MS / 1000} s; leaving it`);
          }
        } catch (error) {
          this.log(`  stopping ${step.name} failed: ${messageOf(error)}`);
        }
      }
    })();
    return this.stopping;
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/** The configuration of local mode: `env` with local mode's defaults under it, and a kept token secret. */
// eslint-disable-next-line no-restricted-syntax -- local mode puts its defaults under the environment; config.ts reads the result
export async function localConfig(environment: NodeJS.ProcessEnv = process.env, log: Log = defaultLog): Promise<Config> {
  const env: NodeJS.ProcessEnv = { ...environment };
  for (const [name, value] of Object.entries(localDefaults)) {
    if (!env[name]) env[name] = value;
  }
  let config = readConfig(env);
  if (config.AUTH_JWT_SECRET === undefined) {
    env.AUTH_JWT_SECRET = await localSecret(config.CUSTODIAN_DATA_DIR, 'jwt-secret', 'a token-signing secret', log);
    config = readConfig(env);
  }
  // The chain checkpoints' HMAC key (issue 17): in the data folder, never in the database.
  if (config.CHAIN_CHECKPOINT_KEY === undefined) {
    env.CHAIN_CHECKPOINT_KEY = await localSecret(config.CUSTODIAN_DATA_DIR, 'chain-checkpoint-key', 'a chain checkpoint key', log);
    config = readConfig(env);
  }
  return requireAuthConfig(config);
}

/**
 * The environment of a local system of its own, for the local-mode suite and `npm run fuzz`: its
 * data in `dataDir`, every port a free one, and local mode's own choices whatever `base` (the
 * caller's environment) says about the database and authentication.
 */
export async function isolatedLocalEnv(dataDir: string, base: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  return {
    ...base,
    CUSTODIAN_DATA_DIR: dataDir,
    PGLITE_DATA_DIR: path.join(dataDir, 'pglite'),
    PORT: String(await freePort()),
    PGLITE_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    TEMPORAL_UI_URL: `http://127.0.0.1:${await freePort()}`,
    DATABASE_URL: '',
    DATABASE_POOL_SIZE: '',
    AUTH_JWT_SECRET: '',
    AUTH_JWKS_URL: '',
    AUTH_DEV_LOGIN: '',
    CHAIN_CHECKPOINT_KEY: '',
    HOST: '',
    PUBLIC_URL: '',
  };
}

/** A secret made on first start and kept in the data folder, so tokens and checkpoints survive a restart. */
async function localSecret(dataDir: string, fileName: string, what: string, log: Log): Promise<string> {
  const file = path.join(dataDir, fileName);
  await fs.mkdir(dataDir, { recursive: true });
  try {
    await fs.writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    log(`made ${what} for local mode in ${file}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await fs.readFile(file, 'utf8')).trim();
}

function portOf(address: string, fallback: number): number {
  const match = /:(\d+)$/.exec(address);
  return match ? Number(match[1]) : fallback;
}

/** Every port local mode will listen on is checked first, so a clash stops start-up before anything runs. */
async function assertPortsFree(ports: { variable: string; host: string; port: number }[]): Promise<void> {
  const taken: string[] = [];
  for (const { variable, host, port } of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, host, () => probe.close(() => resolve(true)));
    });
    if (!free) taken.push(`  ${variable}: port ${port} on ${host} is in use`);
  }
  if (taken.length > 0) {
    throw new Error(
      `${taken.join('\n')}\nAnother Custodian may be running (or a Temporal dev server left by one). ` +
        'Stop it, or choose other ports with the variables named above.',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Temporal dev server
// ---------------------------------------------------------------------------------------------

/**
 * What a launcher writes into the data folder once its dev server runs, and removes once it has
 * stopped it. The dev server runs in its own process group (so that a terminal's Ctrl-C reaches
 * the launcher alone, which stops the worker first): a launcher killed outright (SIGKILL, the OOM
 * killer) cannot take it along. The next start finds the record and stops the server it names.
 * A process is recognised by its whole command line, which names this data folder's history
 * database, so a reused pid is never mistaken for it.
 */
interface DevServerRecord {
  devServer: { pid: number; command: string };
  launcher: { pid: number; command: string };
}

const execFileText = promisify(execFile);

/** The command line of a running process (arguments joined by spaces); undefined when it is gone or a zombie. */
async function commandLineOf(pid: number): Promise<string | undefined> {
  const proc = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : undefined));
  if (proc !== undefined) return proc === '' ? undefined : proc.replace(/\0$/, '').split('\0').join(' ');
  // No /proc (macOS): ps prints the arguments joined the same way.
  const ps = await execFileText('ps', ['-o', 'args=', '-p', String(pid)]).catch(() => undefined);
  const command = ps?.stdout.trim();
  return command === undefined || command === '' ? undefined : command;
}

/**
 * Before anything listens: stops a dev server that a killed launcher left running on this data
 * folder, or refuses when the launcher that started it is still running.
 */
async function reclaimDevServer(dataDir: string, log: Log): Promise<void> {
  const file = path.join(dataDir, DEV_SERVER_RECORD);
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return;
  let record: DevServerRecord;
  try {
    record = JSON.parse(text) as DevServerRecord;
  } catch {
    log(`ignoring ${file}: it is not a dev server record`);
    await fs.rm(file, { force: true });
    return;
  }
  const { launcher, devServer } = record;
  if (launcher.pid !== process.pid && (await commandLineOf(launcher.pid)) === launcher.command) {
    throw new Error(`Custodian (process ${launcher.pid}) is running on the data folder ${path.resolve(dataDir)}: stop it first, or give this one another CUSTODIAN_DATA_DIR.`);
  }
  if ((await commandLineOf(devServer.pid)) === devServer.command) {
    log(`stopping the Temporal dev server (process ${devServer.pid}) that a previous start on this data folder left running`);
    if (!(await signalUntilGone(devServer, 'SIGTERM', DEV_SERVER_STOP_TIMEOUT_MS)) && !(await signalUntilGone(devServer, 'SIGKILL', 5_000))) {
      throw new Error(`the Temporal dev server left running by a previous start (process ${devServer.pid}) does not stop; stop it yourself`);
    }
  }
  await fs.rm(file, { force: true });
}

/** Sends `signal` and waits up to `timeoutMs` for the process to be gone; whether it is. */
async function signalUntilGone(target: { pid: number; command: string }, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(target.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await commandLineOf(target.pid)) !== target.command) return true;
    await delay(100);
  }
  return false;
}

interface DevServer {
  child: ChildProcess;
  connection: Connection;
}

async function startDevServer(
  options: { cli: string; dataDir: string; port: number; uiPort: number; namespace: string },
  started: Started,
  signal: AbortSignal,
): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    // History, timers and schedules persist here: a restart resumes every open instance.
    '--db-filename',
    path.resolve(options.dataDir, 'temporal.db'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace,
    // With a persisted database they already exist on later starts; the CLI accepts that.
    ...searchAttributeNames.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    '--log-level',
    'warn',
  ];
  // Its own process group: a Ctrl-C in the terminal reaches only this process, which stops the
  // worker before the server it talks to.
  const child = spawn(options.cli, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  // Should this process die without stopping it (an uncaught error, a second Ctrl-C), the server
  // must not outlive it holding the ports and the database.
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  let stopping = false;
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-10_000);
    // Its shutdown is chatty (pollers losing their connection); only what it says while running matters.
    if (!signal.aborted && !stopping) for (const line of chunk.trimEnd().split('\n')) console.error(`[temporal] ${line}`);
  });
  child.once('error', (error) => (stderr += `\n${error.message}`));
  // Should this process be killed outright, the next start stops the server named here (reclaimDevServer).
  const record = path.join(options.dataDir, DEV_SERVER_RECORD);
  if (child.pid !== undefined) {
    const written: DevServerRecord = {
      devServer: { pid: child.pid, command: [options.cli, ...args].join(' ') },
      launcher: { pid: process.pid, command: (await commandLineOf(process.pid)) ?? '' },
    };
    await fs.writeFile(record, `${JSON.stringify(written, null, 2)}\n`);
  }
  started.add('Temporal dev server', async () => {
    process.off('exit', killOnExit);
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), DEV_SERVER_STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await fs.rm(record, { force: true });
  });

  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + DEV_SERVER_START_TIMEOUT_MS;
  for (;;) {
    signal.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`the Temporal dev server exited (${child.exitCode ?? child.signalCode ?? 'did not start'}):\n${tail(stderr)}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      started.add('Temporal client', () => connection.close());
      return { child, connection };
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`the Temporal dev server did not answer on ${address} within ${DEV_SERVER_START_TIMEOUT_MS / 1000} s: ${messageOf(error)}`, {
          cause: error,
        });
      }
      await Promise.race([delay(200), exited]);
    }
  }
}

/** The UI is served by the same process a moment after gRPC; the URL is printed once it answers. */
async function waitForUi(url: string): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((response) => response.ok, () => false);
    if (ok) return true;
    await delay(250);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------

async function startDatabase(config: Config, started: Started, log: Log): Promise<{ sql: Sql; description: string }> {
  if (config.DATABASE_URL !== undefined) {
    const sql = connect(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
    started.add('database pool', () => sql.end({ timeout: 5 }));
    return { sql, description: `${redact(config.DATABASE_URL)} (DATABASE_URL)` };
  }
  const opening = performance.now();
  const embedded = await startEmbeddedPostgres({ dataDir: config.PGLITE_DATA_DIR, port: config.PGLITE_PORT });
  started.add('embedded PostgreSQL', () => embedded.stop());
  log(`embedded PostgreSQL (PGlite) open in ${seconds(opening)}: ${config.PGLITE_DATA_DIR}`);
  const sql = connect(embedded.url, { max: EMBEDDED_POOL_SIZE });
  started.add('database pool', () => sql.end({ timeout: 5 }));
  return { sql, description: `embedded PGlite in ${config.PGLITE_DATA_DIR}, ${embedded.url} (one connection, held by Custodian)` };
}

/** For a local database holding nothing but demo data, starting afresh is a fine answer to a conflict. */
const START_AFRESH = 'For a local database of nothing but demo data, you may instead delete the data folder to start afresh.';

async function prepareDatabase(sql: Sql, log: Log): Promise<void> {
  const migrations = await migrate(sql).catch((error: unknown) => {
    // migrate() refuses a migration file edited after it was applied here.
    if (error instanceof Error && /changed after it was applied/.test(error.message)) {
      throw new Error(`${error.message}.\n${START_AFRESH}`, { cause: error });
    }
    throw error;
  });
  log(
    `migrations: ${migrations.applied.length} applied${migrations.applied.length > 0 ? ` (${migrations.applied.join(', ')})` : ''}, ` +
      `${migrations.alreadyApplied.length} already applied`,
  );
  const organisation = await loadDemoOrganisation(sql);
  log(
    `demo organisation: ${organisation.users} users in ${organisation.departments} departments; ` +
      (organisation.changed === 0 ? 'already up to date' : `${organisation.changed} rows written`),
  );
  let catalogue;
  try {
    catalogue = await publishCatalogue(sql);
  } catch (error) {
    if (error instanceof StateConflict && error.code === 'DEFINITION_VERSION_EXISTS') {
      throw new Error(`${error.message}.\nA definition in areas/*/definitions.ts was edited without a new version: give it one. ${START_AFRESH}`, {
        cause: error,
      });
    }
    throw error;
  }
  log(`process catalogue: ${catalogue.created.length} published, ${catalogue.unchanged.length} already published`);
}

// ---------------------------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------------------------

/**
 * Starts the whole local system. On failure (or when `signal` aborts) whatever had started is
 * stopped before the error is thrown. The caller installs the Temporal runtime first
 * (installTemporalRuntime), as it must be before any worker connection in the process.
 */
export async function startLocalMode(config: Config, options: { signal?: AbortSignal; log?: Log; /** The API's request log (none when absent). */ logger?: Logger } = {}): Promise<LocalSystem> {
  const log = options.log ?? defaultLog;
  const started = new Started(log);
  try {
    return await startAll(config, started, options.signal ?? new AbortController().signal, log, options.logger);
  } catch (error) {
    await started.stopAll();
    throw error;
  }
}

async function startAll(config: Config, started: Started, signal: AbortSignal, log: Log, logger: Logger | undefined): Promise<LocalSystem> {
  const startedAt = performance.now();
  const temporalPort = portOf(config.TEMPORAL_ADDRESS, 7233);
  const uiUrl = new URL(config.TEMPORAL_UI_URL);
  const uiPort = uiUrl.port === '' ? 8233 : Number(uiUrl.port);
  await fs.mkdir(config.CUSTODIAN_DATA_DIR, { recursive: true });
  await reclaimDevServer(config.CUSTODIAN_DATA_DIR, log);
  await assertPortsFree([
    { variable: 'PORT', host: config.HOST, port: config.PORT },
    { variable: 'TEMPORAL_ADDRESS', host: '127.0.0.1', port: temporalPort },
    { variable: 'TEMPORAL_UI_URL', host: '127.0.0.1', port: uiPort },
    ...(config.DATABASE_URL === undefined ? [{ variable: 'PGLITE_PORT', host: '127.0.0.1', port: config.PGLITE_PORT }] : []),
  ]);

  const cli = await temporalCliPath({
    cliPath: config.TEMPORAL_CLI_PATH,
    toolsDir: config.CUSTODIAN_TOOLS_DIR,
    log,
  });
  if (cli === undefined) {
    throw new Error('no Temporal CLI: put `temporal` on PATH, set TEMPORAL_CLI_PATH, or install Go so that it can be built (npm run tools)');
  }
  signal.throwIfAborted();

  // The three slow parts run side by side: the dev server, the database, and bundling the
  // workflow code for the worker. The first two are let finish (allSettled), so that whatever did
  // start is known to `started` and stopped if the other failed. Bundling starts nothing, so a
  // Ctrl-C meanwhile does not wait for it.
  const phase = performance.now();
  const bundling = bundleWorkflows().then((bundled) => {
    log(`workflow code bundled after ${seconds(phase)}`);
    return bundled;
  });
  bundling.catch(() => {}); // awaited below, unless start-up is abandoned first
  const [temporal, database] = await Promise.allSettled([
    (async () => {
      const devServer = await startDevServer(
        { cli, dataDir: config.CUSTODIAN_DATA_DIR, port: temporalPort, uiPort, namespace: config.TEMPORAL_NAMESPACE },
        started,
        signal,
      );
      log(`Temporal dev server answering on 127.0.0.1:${temporalPort} after ${seconds(phase)}`);
      return devServer;
    })(),
    (async () => {
      const db = await startDatabase(config, started, log);
      signal.throwIfAborted();
      await prepareDatabase(db.sql, log);
      return db;
    })(),
  ]);
  for (const result of [temporal, database]) if (result.status === 'rejected') throw result.reason;
  signal.throwIfAborted();
  const { connection } = (temporal as PromiseFulfilledResult<DevServer>).value;
  const { sql, description } = (database as PromiseFulfilledResult<{ sql: Sql; description: string }>).value;
  const workflowBundle = await Promise.race([bundling, rejectOnAbort(signal)]);

  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const worker = await startWorker({
    config: { ...config, TEMPORAL_ADDRESS: temporalAddress },
    sql,
    log,
    signal,
    workflowBundle,
  });
  started.add('worker', () => worker.stop());
  // Observed here already: a worker failing before the launcher waits on it is not an unhandled rejection.
  worker.finished.catch(() => {});
  signal.throwIfAborted();

  const built = buildApi({ config, sql, connection, logger });
  const { app, engine, outbox } = built;
  // Stopped before the database pool it reads.
  started.add('process outbox', () => outbox.stop());
  // The areas' Schedules (DES-2's daily retention review, ...), pinned to the published
  // definitions; before the API answers, so that a ready API means a complete system.
  const scheduleChanges = await ensureSchedules({ client: engine.client, taskQueue: config.TEMPORAL_TASK_QUEUE, sql, schedules, notifications: notificationSchedule(config) });
  log(`schedules: ${describeScheduleChanges(scheduleChanges)}`);
  log(`chain checkpoint schedule: ${await ensureCheckpointSchedule(engine.client, config.TEMPORAL_TASK_QUEUE)}`);
  const server = await listen(app, { hostname: config.HOST, port: config.PORT });
  started.add('API', () => server.close());
  const metricsServer = await listenMetrics(built, config);
  if (metricsServer) started.add('API metrics', () => metricsServer.close());

  const uiLocal = `http://localhost:${uiPort}`;
  if (!(await waitForUi(`http://127.0.0.1:${uiPort}/`))) log(`the Temporal UI did not answer at ${uiLocal} yet`);

  const api = config.PUBLIC_URL ?? `http://localhost:${server.address.port}`;
  const banner = [
    '',
    `Custodian is running (started in ${seconds(startedAt)}).`,
    `  Web inbox      ${api}/`,
    `  API            ${api}`,
    `  API docs       ${api}/docs`,
    `  OpenAPI        ${api}/api/v1/openapi.json`,
    ...(config.API_METRICS ? [`  API metrics    ${metricsServer ? `http://${config.API_METRICS_ADDRESS}` : api}/metrics  (Prometheus)`] : []),
    `  Temporal UI    ${uiLocal}  (namespace ${config.TEMPORAL_NAMESPACE})`,
    `  Temporal gRPC  ${temporalAddress}`,
    `  PostgreSQL     ${description}`,
    `  Data           ${path.resolve(config.CUSTODIAN_DATA_DIR)}`,
    '',
    'A token for a demo user (gm, archivist, finance-manager, biz-sales-1, ...):',
    `  curl -s -X POST ${api}/api/v1/auth/dev-token -H 'content-type: application/json' -d '{"userId":"archivist"}'`,
    'then:',
    `  curl -s ${api}/api/v1/me -H "authorization: Bearer <token>"`,
    '',
    'Ctrl-C stops everything; the next `npm start` carries on from the data folder.',
    '',
  ].join('\n');
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  return {
    config,
    sql,
    connection,
    apiUrl: `http://${host.includes(':') ? `[${host}]` : host}:${server.address.port}`,
    temporalAddress,
    banner,
    workerFinished: worker.finished,
    stop: () => started.stopAll(),
  };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function redact(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}
