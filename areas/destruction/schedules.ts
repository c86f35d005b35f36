// DES-2: the daily retention review lists what has reached its destruction date.
import type { ProcessSchedule } from '../../platform/schedules.ts';
import { destructionSettings, retentionReviewInitiator, retentionReviewProcessKey } from './rules.ts';

export const retentionReviewSchedule: ProcessSchedule = {
  id: 'custodian.retention-review',
  processKey: retentionReviewProcessKey,
  workflowId: 'retention-review',
  initiator: retentionReviewInitiator,
  calendars: [{ hour: destructionSettings.retentionReviewAt.hour, minute: destructionSettings.retentionReviewAt.minute }],
  // A server that was down at 01:00 still runs the day's review when it is back.
  catchupWindow: '1 day',
};

export const destructionSchedules: readonly ProcessSchedule[] = [retentionReviewSchedule];
