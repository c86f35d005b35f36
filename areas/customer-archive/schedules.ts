// CUS-5: the day-end upkeep check, and the monthly reminder of incomplete cards.
import type { ProcessSchedule } from '../../platform/schedules.ts';
import { backupProcessKey, customerArchiveSettings, incompleteReminderProcessKey, upkeepCheckProcessKey } from './rules.ts';

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
  {
    // SEC-2: 每月1日对数据进行备份, at 00:30.
    id: 'custodian.customer-backup',
    processKey: backupProcessKey,
    workflowId: 'customer-backup',
    initiator: system,
    calendars: [{ dayOfMonth: 1, hour: 0, minute: 30 }],
    catchupWindow: '1 day',
  },
];
