// Archiving campaigns (CYC-1/2/4) and held originals (ARC-3) on the time-skipping server, with the
// real activities writing to PostgreSQL: a collection task per department manager, reminders on
// the due date and escalation to the Deputy GM in charge by skipping time, the Archivist's check
// registering the accepted items as documents in one step, and originals listed until deposited.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState } from '../../engine/client.ts';
import { campaignDefinition, handOverDefinition } from '../../areas/campaigns/definitions.ts';
import { campaignSettings, itemReference } from '../../areas/campaigns/rules.ts';
import { decide, eventually, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

const DAY = 24 * 3_600_000;
const campaign = { key: campaignDefinition.key, version: 1 };

let engine: EngineHarness;
const sql = () => engine.db.sql;

beforeAll(async () => {
  // Ended campaigns are recorded for tests/replay with RECORD_REPLAY_HISTORIES (histories/campaigns).
  engine = await startEngine({ suite: 'campaigns' });
  await engine.publish(handOverDefinition);
  await engine.publish(campaignDefinition);
});

afterAll(() => engine?.teardown());

/** The departments of the demo organisation with a manager, their managers and Deputy GMs in charge. */
const departments = {
  business: { manager: 'biz-manager', deputy: 'dgm-sales' },
  expansion: { manager: 'expansion-manager', deputy: 'dgm-sales' },
  finance: { manager: 'finance-manager', deputy: 'dgm-admin' },
  hr: { manager: 'hr-manager', deputy: 'dgm-admin' },
  market: { manager: 'market-manager', deputy: 'dgm-sales' },
  'sales-floor': { manager: 'floor-manager', deputy: 'dgm-sales' },
} as const;
type DepartmentId = keyof typeof departments;

const item = (title: string, overrides: Record<string, unknown> = {}) => ({ title, category: 'meeting_minutes', secrecy: 'none', original: true, quantity: 12, unit: 'pages', ...overrides });

/** Starts a quarterly campaign as its Schedule would (the instance id names the kind); its hand-overs by department once open. */
async function startCampaign(): Promise<{ processId: string; campaignId: string; handOvers: Record<DepartmentId, { id: string; processId: string }> }> {
  const processId = await engine.start(campaign, 'archivist', {}, { processId: `campaign-quarterly-${randomUUID()}` });
  const rows = await eventually(
    () => sql()<{ id: string; campaignId: string; departmentId: DepartmentId; processId: string | null }[]>`
      select h.id, h.campaign_id as "campaignId", h.department_id as "departmentId", h.process_id as "processId"
      from hand_overs h join campaigns c on c.id = h.campaign_id where c.process_id = ${processId} order by h.department_id`,
    (found) => found.length === Object.keys(departments).length && found.every((row) => row.processId !== null),
  );
  expect(rows.map((row) => row.departmentId)).toEqual(Object.keys(departments));
  return {
    processId,
    campaignId: rows[0]!.campaignId,
    handOvers: Object.fromEntries(rows.map((row) => [row.departmentId, { id: row.id, processId: row.processId! }])) as Record<DepartmentId, { id: string; processId: string }>,
  };
}

const remindersOf = async (userId: string, processId: string) =>
  (await sql()<{ n: number }[]>`select count(*)::int as n from notifications where user_id = ${userId} and process_id = ${processId} and kind = 'task.reminder'`)[0]!.n;

describe('archiving campaigns', () => {
  it('CYC-1 CYC-2: each department manager gets a collection task; the late ones are reminded from the due date and escalated to their Deputy GM in charge, the punctual one is not; a list never handed over lapses and the campaign closes', async () => {
    const { processId, campaignId, handOvers } = await startCampaign();
    const [stored] = await sql()<{ kind: string; period: string }[]>`select kind, period from campaigns where id = ${campaignId}`;
    expect(stored!.kind).toBe('quarterly');
    expect(stored!.period).toMatch(/^\d{4}-Q[1-4]$/);

    for (const [department, { manager }] of Object.entries(departments)) {
      const [task] = await openTasks(engine, handOvers[department as DepartmentId].processId);
      expect(task).toMatchObject({ nodeId: 'collect', candidateIds: [manager] });
    }

    // Finance hands over in time.
    const finance = handOvers.finance.processId;
    const [collect] = await openTasks(engine, finance);
    await decide(engine, finance, collect!.id, 'finance-manager', 'submitted', { items: [item('Board minutes Q1')] });

    // Nobody is reminded before the due date.
    await engine.env.sleep((campaignSettings.collectionDays - 1) * DAY);
    expect(await remindersOf('biz-manager', handOvers.business.processId)).toBe(0);

    // The due date passes: each late manager is reminded; finance is not.
    await engine.env.sleep(DAY + 3_600_000);
    for (const department of ['business', 'expansion', 'hr', 'market', 'sales-floor'] as const) {
      const { manager } = departments[department];
      expect(await eventually(() => remindersOf(manager, handOvers[department].processId), (n) => n >= 1)).toBeGreaterThanOrEqual(1);
    }
    expect(await remindersOf('finance-manager', finance)).toBe(0);

    // Not yet escalated: the managers alone may hand over.
    expect((await openTasks(engine, handOvers.business.processId))[0]!.candidateIds).toEqual(['biz-manager']);

    // escalationDays after the due date: the Deputy GM in charge joins the late department's task.
    await engine.env.sleep(campaignSettings.escalationDays * DAY);
    for (const department of ['business', 'expansion', 'hr', 'market', 'sales-floor'] as const) {
      const { manager, deputy } = departments[department];
      const [task] = await eventually(
        () => openTasks(engine, handOvers[department].processId),
        (tasks) => tasks[0]!.candidateIds.includes(deputy),
      );
      expect([...task!.candidateIds].sort()).toEqual([deputy, manager].sort());
    }
    // Reminded again meanwhile, every reminderEveryDays.
    expect(await remindersOf('hr-manager', handOvers.hr.processId)).toBeGreaterThanOrEqual(2);

    // Finance's list went on to the Archivist, untouched by the escalations.
    expect((await openTasks(engine, finance))[0]).toMatchObject({ nodeId: 'check', candidateIds: ['archivist'] });
    const audit = await sql()<{ n: number }[]>`select count(*)::int as n from audit_log where process_id = ${finance} and event = 'task.escalated'`;
    expect(audit[0]!.n).toBe(0);

    // The escalated Deputy GM may hand the list over; the campaign closes once every list is dealt with.
    for (const department of ['business', 'expansion', 'hr', 'sales-floor'] as const) {
      const [task] = await openTasks(engine, handOvers[department].processId);
      await decide(engine, handOvers[department].processId, task!.id, departments[department].deputy, 'submitted', { items: [] });
    }
    const [check] = await openTasks(engine, finance);
    await decide(engine, finance, check!.id, 'archivist', 'checked', { verdicts: [{ item: 1, verdict: 'accepted', volume: 'Vol. 2026-1' }] });
    const [stillOpen] = await sql()<{ status: string }[]>`select status from campaigns where id = ${campaignId}`;
    expect(stillOpen!.status).toBe('open');

    // Market never hands over: lapseDays after the due date its list lapses, so the campaign closes
    // before the next one (whose Schedule run would be skipped while this one runs).
    await engine.env.sleep((campaignSettings.lapseDays - campaignSettings.escalationDays) * DAY);
    expect((await engine.client.workflow.getHandle(handOvers.market.processId).result()).status).toBe('not_handed_over');
    const result = await engine.client.workflow.getHandle(processId).result();
    expect(result.status).toBe('closed');
    const [closed] = await sql()<{ status: string }[]>`select status from campaigns where id = ${campaignId}`;
    expect(closed!.status).toBe('closed');
    const statuses = await sql()<{ departmentId: string; status: string }[]>`select department_id as "departmentId", status from hand_overs where campaign_id = ${campaignId} order by department_id`;
    expect(statuses.map((row) => [row.departmentId, row.status])).toEqual([
      ['business', 'submitted'],
      ['expansion', 'submitted'],
      ['finance', 'checked'],
      ['hr', 'submitted'],
      ['market', 'pending'],
      ['sales-floor', 'submitted'],
    ]);
  });

  it('CYC-4 CYC-2 ARC-3: the check registers accepted items as documents in one step (volume as the Archivist sets it), keeps returned ones out, refuses a Confidential copy, and a held original is listed until it is deposited', async () => {
    const heldId = `held-${randomUUID()}`;
    await sql()`insert into held_originals (id, department_id, title, secrecy, registered_by, registered_at) values (${heldId}, 'finance', 'Signed loan agreement', 'confidential', 'archivist', now())`;
    const first = await startCampaign();
    const finance = first.handOvers.finance;
    // ARC-3: the collection task's hand-over lists the original finance still holds.
    const state = await processState(engine, finance.processId);
    expect(state.variables.handOver).toEqual({ heldOriginals: [{ id: heldId, title: 'Signed loan agreement', secrecy: 'confidential' }] });

    const [collect] = await openTasks(engine, finance.processId);
    await decide(engine, finance.processId, collect!.id, 'finance-manager', 'submitted', {
      items: [
        item('Signed loan agreement', { category: 'agreement', secrecy: 'confidential', heldOriginalId: heldId, quantity: 8 }),
        item('Copy of the audit report', { category: 'financial_audit', secrecy: 'confidential', original: false }),
        item('Canteen menus', { category: 'other', unit: 'pieces', quantity: 40 }),
      ],
    });

    // Accepting the Confidential copy cannot be registered (ARC-3): nothing is, and the check comes back.
    const [check] = await openTasks(engine, finance.processId);
    await decide(engine, finance.processId, check!.id, 'archivist', 'checked', {
      verdicts: [
        { item: 1, verdict: 'accepted', volume: 'Vol. 7' },
        { item: 2, verdict: 'accepted' },
        { item: 3, verdict: 'returned', reason: 'No reference value' },
      ],
    });
    const [again] = await eventually(
      () => openTasks(engine, finance.processId),
      (tasks) => tasks[0]!.id !== check!.id,
    );
    expect(again!.nodeId).toBe('check');
    const [problem] = await sql()<{ checkProblem: string; status: string }[]>`select check_problem as "checkProblem", status from hand_overs where id = ${finance.id}`;
    expect(problem).toMatchObject({ status: 'submitted' });
    expect(problem!.checkProblem).toContain('ARC-3: item 2');
    const references = [1, 2, 3].map((n) => itemReference(finance.id, n));
    expect((await sql()<{ n: number }[]>`select count(*)::int as n from documents where reference = any(${references})`)[0]!.n).toBe(0);

    await decide(engine, finance.processId, again!.id, 'archivist', 'checked', {
      verdicts: [
        { item: 1, verdict: 'accepted', volume: 'Vol. 7', location: 'Cabinet 2' },
        { item: 2, verdict: 'returned', reason: 'ARC-3: bring the original' },
        { item: 3, verdict: 'returned', reason: 'No reference value' },
      ],
    });
    expect((await engine.client.workflow.getHandle(finance.processId).result()).status).toBe('checked');
    const items = await sql()<{ item: number; verdict: string; volume: string | null; documentId: string | null; reason: string | null }[]>`
      select item, verdict, volume, document_id as "documentId", reason from hand_over_items where hand_over_id = ${finance.id} order by item`;
    expect(items.map((i) => [i.item, i.verdict, i.volume, i.documentId !== null, i.reason])).toEqual([
      [1, 'accepted', 'Vol. 7', true, null],
      [2, 'returned', null, false, 'ARC-3: bring the original'],
      [3, 'returned', null, false, 'No reference value'],
    ]);
    const documents = await sql()<{ id: string; reference: string; title: string; secrecy: string; original: boolean; location: string; registeredBy: string }[]>`
      select id, reference, title, secrecy, original, location, registered_by as "registeredBy" from documents where reference = any(${references})`;
    expect(documents).toEqual([
      { id: items[0]!.documentId, reference: itemReference(finance.id, 1), title: 'Signed loan agreement', secrecy: 'confidential', original: true, location: 'Cabinet 2', registeredBy: 'archivist' },
    ]);
    // ARC-3: the deposit closed the register entry.
    const [held] = await sql()<{ documentId: string | null; handOverId: string | null }[]>`select document_id as "documentId", hand_over_id as "handOverId" from held_originals where id = ${heldId}`;
    expect(held).toEqual({ documentId: items[0]!.documentId, handOverId: finance.id });

    // The next campaign no longer asks finance for it.
    const second = await startCampaign();
    // The hand-over lists its department's outstanding originals as its first step: wait for it.
    const handOver = await eventually(
      async () => (await processState(engine, second.handOvers.finance.processId)).variables.handOver,
      (value) => value !== undefined,
    );
    expect(handOver).toEqual({ heldOriginals: [] });
  });
});
