// Archiving campaigns through the HTTP API on a real PostgreSQL (one connection, as local mode):
// a campaign opened through the API reaches every department manager (CYC-1/2), the lists are
// checked by the Archivist, accepted items become documents and returned ones do not, held
// originals are deposited (ARC-3), the report counts hold in JSON and CSV, urgent material goes
// through the same check (CYC-3), and every refusal is problem+json that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignDefinition, handOverDefinition } from '../../areas/campaigns/definitions.ts';
import { startApiSuite, type EngineApiSuite, type RequestOptions } from '../support/api-suite.ts';
import type { EngineHarness } from '../support/engine.ts';

const DAY = 24 * 3_600_000;

let api: EngineApiSuite;
let engine: EngineHarness;
const sql = () => engine.db.sql;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [handOverDefinition, campaignDefinition] });
  engine = api.engine;
  // A department whose name a spreadsheet would read as a formula: the CSV must neutralise it.
  await sql()`insert into departments (id, name, name_zh) values ('lab', '=SUM(A1:A9)', '@实验室')`;
  await sql()`insert into users (id, display_name, display_name_zh, department_id) values ('lab-manager', 'Lab Manager', '实验室经理', 'lab')`;
  await sql()`insert into user_roles (user_id, role, department_id) values ('lab-manager', 'department_manager', 'lab')`;
  await sql()`insert into department_oversight (department_id, deputy_gm_id) values ('lab', 'dgm-admin')`;
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, options?: RequestOptions) => api.request(userId, method, path, options);

async function expectStatus(status: number, userId: string, method: string, path: string, json?: unknown) {
  const reply = await call(userId, method, path, json === undefined ? undefined : { json });
  expect(reply.status, `${method} ${path} as ${userId}: ${reply.text}`).toBe(status);
  return reply.body;
}

/** A refusal: problem+json with this status and code. */
async function expectProblem(status: number, code: string, userId: string, method: string, path: string, json?: unknown) {
  const reply = await call(userId, method, path, json === undefined ? undefined : { json });
  expect(reply.status, reply.text).toBe(status);
  expect(reply.type).toContain('application/problem+json');
  expect(reply.body.code).toBe(code);
  return reply.body;
}

async function waitFor<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('gave up waiting');
}

interface InboxTask {
  id: string;
  processId: string;
  nodeId: string;
  candidateIds: string[];
  process: { key: string; businessKey: string | null };
}

/** The user's open task at `nodeId` of a hand-over, once the workflow has opened it. */
const taskOf = (userId: string, nodeId: string, handOverId?: string) =>
  waitFor(async () => {
    const { body } = await call(userId, 'GET', '/api/v1/tasks?limit=200');
    return (body.tasks as InboxTask[]).find((t) => t.nodeId === nodeId && t.process.key === 'archive.hand-over' && (handOverId === undefined || t.process.businessKey === handOverId));
  });

const complete = (userId: string, task: InboxTask, outcome: string, data: unknown) => expectStatus(200, userId, 'POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/complete`, { outcome, data });

const item = (title: string, overrides: Record<string, unknown> = {}) => ({ title, category: 'meeting_minutes', secrecy: 'none', original: true, quantity: 10, unit: 'pages', ...overrides });

const managers = { business: 'biz-manager', expansion: 'expansion-manager', finance: 'finance-manager', hr: 'hr-manager', lab: 'lab-manager', market: 'market-manager', 'sales-floor': 'floor-manager' } as const;

describe('archiving campaigns through the API', () => {
  it('CYC-1 ARC-3 refusals are problem+json and change nothing', async () => {
    await expectProblem(403, 'CAMPAIGN_OPENER_ONLY', 'finance-manager', 'POST', '/api/v1/campaigns', { reason: 'Reorganisation' });
    await expectProblem(400, 'INVALID_INPUT', 'archivist', 'POST', '/api/v1/campaigns', { reason: '' });
    await expectProblem(400, 'INVALID_INPUT', 'archivist', 'POST', '/api/v1/campaigns', { reason: 'x', kind: 'annual' });
    await expectProblem(403, 'CAMPAIGN_OVERSIGHT_ONLY', 'biz-sales-1', 'GET', '/api/v1/campaigns');
    await expectProblem(404, 'CAMPAIGN_NOT_FOUND', 'archivist', 'GET', '/api/v1/campaigns/no-such-campaign/report');
    await expectProblem(400, 'INVALID_CURSOR', 'archivist', 'GET', '/api/v1/campaigns?cursor=abc');
    await expectProblem(403, 'ARCHIVIST_ONLY', 'office-director', 'POST', '/api/v1/held-originals', { departmentId: 'business', title: 'Contract', secrecy: 'confidential' });
    await expectProblem(400, 'INVALID_INPUT', 'archivist', 'POST', '/api/v1/held-originals', { departmentId: 'business', title: 'Memo', secrecy: 'secret' });
    await expectProblem(422, 'UNKNOWN_DEPARTMENT', 'archivist', 'POST', '/api/v1/held-originals', { departmentId: 'nowhere', title: 'Contract', secrecy: 'confidential' });
    const [counts] = await sql()<{ campaigns: number; held: number }[]>`select (select count(*) from campaigns)::int as campaigns, (select count(*) from held_originals)::int as held`;
    expect(counts).toEqual({ campaigns: 0, held: 0 });
  });

  it('CYC-1 CYC-2 ARC-3: a campaign opened through the API reaches every department manager; checked lists register accepted items only; the report counts are right in JSON and CSV', async () => {
    const held = await expectStatus(201, 'archivist', 'POST', '/api/v1/held-originals', { departmentId: 'business', title: 'Distribution agreement (signed)', secrecy: 'confidential' });
    expect(held).toMatchObject({ departmentId: 'business', deposited: null });

    const campaign = await expectStatus(201, 'office-director', 'POST', '/api/v1/campaigns', { reason: 'Reorganisation of the sales departments' });
    expect(campaign).toMatchObject({ kind: 'extraordinary', period: 'Reorganisation of the sales departments', openedBy: 'office-director', status: 'open' });

    // Every department with a manager: one collection task each, for that manager only.
    const collect = Object.fromEntries(await Promise.all(Object.entries(managers).map(async ([department, manager]) => [department, await taskOf(manager, 'collect')] as const)));
    for (const [department, manager] of Object.entries(managers)) expect(collect[department]!.candidateIds).toEqual([manager]);

    // ARC-3: business's hand-over lists the original it holds; another manager cannot see it.
    const businessHandOver = collect.business!.process.businessKey!;
    const detail = await expectStatus(200, 'biz-manager', 'GET', `/api/v1/hand-overs/${businessHandOver}`);
    expect(detail).toMatchObject({ campaignId: campaign.id, departmentId: 'business', status: 'pending', heldOriginalsAtOpening: [{ id: held.id, secrecy: 'confidential' }] });
    await expectProblem(404, 'HAND_OVER_NOT_FOUND', 'finance-manager', 'GET', `/api/v1/hand-overs/${businessHandOver}`);

    // A list with a bad item is refused, naming the item, and the task stays open.
    const refused = await call('finance-manager', 'POST', `/api/v1/tasks/${encodeURIComponent(collect.finance!.id)}/complete`, {
      json: { outcome: 'submitted', data: { items: [item('Budget'), item('Ledger', { category: 'ledger' })] } },
    });
    expect(refused.status).toBe(422);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.code).toBe('INVALID_TASK_DATA');
    expect(JSON.stringify(refused.body.errors)).toContain('items.1.category');

    await complete('finance-manager', collect.finance!, 'submitted', { items: [item('Budget 2026', { category: 'annual_plan' }), item('Old phone list', { category: 'other' })] });
    await complete('biz-manager', collect.business!, 'submitted', {
      items: [item('Distribution agreement (signed)', { category: 'agreement', secrecy: 'confidential', heldOriginalId: held.id }), item('Customer visit notes')],
    });
    for (const department of ['expansion', 'hr', 'lab', 'sales-floor'] as const) await complete(managers[department], collect[department]!, 'submitted', { items: [] });

    // The Archivist checks each list.
    const financeCheck = await taskOf('archivist', 'check', collect.finance!.process.businessKey!);
    await complete('archivist', financeCheck, 'checked', { verdicts: [{ item: 1, verdict: 'accepted', volume: 'Vol. 3', reference: 'FIN-2026-PLAN' }, { item: 2, verdict: 'returned', reason: 'No reference value' }] });
    const businessCheck = await taskOf('archivist', 'check', businessHandOver);
    await complete('archivist', businessCheck, 'checked', { verdicts: [{ item: 1, verdict: 'accepted', volume: 'Vol. 1' }, { item: 2, verdict: 'accepted', volume: 'Vol. 1' }] });

    const finance = await waitFor(async () => {
      const body = await expectStatus(200, 'archivist', 'GET', `/api/v1/hand-overs/${collect.finance!.process.businessKey}`);
      return body.status === 'checked' ? body : undefined;
    });
    expect(finance.items.map((i: { verdict: string; volume: string | null; reason: string | null; documentId: string | null }) => [i.verdict, i.volume, i.reason, i.documentId !== null])).toEqual([
      ['accepted', 'Vol. 3', null, true],
      ['returned', null, 'No reference value', false],
    ]);
    const registered = await expectStatus(200, 'archivist', 'GET', '/api/v1/documents?department=finance');
    expect(registered.documents.map((d: { reference: string; title: string }) => [d.reference, d.title])).toEqual([['FIN-2026-PLAN', 'Budget 2026']]);

    // ARC-3: the held original is deposited.
    const deposited = await waitFor(async () => {
      const body = await expectStatus(200, 'archivist', 'GET', '/api/v1/held-originals?state=deposited');
      return body.heldOriginals.length ? body.heldOriginals : undefined;
    });
    expect(deposited).toEqual([expect.objectContaining({ id: held.id, deposited: expect.objectContaining({ handOverId: businessHandOver }) })]);
    expect((await expectStatus(200, 'archivist', 'GET', '/api/v1/held-originals')).heldOriginals).toEqual([]);
    // The register pages, the latest first.
    const later = await expectStatus(201, 'archivist', 'POST', '/api/v1/held-originals', { departmentId: 'hr', title: 'Personnel file of the GM', secrecy: 'top_secret' });
    const page = await expectStatus(200, 'office-director', 'GET', '/api/v1/held-originals?state=all&limit=1');
    expect(page.heldOriginals.map((h: { id: string }) => h.id)).toEqual([later.id]);
    const rest = await expectStatus(200, 'office-director', 'GET', `/api/v1/held-originals?state=all&limit=1&cursor=${page.nextCursor}`);
    expect(rest).toEqual({ heldOriginals: [expect.objectContaining({ id: held.id })], nextCursor: null });

    // Market hands over a day after its due date: late.
    await engine.env.sleep(16 * DAY);
    await complete('market-manager', collect.market!, 'submitted', { items: [item('Flyers', { category: 'other', unit: 'pieces', quantity: 200 })] });
    const marketCheck = await taskOf('archivist', 'check', collect.market!.process.businessKey!);
    await complete('archivist', marketCheck, 'checked', { verdicts: [{ item: 1, verdict: 'returned', reason: 'Printed matter is not archived' }] });

    const report = await waitFor(async () => {
      const body = await expectStatus(200, 'office-director', 'GET', `/api/v1/campaigns/${campaign.id}/report`);
      return body.campaign.status === 'closed' ? body : undefined;
    });
    expect(report.departments.map((d: Record<string, unknown>) => [d.departmentId, d.status, d.received, d.accepted, d.returned, d.late, d.originalsOutstanding])).toEqual([
      ['business', 'checked', 2, 2, 0, false, 0],
      ['expansion', 'submitted', 0, 0, 0, false, 0],
      ['finance', 'checked', 2, 1, 1, false, 0],
      ['hr', 'submitted', 0, 0, 0, false, 1],
      ['lab', 'submitted', 0, 0, 0, false, 0],
      ['market', 'checked', 1, 0, 1, true, 0],
      ['sales-floor', 'submitted', 0, 0, 0, false, 0],
    ]);
    expect(report.departments.find((d: { departmentId: string }) => d.departmentId === 'market').daysLate).toBe(1);
    expect(report.totals).toEqual({ departments: 7, listsReceived: 7, late: 1, received: 5, accepted: 3, returned: 2, originalsOutstanding: 1 });

    // The same rows as CSV, by query or by Accept; formula-like cells neutralised.
    const csv = await call('archivist', 'GET', `/api/v1/campaigns/${campaign.id}/report?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('department_id,department,department_zh,status,due_at,submitted_at,received,accepted,returned,late,days_late,originals_outstanding');
    expect(lines).toHaveLength(8);
    expect(lines.find((line) => line.startsWith('lab,'))).toMatch(/^lab,'=SUM\(A1:A9\),'@实验室,submitted,/);
    expect(lines.find((line) => line.startsWith('market,'))).toMatch(/,1,0,1,true,1,0$/);
    expect(lines.find((line) => line.startsWith('finance,'))).toMatch(/,2,1,1,false,0,0$/);
    const byAccept = await call('archivist', 'GET', `/api/v1/campaigns/${campaign.id}/report`, { headers: { accept: 'text/csv' } });
    expect(byAccept.type).toContain('text/csv');
    expect(byAccept.text.split('\r\n').slice(1)).toEqual(csv.text.split('\r\n').slice(1));

    // A second campaign, opened once whatever the retries; the list pages through both, the latest first.
    const open = (reason: string) => call('archivist', 'POST', '/api/v1/campaigns', { json: { reason }, headers: { 'idempotency-key': 'second' } });
    const opened = await open('Second reorganisation');
    expect(opened.status, opened.text).toBe(201);
    const second = opened.body;
    const retried = await open('Second reorganisation');
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(second.id);
    const reused = await open('Another reason');
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const first = await expectStatus(200, 'gm', 'GET', '/api/v1/campaigns?limit=1');
    expect(first.campaigns.map((c: { id: string }) => c.id)).toEqual([second.id]);
    const next = await expectStatus(200, 'gm', 'GET', `/api/v1/campaigns?limit=1&cursor=${first.nextCursor}`);
    expect(next).toEqual({ campaigns: [expect.objectContaining({ id: campaign.id, status: 'closed' })], nextCursor: null });
  });

  it('CYC-3 ARC-3: urgent material goes through the same check at any time; a Confidential copy and a non-manager are refused', async () => {
    await expectProblem(403, 'DEPARTMENT_MANAGER_ONLY', 'finance-clerk', 'POST', '/api/v1/hand-overs', { items: [item('Memo')] });
    await expectProblem(403, 'DEPARTMENT_MANAGER_ONLY', 'finance-manager', 'POST', '/api/v1/hand-overs', { departmentId: 'business', items: [item('Memo')] });
    await expectProblem(400, 'INVALID_INPUT', 'finance-manager', 'POST', '/api/v1/hand-overs', { items: [] });
    const copy = await expectProblem(422, 'ORIGINAL_REQUIRED', 'finance-manager', 'POST', '/api/v1/hand-overs', { items: [item('Memo'), item('Audit report', { secrecy: 'confidential', original: false })] });
    expect(copy.errors).toEqual([{ path: 'items.1.original', message: expect.any(String) }]);
    await expectProblem(422, 'UNKNOWN_HELD_ORIGINAL', 'finance-manager', 'POST', '/api/v1/hand-overs', { items: [item('Contract', { secrecy: 'confidential', heldOriginalId: 'no-such-entry' })] });
    const [before] = await sql()<{ n: number }[]>`select count(*)::int as n from hand_overs where campaign_id is null`;
    expect(before!.n).toBe(0);

    const filed = await call('finance-manager', 'POST', '/api/v1/hand-overs', { json: { items: [item('Tax audit findings', { category: 'financial_audit', secrecy: 'secret' })] }, headers: { 'idempotency-key': 'urgent-1' } });
    expect(filed.status, filed.text).toBe(201);
    expect(filed.body).toMatchObject({ campaignId: null, departmentId: 'finance', status: 'submitted', items: [{ item: 1, title: 'Tax audit findings', verdict: null }] });
    const retried = await call('finance-manager', 'POST', '/api/v1/hand-overs', { json: { items: [item('Tax audit findings', { category: 'financial_audit', secrecy: 'secret' })] }, headers: { 'idempotency-key': 'urgent-1' } });
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(filed.body.id);

    const check = await taskOf('archivist', 'check', filed.body.id);
    expect(check.candidateIds).toEqual(['archivist']);
    await complete('archivist', check, 'checked', { verdicts: [{ item: 1, verdict: 'accepted', volume: 'Vol. U-1', reference: 'FIN-URGENT-1' }] });
    const checked = await waitFor(async () => {
      const body = await expectStatus(200, 'finance-manager', 'GET', `/api/v1/hand-overs/${filed.body.id}`);
      return body.status === 'checked' ? body : undefined;
    });
    const document = await expectStatus(200, 'archivist', 'GET', `/api/v1/documents/${checked.items[0].documentId}`);
    expect(document).toMatchObject({ reference: 'FIN-URGENT-1', title: 'Tax audit findings', secrecy: 'secret', departmentId: 'finance', registeredBy: 'archivist' });
  });
});
