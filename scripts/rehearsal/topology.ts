// The production topology of docker-compose.yml, on this machine without containers: a Temporal
// cluster (temporal-server built by `npm run tools`) persisted in the local PostgreSQL cluster,
// configured by the same files under deploy/temporal/, and N workers and N API replicas as
// separate processes on their own ports. Used by `npm run rehearse` and by
// `npm run bench -- --target rehearsal`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect } from '../../platform/db/client.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { temporalCliPath, temporalServerTools, toolsOptionsFromEnv } from '../temporal-tools.ts';
import { freePort, run, START_TIMEOUT_MS, stop, tail, waitForGrpc, withLock, type Log } from '../tools/process.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** One source of truth: the folder docker-compose.yml mounts into its Temporal containers. */
export const temporalConfigDir = path.join(root, 'deploy', 'temporal');

/** A Debian PostgreSQL cluster (`pg_ctlcluster <version> <name>`); its superuser creates the databases. */
export interface PostgresCluster {
  version: string;
  name: string;
  port: number;
}

const POSTGRES = { host: '127.0.0.1', user: 'postgres', password: 'postgres' };
const adminUrl = (cluster: PostgresCluster, database: string) => `postgres://${POSTGRES.user}:${POSTGRES.password}@${POSTGRES.host}:${cluster.port}/${database}`;

/** A process of the topology: started, watched, killed and started again. Its output goes to a log file. */
export class Service {
  private child: ChildProcess | undefined;
  private output: WriteStream | undefined;
  private recentOutput: () => string = () => '';
  /** Each time the process exited without being told to: when, and its last error line. */
  readonly crashes: string[] = [];
  /** The restarts after those exits, as docker-compose.yml's `restart: unless-stopped` does them. */
  private restarting: Promise<void> | undefined;
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
    /** Resolves once the process serves; rejects with the reason when it cannot. */
    private readonly ready: (service: Service, child: ChildProcess) => Promise<void>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the process is running now (after a crash: whether a restart has taken). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.output = createWriteStream(this.logFile, { flags: 'a' });
    this.output.write(`--- ${new Date().toISOString()} start ${this.command} ${this.args.join(' ')}\n`);
    const child = spawn(this.command, this.args, { env: this.env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let recent = '';
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.pipe(this.output, { end: false });
      stream.on('data', (chunk: Buffer) => (recent = (recent + chunk.toString('utf8')).slice(-20_000)));
    }
    this.recentOutput = () => recent;
    child.once('exit', (code, signal) => {
      this.output?.write(`--- ${new Date().toISOString()} exit ${code ?? signal}\n`);
      if (this.stopping) return;
      const lastError = recent.split('\n').filter((line) => /\b\w*Error\b/.test(line)).at(-1)?.trim() ?? 'no error printed';
      this.crashes.push(`${this.name} exited by itself (${code ?? signal}) at ${new Date().toISOString()}: ${lastError.slice(0, 200)}`);
      // As compose's restart policy does. A restart that fails (PostgreSQL still down, say) exits
      // too, and so is tried again a second later, until one takes.
      this.restarting = delay(1000)
        .then(() => (this.stopping ? undefined : this.start()))
        .catch(() => {});
    });
    try {
      await this.ready(this, child);
    } catch (error) {
      throw new Error(`${this.name} did not start: ${error instanceof Error ? error.message : String(error)}\n${this.errors()}`, { cause: error });
    }
  }

  /** SIGTERM and a wait for the exit (SIGKILL after 30 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    this.stopping = true;
    if (this.child) await stop(this.child);
  }

  /** SIGKILL, as a crash: nothing runs on the way out. */
  async kill(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** The last lines the process wrote, for error messages. */
  errors(): string {
    return tail(this.recentOutput(), 15);
  }

  /** Waits until a line matching `pattern` appears on stdout. */
  static async lineOn(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
    let seen = '';
    let onData: (chunk: Buffer) => void = () => {};
    const found = new Promise<void>((resolve) => {
      onData = (chunk) => {
        seen = (seen + chunk.toString('utf8')).slice(-10_000);
        if (pattern.test(seen)) resolve();
      };
      child.stdout!.on('data', onData);
    });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${what} exited (${code ?? signal}) before it was ready:\n${tail(seen)}`))));
    const timer = delay(timeoutMs).then(() => {
      throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${tail(seen)}`);
    });
    try {
      await Promise.race([found, exited, timer]);
    } finally {
      child.stdout!.off('data', onData);
    }
  }
}

export interface TopologyOptions extends ClusterOptions {
  workers: number;
  apis: number;
}

export interface Topology {
  temporal: Service;
  workers: Service[];
  apis: Service[];
  apiUrls: string[];
  temporalAddress: string;
  /** The Prometheus endpoints: the server's, then each worker's, then each API's. */
  metricsUrls: string[];
  /** The application database, as the superuser (for the checks). */
  databaseUrl: string;
  /** Restarts the Temporal server: SIGTERM, then a start with the same configuration. */
  restartTemporal(): Promise<void>;
  /** Every time a process exited without being told to (each was restarted, as compose would). */
  crashes(): string[];
  /** The processes that are not running now. */
  down(): string[];
  stop(): Promise<void>;
}

const SERVICE_PORTS = [
  'TEMPORAL_FRONTEND_PORT',
  'TEMPORAL_FRONTEND_MEMBERSHIP_PORT',
  'TEMPORAL_FRONTEND_HTTP_PORT',
  'TEMPORAL_HISTORY_PORT',
  'TEMPORAL_HISTORY_MEMBERSHIP_PORT',
  'TEMPORAL_MATCHING_PORT',
  'TEMPORAL_MATCHING_MEMBERSHIP_PORT',
  'TEMPORAL_WORKER_PORT',
  'TEMPORAL_WORKER_MEMBERSHIP_PORT',
] as const;

export interface ClusterOptions {
  /** Folder for the server's log. */
  logDir: string;
  /** Prefix of the three databases (`<prefix>_temporal`, `_visibility`, `_custodian`), created anew. */
  databasePrefix: string;
  postgres: PostgresCluster;
  log: Log;
}

export interface TemporalCluster {
  temporal: Service;
  /** The frontend, host:port. */
  address: string;
  namespace: string;
  /** The server's Prometheus endpoint. */
  metricsUrl: string;
  /** `<prefix>_custodian`, empty, for the application. */
  databaseUrl: string;
}

/**
 * Fresh databases, Temporal's schemas (deploy/temporal/setup-schema.sh), the server from
 * deploy/temporal/custodian.yaml, the namespace and search attributes (setup-namespace.sh).
 */
export async function startTemporalCluster(options: ClusterOptions): Promise<TemporalCluster> {
  const { log } = options;
  const tools = toolsOptionsFromEnv();
  const serverTools = await temporalServerTools({ ...tools, log });
  const cli = await temporalCliPath({ ...tools, log });
  if (serverTools === undefined || cli === undefined) throw new Error('no temporal-server or Temporal CLI, and no Go to build them: run `npm run tools` where Go is installed');
  await fs.mkdir(options.logDir, { recursive: true });

  const names = { temporal: `${options.databasePrefix}_temporal`, visibility: `${options.databasePrefix}_visibility`, custodian: `${options.databasePrefix}_custodian` };
  await recreateDatabases(options.postgres, Object.values(names));
  log(`databases ${Object.values(names).join(', ')} created anew`);

  // The variables deploy/temporal/custodian.yaml and the setup scripts read, for this machine.
  // Below 32768: Temporal keeps the membership ports in a smallint column, and the kernel's
  // ephemeral range (where freePort() lands) starts above it.
  const ports: Record<(typeof SERVICE_PORTS)[number], string> = Object.fromEntries(
    await Promise.all(SERVICE_PORTS.map(async (name) => [name, String(await freePort({ below: 32768 }))] as const)),
  ) as never;
  const metricsPort = await freePort();
  const temporalEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...ports,
    TEMPORAL_DB_HOST: POSTGRES.host,
    TEMPORAL_DB_PORT: String(options.postgres.port),
    TEMPORAL_DB_USER: POSTGRES.user,
    TEMPORAL_DB_PASSWORD: POSTGRES.password,
    TEMPORAL_DB_NAME: names.temporal,
    TEMPORAL_VISIBILITY_DB_NAME: names.visibility,
    TEMPORAL_BIND_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    TEMPORAL_DYNAMIC_CONFIG: path.join(temporalConfigDir, 'dynamic-config.yaml'),
    TEMPORAL_LOG_LEVEL: 'warn',
  };
  const temporalAddress = `127.0.0.1:${ports.TEMPORAL_FRONTEND_PORT}`;

  const schema = await run('sh', [path.join(temporalConfigDir, 'setup-schema.sh')], { env: { ...temporalEnv, SQL_TOOL: serverTools.sqlTool }, timeoutMs: 120_000 });
  if (schema.code !== 0) throw new Error(`deploy/temporal/setup-schema.sh failed (${schema.code}):\n${tail(schema.stdout + schema.stderr)}`);
  log('Temporal schemas created with temporal-sql-tool (deploy/temporal/setup-schema.sh)');

  const temporal = new Service(
    'temporal-server',
    serverTools.server,
    // As docker-compose.yml starts it, with this checkout's deploy/ as the root.
    ['--root', path.dirname(temporalConfigDir), '--config', path.basename(temporalConfigDir), '--env', 'custodian', '--allow-no-auth', 'start'],
    temporalEnv,
    path.join(options.logDir, 'temporal-server.log'),
    (service, child) => waitForGrpc(Number(ports.TEMPORAL_FRONTEND_PORT), child, START_TIMEOUT_MS, () => service.errors()),
  );
  const started = performance.now();
  await temporal.start();
  log(`temporal-server ${temporalAddress} answering after ${seconds(started)} (metrics http://127.0.0.1:${metricsPort}/metrics)`);

  const namespace = 'default';
  const setup = await run('sh', [path.join(temporalConfigDir, 'setup-namespace.sh')], {
    env: { ...process.env, TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: namespace },
    timeoutMs: 240_000,
  });
  if (setup.code !== 0) throw new Error(`deploy/temporal/setup-namespace.sh failed (${setup.code}):\n${tail(setup.stdout + setup.stderr)}`);
  log(`namespace "${namespace}" and its search attributes registered (deploy/temporal/setup-namespace.sh)`);

  return {
    temporal,
    address: temporalAddress,
    namespace,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    databaseUrl: adminUrl(options.postgres, names.custodian),
  };
}

/** A Temporal cluster (startTemporalCluster), then the workers and the APIs on a migrated, seeded database. */
export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const { log } = options;
  const cluster = await startTemporalCluster(options);
  const { temporal, address: temporalAddress, namespace, databaseUrl } = cluster;
  const sql = connect(databaseUrl, { max: 1 });
  try {
    await migrate(sql);
    await loadDemoOrganisation(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }

  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '5',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: 'custodian',
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    AUTH_DEV_LOGIN: 'true',
    // The production API requires both (issue 17); dev-login tokens carry them.
    AUTH_ISSUER: 'custodian',
    AUTH_AUDIENCE: 'custodian-api',
    CHAIN_CHECKPOINT_KEY: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    // Decisions answered when they are applied, not 202, even while a worker restarts.
    API_WORKFLOW_WAIT_MS: '30000',
    LOG_LEVEL: 'info',
    // One JSON object per line in each process's log file, with the request ids to follow.
    LOG_FORMAT: 'json',
  };
  const node = process.execPath;
  const workerMetricsPorts = await Promise.all(Array.from({ length: options.workers }, () => freePort()));
  const workers = workerMetricsPorts.map((metricsPort, index) => {
    const name = `worker-${index + 1}`;
    const env = { ...appEnv, WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` };
    return new Service(name, node, ['--import', 'tsx', 'platform/worker/main.ts'], env, path.join(options.logDir, `${name}.log`), (_service, child) =>
      Service.lineOn(child, /polling task queue/, 180_000, name),
    );
  });
  const apiPorts = await Promise.all(Array.from({ length: options.apis }, () => freePort()));
  const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  // As compose does: each API's request metrics on a port of their own, not the API's.
  const apiMetricsPorts = await Promise.all(apiPorts.map(() => freePort()));
  const apis = apiPorts.map((port, index) => {
    const name = `api-${index + 1}`;
    const env = { ...appEnv, PORT: String(port), API_METRICS_ADDRESS: `127.0.0.1:${apiMetricsPorts[index]}` };
    return new Service(name, node, ['--import', 'tsx', 'platform/http/main.ts'], env, path.join(options.logDir, `${name}.log`), (_service, child) =>
      untilReady(`${apiUrls[index]}/readyz`, child, 120_000, name),
    );
  });
  // The workers one after the other: each bundles the workflow code, which takes both cores.
  for (const worker of workers) {
    const at = performance.now();
    await worker.start();
    log(`${worker.name} polling after ${seconds(at)}`);
  }
  await Promise.all(apis.map((api) => api.start()));
  log(`${apis.map((api, index) => `${api.name} ${apiUrls[index]}`).join(', ')} ready`);

  const all = () => [temporal, ...workers, ...apis];
  return {
    temporal,
    workers,
    apis,
    apiUrls,
    temporalAddress,
    metricsUrls: [cluster.metricsUrl, ...[...workerMetricsPorts, ...apiMetricsPorts].map((port) => `http://127.0.0.1:${port}/metrics`)],
    databaseUrl,
    async restartTemporal() {
      await temporal.stop();
      await temporal.start();
    },
    crashes: () => all().flatMap((service) => service.crashes),
    down: () => all().flatMap((service) => (service.running ? [] : [service.name])),
    async stop() {
      await Promise.all([...apis, ...workers].map((service) => service.stop()));
      await temporal.stop();
    },
  };
}

async function recreateDatabases(cluster: PostgresCluster, names: string[]): Promise<void> {
  const sql = connect(adminUrl(cluster, 'postgres'), { max: 1 });
  try {
    for (const name of names) {
      // WITH (FORCE) ends the connections a previous, interrupted run may have left.
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
      await sql.unsafe(`create database "${name}"`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function untilReady(url: string, child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    const status = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then((response) => response.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${url} did not answer 200 within ${timeoutMs / 1000} s (last ${status})`);
    await delay(250);
  }
}

// ---------------------------------------------------------------------------------------------
// The PostgreSQL cluster, stopped and started for the outage
// ---------------------------------------------------------------------------------------------

/** The cluster the tests use (scripts/ensure-postgres.sh), on port 5432. */
export async function sharedCluster(): Promise<PostgresCluster> {
  const cluster = (await clusters()).find((entry) => entry.port === 5432);
  if (cluster === undefined) throw new Error('no PostgreSQL cluster on port 5432 in pg_lsclusters: run scripts/ensure-postgres.sh');
  return cluster;
}

const PRIVATE_CLUSTER = 'custodian-rehearsal';

/**
 * Runs `fn` while no other rehearsal or rehearsal benchmark runs on this machine: they share the
 * private cluster (which the rehearsal stops for its outage) and the database names.
 */
export function withRehearsalLock<T>(log: Log, fn: () => Promise<T>): Promise<T> {
  return withLock(path.join(toolsOptionsFromEnv().toolsDir, 'rehearsal.lock'), log, 'a rehearsal', fn);
}

/**
 * A cluster of the rehearsal's own, created once per machine beside the tests' one (same
 * PostgreSQL version) and started now: stopping it for the outage touches no other database, so
 * the rehearsal can run while tests run. Stop it with `pgCtl('stop', ...)` when done.
 */
export async function privateCluster(log: Log): Promise<PostgresCluster> {
  let cluster = (await clusters()).find((entry) => entry.name === PRIVATE_CLUSTER);
  if (cluster === undefined) {
    const { version } = await sharedCluster();
    const port = await freePort();
    await must('pg_createcluster', [version, PRIVATE_CLUSTER, '--port', String(port)]);
    log(`created the PostgreSQL ${version} cluster ${PRIVATE_CLUSTER} on port ${port} for rehearsals`);
    cluster = { version, name: PRIVATE_CLUSTER, port };
  }
  await pgCtl('start', cluster);
  // The superuser logs in over TCP with the password the tests' cluster has too.
  await must('runuser', ['-u', 'postgres', '--', 'psql', '-p', String(cluster.port), '-qc', `alter user postgres password '${POSTGRES.password}'`]);
  return cluster;
}

async function clusters(): Promise<PostgresCluster[]> {
  const listed = await must('pg_lsclusters', ['--no-header']);
  return listed
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [version, name, port] = line.trim().split(/\s+/);
      return { version: version!, name: name!, port: Number(port) };
    });
}

/** Stops or starts the cluster; a start returns once it accepts connections. Starting a running cluster is fine. */
export async function pgCtl(action: 'stop' | 'start', cluster: PostgresCluster): Promise<void> {
  const result = await run('pg_ctlcluster', [cluster.version, cluster.name, action], { timeoutMs: 60_000 });
  // 2: "Cluster is already running" on start, or "not running" on stop.
  if (result.code !== 0 && result.code !== 2) throw new Error(`pg_ctlcluster ${cluster.version} ${cluster.name} ${action} failed (${result.code}): ${result.stderr}`);
  if (action === 'start') {
    const deadline = Date.now() + 60_000;
    while ((await run('pg_isready', ['-q', '-h', POSTGRES.host, '-p', String(cluster.port)], { timeoutMs: 10_000 })).code !== 0) {
      if (Date.now() > deadline) throw new Error('PostgreSQL did not accept connections within 60 s of its start');
      await delay(250);
    }
  }
}

async function must(command: string, args: string[]): Promise<string> {
  const result = await run(command, args, { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

export function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

export const defaultLogDir = () => path.join(os.tmpdir(), `custodian-rehearsal-${new Date().toISOString().replace(/[:.]/g, '-')}`);
