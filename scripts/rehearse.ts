// `npm run rehearse`: the production topology rehearsed with faults, on this machine. A Temporal
// cluster (temporal-server on PostgreSQL, configured by deploy/temporal/ as docker-compose.yml is),
// two workers and two API replicas as separate processes; the main flows driven through the APIs
// in turn; and, while instances are mid-flight, a worker killed with SIGKILL and started again, the
// Temporal server restarted, and PostgreSQL stopped for ten seconds. Then the checks: every
// instance at its expected end, every decision applied exactly once, the audit trail and the
// destruction register chains intact. Prints a summary table and `N passed, M failed`; exit 1 on
// any failure.
//
// PostgreSQL is a cluster of the rehearsal's own (`custodian-rehearsal`, created once per machine
// with pg_createcluster beside the tests' cluster, started for the run and stopped after it), so
// the outage touches no other database and tests may run meanwhile. `--shared-postgres` uses the
// tests' cluster on 127.0.0.1:5432 instead, as in production the app and Temporal share one
// server; stopping it then stops every database in it, so nothing else may be using it.
import fs from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connect } from '../platform/db/client.ts';
import { ApiClient, type SentDecision } from '../tests/support/api-client.ts';
import { checkChains, checkDecisions, checkInstances, type CheckResult } from './rehearsal/checks.ts';
import { flows, Gates, type Instance } from './rehearsal/flows.ts';
import { defaultLogDir, pgCtl, privateCluster, seconds, sharedCluster, startTopology, withRehearsalLock, type PostgresCluster, type Service, type Topology } from './rehearsal/topology.ts';
import { tail } from './tools/process.ts';

const { values } = parseArgs({
  options: {
    'outage-seconds': { type: 'string', default: '10' },
    'log-dir': { type: 'string' },
    'shared-postgres': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('Usage: npm run rehearse [-- --outage-seconds 10] [--log-dir DIR] [--shared-postgres]');
  process.exit(0);
}
const outageMs = Number(values['outage-seconds']) * 1000;
if (!Number.isFinite(outageMs) || outageMs < 0) throw new Error(`--outage-seconds wants a number, got ${values['outage-seconds']}`);

/**
 * How long the flows may take to reach a gate or a state. Above 5 minutes: a service activity
 * whose worker died is retried only when its 5-minute start-to-close timeout has passed
 * (workflows/engine/interpreter.ts), and the flows wait for that.
 */
const GATE_TIMEOUT_MS = 420_000;
/** One HTTP call. Decisions wait up to API_WORKFLOW_WAIT_MS (30 s) for the workflow. */
const CALL_TIMEOUT_MS = 45_000;
/** How long to keep retrying a call that found an API, Temporal or PostgreSQL away. */
const RETRY_FOR_MS = 90_000;

const started = performance.now();
const log = (message: string) => console.log(`[rehearse ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
const logDir = values['log-dir'] ?? defaultLogDir();
const results: CheckResult[] = [];
/** What went wrong without failing the rehearsal: defects it recovered from, printed after the table. */
const notes: string[] = [];

/** Runs one step of the rehearsal as a row of the summary; a failure is recorded, not thrown. */
async function step(name: string, action: () => Promise<string>): Promise<boolean> {
  const at = performance.now();
  try {
    const detail = await action();
    results.push({ name, ok: true, detail: `${detail} (${seconds(at)})` });
    log(`ok   ${name}: ${detail}`);
    return true;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    results.push({ name, ok: false, detail });
    log(`FAIL ${name}: ${detail}`);
    return false;
  }
}

let postgresStopped = false;
let topology: Topology | undefined;

/** The rehearsal, and then whatever it leaves running stopped, whatever happened. */
async function rehearseAndClean(): Promise<void> {
  const cluster = values['shared-postgres'] ? await sharedCluster() : await privateCluster(log);
  try {
    await rehearse(cluster);
  } finally {
    // Never leave the machine's PostgreSQL stopped.
    if (postgresStopped) await pgCtl('start', cluster).catch((error: unknown) => log(`could not start PostgreSQL again: ${String(error)}`));
    await topology?.stop().catch((error: unknown) => log(`stopping the topology: ${String(error)}`));
    if (!values['shared-postgres']) await pgCtl('stop', cluster).catch((error: unknown) => log(`could not stop ${cluster.name}: ${String(error)}`));
  }
}

async function rehearse(cluster: PostgresCluster): Promise<void> {
  log(`logs in ${logDir}`);
  if (!(await step('start the topology', async () => {
    topology = await startTopology({ workers: 2, apis: 2, logDir, databasePrefix: 'rehearsal', postgres: cluster, log });
    return `temporal-server ${topology.temporalAddress}, ${topology.workers.length} workers, APIs ${topology.apiUrls.join(' ')}`;
  }))) return;
  const system = topology!;

  let turn = 0;
  const decisions: SentDecision[] = [];
  /** Decisions refused 404 on a task the inbox showed (and then sent again). */
  const unknownTasks = new Set<string>();
  const api = new ApiClient({
    // The APIs take turns, call by call.
    baseUrl: () => system.apiUrls[turn++ % system.apiUrls.length]!,
    callTimeoutMs: CALL_TIMEOUT_MS,
    settleTimeoutMs: GATE_TIMEOUT_MS,
    retryForMs: RETRY_FOR_MS,
    acceptPendingDecisions: true,
    onUnknownTask: (decision) => unknownTasks.add(`${decision.nodeId} of ${decision.processId}`),
    onDecision: (decision) => decisions.push(decision),
  });
  const gates = new Gates(flows.length);
  const instances: Instance[] = [];
  const flowRuns = flows.map(async (flow) => {
    const at = performance.now();
    try {
      await flow.run({ api, at: (gate) => gates.at(gate), started: (instance) => instances.push(instance) });
      log(`flow ${flow.name} through (${seconds(at)})`);
      return { name: `flow: ${flow.name}`, ok: true, detail: `${flow.rules} (${seconds(at)})` };
    } catch (error) {
      const detail = `${flow.rules}: ${error instanceof Error ? error.message : String(error)}`;
      log(`FAIL flow ${flow.name}: ${detail}`);
      return { name: `flow: ${flow.name}`, ok: false, detail };
    } finally {
      gates.done();
    }
  });

  await gates.allAt('A', GATE_TIMEOUT_MS);
  log(`${instances.length} instances started; their decisions now go out while worker-1 is killed`);
  const victim = system.workers[0]!;
  await step('SIGKILL a worker mid-flight and start it again', async () => {
    gates.open('A');
    await delay(300);
    const pid = victim.pid;
    await victim.kill();
    const at = performance.now();
    await victim.start();
    return `${victim.name} (pid ${pid}) killed with decisions in flight, polling again after ${seconds(at)}`;
  });

  await gates.allAt('B', GATE_TIMEOUT_MS);
  await step('restart the Temporal server', async () => {
    gates.open('B');
    await delay(300);
    const at = performance.now();
    await system.restartTemporal();
    return `stopped with SIGTERM and answering again after ${seconds(at)}`;
  });

  await gates.allAt('C', GATE_TIMEOUT_MS);
  await step(`stop PostgreSQL for ${outageMs / 1000} s`, async () => {
    gates.open('C');
    await delay(300);
    await pgCtl('stop', cluster);
    postgresStopped = true;
    await delay(outageMs);
    await pgCtl('start', cluster);
    postgresStopped = false;
    return `pg_ctlcluster ${cluster.version} ${cluster.name} stop, ${outageMs / 1000} s, start`;
  });

  results.push(...(await Promise.all(flowRuns)));

  await step('Prometheus endpoints answer', async () => {
    for (const url of system.metricsUrls) {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      if (response.status !== 200 || !text.includes('# TYPE')) throw new Error(`${url}: ${response.status}, ${text.length} bytes without a metric`);
    }
    return `temporal-server, ${system.workers.length} workers and ${system.apis.length} APIs: ${system.metricsUrls.join(' ')}`;
  });

  const sql = connect(system.databaseUrl, { max: 2 });
  try {
    await step('instances', async () => pass(await checkInstances(sql, system.temporalAddress, instances, GATE_TIMEOUT_MS)));
    await step('decisions', async () => pass(await checkDecisions(sql, instances, decisions)));
    for (const chain of await checkChains(sql)) results.push(chain);
  } finally {
    await sql.end({ timeout: 5 });
  }
  // Production restarts a process that dies (docker-compose.yml: restart: unless-stopped), and so
  // does the rehearsal. What counts is that the system recovered: the checks above. Each crash is
  // still listed, because each is a defect to fix.
  // Not a failure (the decision went through when sent again), but a defect a user would meet.
  for (const task of unknownTasks) notes.push(`a decision on ${task}, shown in the inbox, was refused 404 TASK_NOT_FOUND before it went through when sent again`);
  const crashes = system.crashes();
  const down = system.down();
  results.push({
    name: 'every process running at the end',
    ok: down.length === 0,
    detail: down.length > 0 ? `not running: ${down.join(', ')}` : crashes.length === 0 ? 'no process died by itself' : `${crashes.length} exits by themselves, each restarted (notes below)`,
  });
  notes.push(...crashes);
}

/** A check's detail, or its failure as an error for `step`. */
function pass(result: CheckResult): string {
  if (!result.ok) throw new Error(result.detail);
  return result.detail;
}

try {
  // One rehearsal at a time on a machine: they share the cluster and the database names.
  await withRehearsalLock(log, rehearseAndClean);
} catch (error) {
  results.push({ name: 'rehearsal', ok: false, detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}

printSummary(results);
for (const note of notes) console.log(`note: ${note}`);
const failed = results.filter((result) => !result.ok).length;
if (failed > 0 && topology) await printLogTails([topology.temporal, ...topology.workers, ...topology.apis]);
console.log(`\nrehearsal took ${seconds(started)}; logs in ${logDir}`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

function printSummary(rows: CheckResult[]): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  console.log(`\n${'step'.padEnd(width)}  result  detail`);
  console.log(`${'-'.repeat(width)}  ------  ${'-'.repeat(40)}`);
  for (const row of rows) console.log(`${row.name.padEnd(width)}  ${row.ok ? 'pass  ' : 'FAIL  '}  ${row.detail}`);
}

async function printLogTails(services: Service[]): Promise<void> {
  for (const service of services) {
    const text = await fs.readFile(service.logFile, 'utf8').catch(() => '');
    const lines = tail(text, 20).split('\n').map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line));
    console.log(`\n--- last lines of ${service.logFile}\n${lines.join('\n')}`);
  }
}
