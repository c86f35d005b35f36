import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '../../areas/catalogue.ts';
import type { NotificationSettings } from '../notifications/activities.ts';
import type { Sql } from '../db/client.ts';
import { requestIdActivityInterceptors, requestIdWorkflowModule } from './request-id.ts';

export const workflowsPath = fileURLToPath(new URL('../../engine/workflow/index.ts', import.meta.url));

/** Evaluated once per worker thread and shared by its workflows (engine/workflow/preload.ts, #20). */
export const preloadModules = [fileURLToPath(new URL('../../engine/workflow/preload.ts', import.meta.url))];

/** Bundles the workflow code once; tests reuse the bundle across workers. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [requestIdWorkflowModule], preloadModules, logger: quietBundlerLogger });
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  sql: Sql;
  workflowBundle?: WorkflowBundle;
  /** Replace activities, for tests about the workflow alone. */
  activities?: object;
  /** BACKUP_DIR: where service tasks write backups (SEC-2). */
  backupDir?: string;
  /** WORKER_MAX_CACHED_WORKFLOWS. */
  maxCachedWorkflows?: number;
  /** How the notification activities reach people (SMTP, console). */
  notifications?: NotificationSettings;
  /** CHAIN_CHECKPOINT_KEY: signs the daily chain checkpoints. */
  checkpointKey?: string;
}

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath, bundlerOptions: { preloadModules } }),
    activities:
      options.activities ??
      createActivities({
        sql: options.sql,
        client: new Client({ connection: options.connection, namespace: options.namespace }),
        backupDir: options.backupDir,
        notifications: options.notifications,
        checkpointKey: options.checkpointKey,
      }),
    // Workflows wait on people for days: a bounded cache keeps memory flat however many are open.
    maxCachedWorkflows: options.maxCachedWorkflows ?? 500,
    // A bundle has its workflow interceptors built in (bundleWorkflows).
    interceptors: { ...(options.workflowBundle ? {} : { workflowModules: [requestIdWorkflowModule] }), activity: [requestIdActivityInterceptors] },
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
