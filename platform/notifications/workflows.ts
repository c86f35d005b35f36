// Delivery of notices (issue 16.3). One long-running workflow per namespace takes up the notices
// the processes wrote (after their transactions committed) and delivers each on each channel its
// user chose, one activity per delivery with Temporal's retries; the rows in PostgreSQL say what
// is pending, so a worker restart, a lost workflow or a second deliverer loses and repeats nothing.
// And the daily digest, started by a Schedule (api/notification-schedules.ts).
import { ActivityFailure, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { NotificationActivities } from './activities.ts';

export interface DeliveryOptions {
  /** Attempts per delivery before it is recorded failed. */
  maximumAttempts: number;
  /** The first retry's wait, as a Temporal duration ("10 seconds"); it doubles up to `maximumInterval`. */
  initialInterval: string;
  maximumInterval: string;
  /** How long one take-up waits for new notices. */
  waitMs: number;
  /** Deliveries taken up at once. */
  batch: number;
}

export const defaultDeliveryOptions: DeliveryOptions = {
  maximumAttempts: 5,
  initialInterval: '10 seconds',
  maximumInterval: '10 minutes',
  waitMs: 60_000,
  batch: 50,
};

const HISTORY_LIMIT = 5_000;

export async function deliverNotifications(options: DeliveryOptions = defaultDeliveryOptions): Promise<never> {
  const takeUp = proxyActivities<NotificationActivities>({
    startToCloseTimeout: options.waitMs + 60_000,
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const { deliverNotification } = proxyActivities<NotificationActivities>({
    startToCloseTimeout: '1 minute',
    retry: {
      maximumAttempts: options.maximumAttempts,
      initialInterval: options.initialInterval,
      maximumInterval: options.maximumInterval,
      backoffCoefficient: 2,
      nonRetryableErrorTypes: ['CHANNEL_NOT_CONFIGURED', 'WEBHOOK_HOST_NOT_ALLOWED'],
    },
  });
  for (;;) {
    const pending = await takeUp.takeUpNotices({ limit: options.batch, waitMs: options.waitMs });
    await Promise.all(
      pending.map(async (ref) => {
        try {
          await deliverNotification(ref);
        } catch (error) {
          if (!(error instanceof ActivityFailure)) throw error;
          await takeUp.giveUpDelivery(ref);
        }
      }),
    );
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT) await continueAsNew<typeof deliverNotifications>(options);
  }
}

/** The daily digest: one message per user and digest channel, of the notices since the last. */
export async function sendDailyDigests(): Promise<{ sent: number }> {
  const { sendDigests } = proxyActivities<NotificationActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 minute', maximumInterval: '30 minutes', maximumAttempts: 10 },
  });
  return sendDigests({ until: Date.now() });
}
