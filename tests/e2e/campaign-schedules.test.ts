// CYC-1's archiving periods as Temporal Schedules, on the dev server (the time-skipping server
// does not implement schedules): the quarterly campaign in January, April, July and October and
// the annual one in February, in Asia/Shanghai, pinned to the published campaign definition; a
// triggered run opens a campaign that gives every department manager a collection task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignDefinition, handOverDefinition } from '../../areas/campaigns/definitions.ts';
import { campaignProcessKey, campaignSettings } from '../../areas/campaigns/rules.ts';
import { annualCampaignSchedule, quarterlyCampaignSchedule } from '../../areas/campaigns/schedules.ts';
import { schedules } from '../../areas/catalogue.ts';
import { ensureSchedules, pinnedDefinition } from '../../platform/schedules.ts';
import { openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

let engine: EngineHarness;

beforeAll(async () => {
  engine = await startEngine({ server: 'dev' });
  await engine.publish(handOverDefinition);
  await engine.publish(campaignDefinition);
});

afterAll(async () => {
  for (const schedule of schedules) {
    await engine?.client.schedule
      .getHandle(schedule.id)
      .delete()
      .catch(() => {});
  }
  await engine?.teardown();
});

const months = (...names: string[]) => names.map((name) => ({ start: name, end: name, step: 1 }));
const at = (value: number) => [{ start: value, end: value, step: 1 }];

describe('the archiving campaign schedules', () => {
  it('CYC-1 the quarterly (January, April, July, October) and annual (February) campaigns exist in Asia/Shanghai, pinned to the campaign definition', async () => {
    const changes = await ensureSchedules({ client: engine.client, taskQueue: engine.taskQueue, sql: engine.db.sql, schedules });
    expect(changes).toMatchObject({ [quarterlyCampaignSchedule.id]: 'created', [annualCampaignSchedule.id]: 'created' });

    const expected = [
      [quarterlyCampaignSchedule.id, months('JANUARY', 'APRIL', 'JULY', 'OCTOBER')],
      [annualCampaignSchedule.id, months('FEBRUARY')],
    ] as const;
    for (const [id, wantedMonths] of expected) {
      const described = await engine.client.schedule.getHandle(id).describe();
      expect(described.spec.timezone).toBe('Asia/Shanghai');
      expect(described.spec.calendars).toEqual([
        expect.objectContaining({
          month: wantedMonths,
          dayOfMonth: at(campaignSettings.opensOn.dayOfMonth),
          hour: at(campaignSettings.opensOn.hour),
          minute: at(campaignSettings.opensOn.minute),
        }),
      ]);
      expect(pinnedDefinition(described)).toEqual({ key: campaignProcessKey, version: 1 });
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'runProcess', taskQueue: engine.taskQueue });
    }
    // Ensuring again changes nothing.
    expect(await ensureSchedules({ client: engine.client, taskQueue: engine.taskQueue, sql: engine.db.sql, schedules })).toMatchObject({
      [quarterlyCampaignSchedule.id]: 'unchanged',
      [annualCampaignSchedule.id]: 'unchanged',
    });
  });

  it('CYC-1 CYC-2 a triggered annual run opens the annual campaign: a collection task for every department manager', async () => {
    const handle = engine.client.schedule.getHandle(annualCampaignSchedule.id);
    await handle.trigger();
    let workflowId: string | undefined;
    for (let attempt = 0; attempt < 300 && !workflowId; attempt += 1) {
      workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(workflowId).toMatch(/^campaign-annual-/);

    let rows: { kind: string; period: string; processId: string | null; departmentId: string }[] = [];
    for (let attempt = 0; attempt < 300; attempt += 1) {
      rows = await engine.db.sql<typeof rows>`
        select c.kind, c.period, h.process_id as "processId", h.department_id as "departmentId"
        from campaigns c join hand_overs h on h.campaign_id = c.id where c.process_id = ${workflowId!} order by h.department_id`;
      if (rows.length === 6 && rows.every((row) => row.processId !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows.map((row) => row.departmentId)).toEqual(['business', 'expansion', 'finance', 'hr', 'market', 'sales-floor']);
    expect(rows[0]).toMatchObject({ kind: 'annual', period: String(Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date())) - 1) });
    const [task] = await openTasks(engine, rows[2]!.processId!);
    expect(task).toMatchObject({ nodeId: 'collect', candidateIds: ['finance-manager'] });
  });
});
