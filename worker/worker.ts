import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import type { Sql } from '../db/client.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Bundles the workflow code once; tests reuse the bundle across workers. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  sql: Sql;
  workflowBundle?: WorkflowBundle;
  /** Replace activities, for tests about the workflow alone. */
  activities?: object;
  /** WORKER_MAX_CACHED_WORKFLOWS. */
  maxCachedWorkflows?: number;
  /** CHAIN_CHECKPOINT_KEY: signs the daily chain checkpoints. */
  checkpointKey?: string;
}

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: options.activities ?? createActivities({
        sql: options.sql,
        client: new Client({ connection: options.connection, namespace: options.namespace }),
        checkpointKey: options.checkpointKey,
      }),
    // Workflows wait on people for days: a bounded cache keeps memory flat however many are open.
    maxCachedWorkflows: options.maxCachedWorkflows ?? 500,
  });
}

const quietBundlerLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
  log: () => {},
};
