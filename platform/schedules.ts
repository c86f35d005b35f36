// The Temporal Schedules Custodian keeps, as the areas declare them (areas/catalogue.ts): the daily
// retention review (DES-2), and whatever a new area adds. Ensured at start-up by the API and the
// local launcher, idempotently: created when missing, updated when the pinned definition or the
// task queue changed, left alone otherwise. Several replicas may race; the loser of a create finds
// the winner's schedule and compares it like any other.
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type CalendarSpec,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsAction,
} from '@temporalio/client';
import type { Sql } from './db/client.ts';
import { definitionLibrary, latestDefinition } from '../engine/sql/definitions.ts';
import type { ProcessDefinition } from '../engine/definition/definition.ts';
import { definitionRef } from '../engine/definition/graph.ts';
import { POLICY_TIME_ZONE } from '../engine/definition/feel.ts';
import { initiatorAttribute, processKeyAttribute } from '../engine/search-attributes.ts';
import type { ProcessInput } from '../engine/workflow/types.ts';
import { digestScheduleId, ensureNotificationWorkflows, type NotificationSchedule } from './notifications/schedules.ts';

/** A process an area starts on a calendar (in the policy's time zone, Asia/Shanghai). */
export interface ProcessSchedule {
  /** The Schedule's id in Temporal, e.g. custodian.retention-review. */
  id: string;
  /** The process each run starts: the newest published version is pinned. */
  processKey: string;
  /** The instance id; Temporal appends each run's scheduled time to it. */
  workflowId: string;
  /** Who starts the runs, as the process sees its initiator. */
  initiator: { id: string; departmentId: string };
  /** When it runs: Temporal calendar specs, read in POLICY_TIME_ZONE. */
  calendars: CalendarSpec[];
  /** How far back a server that was down still starts a missed run. */
  catchupWindow: string;
}

export type ScheduleChange = 'created' | 'updated' | 'unchanged';

/**
 * Makes `schedule` exist, pinned to `definition` (a published version of its process): every run
 * starts `runProcess` with that definition in its input, so a run never picks up a version it was
 * not meant to. A newer version published later is pinned by calling this again.
 */
export async function ensureProcessSchedule(
  client: Client,
  taskQueue: string,
  schedule: ProcessSchedule,
  definition: ProcessDefinition,
  /** The definitions its callActivity nodes start (definitionLibrary), pinned the same way. */
  library: Record<string, ProcessDefinition> = {},
): Promise<ScheduleChange> {
  if (definition.key !== schedule.processKey) throw new Error(`the schedule ${schedule.id} runs ${schedule.processKey}, not ${definition.key}`);
  const action = scheduleAction(taskQueue, schedule, definition, library);
  const handle = client.schedule.getHandle(schedule.id);
  try {
    await client.schedule.create({
      scheduleId: schedule.id,
      spec: { calendars: schedule.calendars, timezone: POLICY_TIME_ZONE },
      action,
      policies: {
        // One run at a time: while the people have not dealt with the last run, the next would
        // repeat it; the run after that takes whatever is due then.
        overlap: ScheduleOverlapPolicy.SKIP,
        catchupWindow: schedule.catchupWindow,
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
 * Pins the newest published version of each schedule's process; 'skipped' for one whose process
 * is not published yet (the catalogue is published by the API and the launcher at start-up).
 */
export async function ensureSchedules(options: {
  client: Client;
  taskQueue: string;
  sql: Sql;
  schedules: readonly ProcessSchedule[];
  /** The notification delivery workflow and digest Schedule (issue 16); left alone when absent. */
  notifications?: NotificationSchedule;
}): Promise<Record<string, ScheduleChange | 'skipped'>> {
  const result: Record<string, ScheduleChange | 'skipped'> = {};
  if (options.notifications) result[digestScheduleId] = (await ensureNotificationWorkflows(options.client, options.taskQueue, options.notifications)).digest;
  for (const schedule of options.schedules) {
    const definition = await latestDefinition(options.sql, schedule.processKey);
    if (!definition) {
      result[schedule.id] = 'skipped';
      continue;
    }
    const library = await definitionLibrary(options.sql, definition);
    result[schedule.id] = await ensureProcessSchedule(options.client, options.taskQueue, schedule, definition, library);
  }
  return result;
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

function scheduleAction(taskQueue: string, schedule: ProcessSchedule, definition: ProcessDefinition, library: Record<string, ProcessDefinition>): ScheduleOptionsAction {
  const input: ProcessInput = {
    // The interpreter names the instance by its input, but a Schedule suffixes the workflow id
    // with each run's time.
    processId: schedule.workflowId,
    definition,
    library,
    initiator: { ...schedule.initiator },
    variables: {},
  };
  return {
    type: 'startWorkflow',
    workflowType: 'runProcess',
    workflowId: schedule.workflowId,
    taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: processKeyAttribute, value: definitionRef(definition) },
      { key: initiatorAttribute, value: schedule.initiator.id },
    ],
  };
}

/** One line for the log: each schedule's id and what ensuring it did. */
export function describeScheduleChanges(changes: Record<string, ScheduleChange | 'skipped'>): string {
  return Object.entries(changes).map(([id, change]) => `${id} ${change}`).join(', ') || 'none';
}
