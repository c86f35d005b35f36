// CYC-1: the archiving periods, as Temporal Schedules (Asia/Shanghai): a quarterly campaign in
// January, April, July and October, the annual one in February, each on the day and at the hour
// of campaignSettings.opensOn.
import type { Month } from '@temporalio/client';
import type { ProcessSchedule } from '../../platform/schedules.ts';
import { campaignProcessKey, campaignScheduleInitiator, campaignSettings, scheduledCampaignPrefixes } from './rules.ts';

const opens = (months: readonly Month[]) => [
  { month: [...months], dayOfMonth: campaignSettings.opensOn.dayOfMonth, hour: campaignSettings.opensOn.hour, minute: campaignSettings.opensOn.minute },
];

export const quarterlyCampaignSchedule: ProcessSchedule = {
  id: 'custodian.archiving-campaign.quarterly',
  processKey: campaignProcessKey,
  workflowId: scheduledCampaignPrefixes.quarterly,
  initiator: campaignScheduleInitiator,
  calendars: opens(campaignSettings.quarterlyMonths),
  catchupWindow: campaignSettings.catchupWindow,
};

export const annualCampaignSchedule: ProcessSchedule = {
  id: 'custodian.archiving-campaign.annual',
  processKey: campaignProcessKey,
  workflowId: scheduledCampaignPrefixes.annual,
  initiator: campaignScheduleInitiator,
  calendars: opens(campaignSettings.annualMonths),
  catchupWindow: campaignSettings.catchupWindow,
};

export const campaignSchedules: readonly ProcessSchedule[] = [quarterlyCampaignSchedule, annualCampaignSchedule];
