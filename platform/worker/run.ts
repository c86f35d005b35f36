// Starts a worker against a Temporal server: connect (waiting for the server if it is not up
// yet), make sure the search attributes exist, create the worker and run it. The production
// process (worker/main.ts) and the local launcher (scripts/start.ts) both come through here.
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type WorkflowBundle } from '@temporalio/worker';
import type { Config } from '../config.ts';
import { createLogger, temporalLogger, type LogSettings, type Logger } from '../logging.ts';
import type { Sql } from '../db/client.ts';
import { notificationSettings, type NotificationConfig } from '../notifications/activities.ts';
import { ensureDeliveryWorkflow } from '../notifications/schedules.ts';
import { registerSearchAttributes } from './search-attributes.ts';
import { createWorker } from './worker.ts';

export type WorkerConfig = Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'WORKER_MAX_CACHED_WORKFLOWS' | 'BACKUP_DIR' | 'NOTIFY_MAX_ATTEMPTS' | 'CHAIN_CHECKPOINT_KEY'> & NotificationConfig;

export interface RunningWorker {
  /** Settles when the worker has stopped: after stop(), or by itself when it fails (rejects). */
  finished: Promise<void>;
  /** Stops polling, lets tasks in flight finish, and closes the connection. */
  stop(): Promise<void>;
}

/**
 * Installs the Temporal runtime for this process, once, before any worker connection. The
 * runtime's own signal handling is turned off: the process bootstrap decides the order in which
 * things stop (the worker before the database it writes to). The worker's, workflows' and
 * activities' logs go to `logger` (pino, LOG_LEVEL and LOG_FORMAT).
 */
export function installTemporalRuntime(settings: LogSettings, metricsAddress?: string, logger: Logger = createLogger(settings, { name: 'worker' })): void {
  Runtime.install({
    logger: temporalLogger(logger),
    shutdownSignals: [],
    // The SDK's own Prometheus exporter: workflow and activity task latencies, poller counts,
    // sticky cache hits, schedule-to-start times.
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
  });
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;

export async function startWorker(options: {
  config: WorkerConfig;
  sql: Sql;
  log: (message: string) => void;
  /** Aborts the wait for the Temporal server (a shutdown signal during start-up). */
  signal?: AbortSignal;
  /** Workflows bundled beforehand (in parallel with other start-up work); bundled here if absent. */
  workflowBundle?: WorkflowBundle;
}): Promise<RunningWorker> {
  const { config, sql, log, signal, workflowBundle } = options;
  const address = config.TEMPORAL_ADDRESS;

  const connection = await untilConnected(`Temporal at ${address}`, () => NativeConnection.connect({ address }), log, signal);
  try {
    await ensureSearchAttributes(address, config.TEMPORAL_NAMESPACE);
    const started = performance.now();
    const worker = await createWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      sql,
      workflowBundle,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      backupDir: config.BACKUP_DIR,
      notifications: notificationSettings(config),
      checkpointKey: config.CHAIN_CHECKPOINT_KEY,
    });
    log(`worker created in ${Math.round(performance.now() - started)} ms${workflowBundle ? '' : ' (workflows bundled)'}; polling task queue "${config.TEMPORAL_TASK_QUEUE}" in namespace "${config.TEMPORAL_NAMESPACE}"`);
    const finished = worker.run().finally(() => connection.close());
    // Issue 16.3: wherever a worker runs, the notification deliverer does too (a running one is
    // kept), so a deliverer terminated or lost while the API ran is back with the next worker.
    ensureDeliveryWorkflow(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config.TEMPORAL_TASK_QUEUE, { maximumAttempts: config.NOTIFY_MAX_ATTEMPTS }).catch(
      (error: unknown) => log(`notification delivery not started: ${firstLine(error)}`),
    );
    return {
      finished,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await finished;
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** Adds the Custodian search attributes the namespace lacks (needs the client's operator service). */
async function ensureSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await registerSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}

/**
 * Calls `connect` until it succeeds, waiting longer after each failure (up to 15 s), and says
 * so in the log: a worker started before its Temporal server (a deploy, a server restart) waits
 * for it instead of crashing in a loop.
 */
async function untilConnected<T>(what: string, connect: () => Promise<T>, log: (message: string) => void, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      const connected = await connect();
      if (attempt > 1) log(`${what} answered after ${attempt} attempts`);
      return connected;
    } catch (error) {
      const wait = Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), MAX_RETRY_MS);
      log(`${what} is not reachable (${firstLine(error)}); trying again in ${(wait / 1000).toFixed(1)} s`);
      await delay(wait, undefined, { signal });
    }
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
