// The Temporal Schedules Custodian keeps: the daily retention review (DES-2). Ensured at start-up
// by the API and the local launcher, idempotently: created when missing, updated when the pinned
// definition or the task queue changed, left alone otherwise. Several replicas may race; the
// loser of a create finds the winner's schedule and compares it like any other.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptionsAction } from '@temporalio/client';
import type { Sql } from '../db/client.ts';
import { definitionLibrary, latestDefinition } from '../db/definitions.ts';
import { destructionSettings, retentionReviewInitiator, retentionReviewProcessKey } from '../domain/destruction.ts';
import { definitionRef, type ProcessDefinition } from '../domain/process/definition.ts';
import { POLICY_TIME_ZONE } from '../domain/process/feel.ts';
import { initiatorAttribute, processKeyAttribute } from '../domain/search-attributes.ts';
import type { ProcessInput } from '../workflows/engine/types.ts';
import { ensureNotificationWorkflows, type NotificationSchedule } from './notification-schedules.ts';

export const retentionScheduleId = 'custodian.retention-review';
/** Temporal appends the scheduled time to this id for each run (retention-review-2026-03-01T17:00:00Z). */
const RETENTION_WORKFLOW_ID = 'retention-review';

export type ScheduleChange = 'created' | 'updated' | 'unchanged';

/**
 * Makes the retention review Schedule exist, pinned to `definition` (a published
 * archive.retention-review): every run starts `runProcess` with that definition in its input, so
 * a run never picks up a version it was not meant to. A newer version published later is pinned
 * by calling this again.
 */
export async function ensureRetentionSchedule(
  client: Client,
  taskQueue: string,
  definition: ProcessDefinition,
  /** The definitions its callActivity nodes start (definitionLibrary), pinned the same way. */
  library: Record<string, ProcessDefinition> = {},
): Promise<ScheduleChange> {
  if (definition.key !== retentionReviewProcessKey) throw new Error(`the retention schedule runs ${retentionReviewProcessKey}, not ${definition.key}`);
  const action = retentionAction(taskQueue, definition, library);
  const handle = client.schedule.getHandle(retentionScheduleId);
  try {
    await client.schedule.create({
      scheduleId: retentionScheduleId,
      spec: { calendars: [{ hour: destructionSettings.retentionReviewAt.hour, minute: destructionSettings.retentionReviewAt.minute }], timezone: POLICY_TIME_ZONE },
      action,
      policies: {
        // One review at a time: while the Archivist has not dealt with today's list, tomorrow's
        // would repeat it; the next run after that lists whatever is due then.
        overlap: ScheduleOverlapPolicy.SKIP,
        // A server that was down at 01:00 still runs the day's review when it is back.
        catchupWindow: '1 day',
      },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  if (isPinned(await handle.describe(), action)) return 'unchanged';
  await handle.update((previous) => ({ ...previous, action }));
  return 'updated';
}

/**
 * Pins the newest published retention review in the Schedule; 'skipped' when none is published
 * yet (the catalogue is published by the API and the launcher at start-up).
 */
export async function ensureSchedules(options: {
  client: Client;
  taskQueue: string;
  sql: Sql;
  /** The notification delivery workflow and digest Schedule (issue 16.3); left alone when absent. */
  notifications?: NotificationSchedule;
}): Promise<{ retention: ScheduleChange | 'skipped'; digest?: ScheduleChange }> {
  const notifications = options.notifications && (await ensureNotificationWorkflows(options.client, options.taskQueue, options.notifications));
  const definition = await latestDefinition(options.sql, retentionReviewProcessKey);
  if (!definition) return { retention: 'skipped', ...notifications };
  const library = await definitionLibrary(options.sql, definition);
  return { retention: await ensureRetentionSchedule(options.client, options.taskQueue, definition, library), ...notifications };
}

/** The definition a Schedule's runs are pinned to, as its action's input carries it. */
export function pinnedDefinition(description: ScheduleDescription): { key: string; version: number } | undefined {
  const input = description.action.args?.[0] as ProcessInput | undefined;
  return input?.definition && { key: input.definition.key, version: input.definition.version };
}

function isPinned(description: ScheduleDescription, action: ScheduleOptionsAction): boolean {
  const pinned = pinnedDefinition(description);
  const wanted = (action.args?.[0] as ProcessInput).definition;
  return pinned !== undefined && definitionRef(pinned) === definitionRef(wanted) && description.action.taskQueue === action.taskQueue;
}

function retentionAction(taskQueue: string, definition: ProcessDefinition, library: Record<string, ProcessDefinition>): ScheduleOptionsAction {
  const input: ProcessInput = {
    // The interpreter names the instance by its input, but a Schedule suffixes the workflow id
    // with each run's time: see the report on the engine (the interpreter should take its id
    // from workflowInfo()).
    processId: RETENTION_WORKFLOW_ID,
    definition,
    library,
    initiator: { ...retentionReviewInitiator },
    variables: {},
  };
  return {
    type: 'startWorkflow',
    workflowType: 'runProcess',
    workflowId: RETENTION_WORKFLOW_ID,
    taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: processKeyAttribute, value: definitionRef(definition) },
      { key: initiatorAttribute, value: retentionReviewInitiator.id },
    ],
  };
}
