// The daily chain checkpoint's Temporal Schedule, and reading the latest checkpoint back from
// Temporal (issue 17, domain/chain-checkpoint.ts). Ensured at start-up next to the retention
// review, idempotently: created when missing, left alone otherwise.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { chainCheckpointWorkflowType, type ChainCheckpoint, type ChainName } from './rules.ts';
import type { ScheduleChange } from '../schedules.ts';

export const checkpointScheduleId = 'custodian.chain-checkpoint';
/** Temporal appends each run's scheduled time to this id. */
const CHECKPOINT_WORKFLOW_ID = 'chain-checkpoint';
/** Daily, at 02:30 UTC: after the retention review, away from office hours in Asia/Shanghai. */
const CHECKPOINT_AT = { hour: 2, minute: 30 };
/** How many of the newest completed runs are read to find the latest checkpoint. */
const RECENT_RUNS = 10;

export async function ensureCheckpointSchedule(client: Client, taskQueue: string): Promise<ScheduleChange> {
  try {
    await client.schedule.create({
      scheduleId: checkpointScheduleId,
      spec: { calendars: [CHECKPOINT_AT] },
      action: { type: 'startWorkflow', workflowType: chainCheckpointWorkflowType, workflowId: CHECKPOINT_WORKFLOW_ID, taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(checkpointScheduleId);
  const { action } = await handle.describe();
  if (action.type === 'startWorkflow' && action.workflowType === chainCheckpointWorkflowType && action.taskQueue === taskQueue) return 'unchanged';
  await handle.update((previous) => ({ ...previous, action: { ...previous.action, workflowType: chainCheckpointWorkflowType, taskQueue, args: [] } }));
  return 'updated';
}

/**
 * The newest checkpoint of `chain` among the latest completed checkpoint runs, from their results
 * in Temporal's history; undefined when no run has completed yet.
 */
export async function latestCheckpoint(client: Client, chain: ChainName): Promise<ChainCheckpoint | undefined> {
  let newest: ChainCheckpoint | undefined;
  let read = 0;
  const runs = client.workflow.list({ query: `WorkflowType = '${chainCheckpointWorkflowType}' AND ExecutionStatus = 'Completed'`, pageSize: RECENT_RUNS });
  for await (const run of runs) {
    const heads = (await client.workflow.getHandle(run.workflowId, run.runId).result()) as ChainCheckpoint[];
    const head = heads.find((candidate) => candidate.chain === chain);
    if (head && (newest === undefined || head.checkedAt > newest.checkedAt)) newest = head;
    if (++read >= RECENT_RUNS) break;
  }
  return newest;
}
