// CUS-5: the day-end upkeep check, and the monthly reminder of incomplete cards.
import type { ProcessSchedule } from '../../platform/schedules.ts';
import { customerArchiveSettings, incompleteReminderProcessKey, upkeepCheckProcessKey } from './rules.ts';

const system = { id: 'system', departmentId: 'gm-office' };

export const customerArchiveSchedules: readonly ProcessSchedule[] = [
  {
    id: 'custodian.customer-upkeep-check',
    processKey: upkeepCheckProcessKey,
    workflowId: 'customer-upkeep-check',
    initiator: system,
    calendars: [{ hour: customerArchiveSettings.upkeepCheckAt.hour, minute: customerArchiveSettings.upkeepCheckAt.minute }],
    catchupWindow: '1 day',
  },
  {
    id: 'custodian.customer-incomplete-cards',
    processKey: incompleteReminderProcessKey,
    workflowId: 'customer-incomplete-cards',
    initiator: system,
    calendars: [{ dayOfMonth: customerArchiveSettings.incompleteReminderDay, hour: 9 }],
    catchupWindow: '1 day',
  },
];
