// The delivery workflow and the digest Schedule of notifications (issue 16.3), made to exist at
// start-up by the API and the local launcher (api/schedules.ts: ensureSchedules), idempotently:
// several replicas starting together find one delivery workflow and one Schedule.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { Config } from '../config.ts';
import { POLICY_TIME_ZONE } from '../../engine/definition/feel.ts';
import { defaultDeliveryOptions, type DeliveryOptions, type deliverNotifications } from './workflows.ts';
import type { ScheduleChange } from '../schedules.ts';

export const deliveryWorkflowId = 'custodian.notification-delivery';
export const digestScheduleId = 'custodian.notification-digest';
/** Temporal appends the scheduled time to this id for each run. */
const DIGEST_WORKFLOW_ID = 'notification-digest';

export interface NotificationSchedule {
  /** NOTIFY_DIGEST_AT: HH:MM in the policy's zone. */
  digestAt: string;
  /** NOTIFY_MAX_ATTEMPTS. */
  maximumAttempts: number;
}

export function notificationSchedule(config: Pick<Config, 'NOTIFY_DIGEST_AT' | 'NOTIFY_MAX_ATTEMPTS'>): NotificationSchedule {
  return { digestAt: config.NOTIFY_DIGEST_AT, maximumAttempts: config.NOTIFY_MAX_ATTEMPTS };
}

/** Starts the delivery workflow unless it runs. */
export async function ensureDeliveryWorkflow(client: Client, taskQueue: string, options: Partial<DeliveryOptions> = {}): Promise<void> {
  await client.workflow.start<typeof deliverNotifications>('deliverNotifications', {
    workflowId: deliveryWorkflowId,
    taskQueue,
    args: [{ ...defaultDeliveryOptions, ...options }],
    // One deliverer: a running one is kept (its options too, until it continues as new); an
    // ended or terminated one is replaced, and finds the pending deliveries in PostgreSQL.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: 'Delivers notices by e-mail, DingTalk and Feishu',
  });
}

/** The daily digest Schedule at `digestAt` (HH:MM, Asia/Shanghai): created, or updated when the time or queue changed. */
export async function ensureDigestSchedule(client: Client, taskQueue: string, digestAt: string): Promise<ScheduleChange> {
  const [hour, minute] = digestAt.split(':').map(Number) as [number, number];
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'sendDailyDigests',
    workflowId: DIGEST_WORKFLOW_ID,
    taskQueue,
    args: [],
    staticSummary: `Daily notification digest at ${digestAt} ${POLICY_TIME_ZONE}`,
  };
  const spec = { calendars: [{ hour, minute }], timezone: POLICY_TIME_ZONE };
  try {
    await client.schedule.create({
      scheduleId: digestScheduleId,
      spec,
      action,
      // A digest still sending when the next is due is not doubled; a server down at the hour
      // still sends the day's digest when it is back.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(digestScheduleId);
  const described = await handle.describe();
  const calendar = described.spec.calendars?.[0];
  const at = (range: unknown) => (Array.isArray(range) ? (range[0] as { start?: number })?.start : undefined);
  if (described.action.taskQueue === taskQueue && at(calendar?.hour) === hour && at(calendar?.minute) === minute && described.spec.timezone === POLICY_TIME_ZONE) {
    return 'unchanged';
  }
  await handle.update((previous) => ({ ...previous, spec, action }));
  return 'updated';
}

export async function ensureNotificationWorkflows(
  client: Client,
  taskQueue: string,
  schedule: NotificationSchedule,
): Promise<{ digest: ScheduleChange }> {
  await ensureDeliveryWorkflow(client, taskQueue, { maximumAttempts: schedule.maximumAttempts });
  return { digest: await ensureDigestSchedule(client, taskQueue, schedule.digestAt) };
}
