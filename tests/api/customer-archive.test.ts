// The customer archive regime through the API (CUS-3, CUS-4, CUS-5, SEC-1, SEC-3, SEC-4) on the
// time-skipping server with the real activities and PostgreSQL holding the demo organisation.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerArchiveProcesses } from '../../areas/customer-archive/definitions.ts';
import { verifyBackup, writeBackup } from '../../areas/customer-archive/backup.ts';
import { backupDefinition } from '../../areas/customer-archive/definitions.ts';
import { checkUpkeep } from '../../areas/customer-archive/service.ts';
import { processState } from '../../engine/client.ts';
import { policyDate } from '../../engine/definition/feel.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { decide, openTasks } from '../support/engine.ts';

let api: EngineApiSuite;

beforeAll(async () => {
  api = await startApiSuite({ definitions: customerArchiveProcesses });
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, json?: unknown) => api.request(userId, method, path, { json });
const sql = () => api.engine.db.sql;

/** A customer of `departmentId`, owned by `ownerId` (personal level) or in the pool (department level). */
async function customer(options: { departmentId?: string; ownerId?: string | null; companyLevel?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  const ownerId = options.ownerId ?? null;
  await sql()`
    insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by, company_level)
    values (${id}, ${`客户 ${id.slice(0, 8)}`}, 'terminal', '临沂', '山东', ${options.departmentId ?? 'business'}, ${ownerId},
            ${ownerId ? 'owned' : 'open'}, 'biz-manager', ${options.companyLevel ?? false})`;
  return id;
}

const views = async (customerId: string) =>
  sql()<{ viewer_id: string; right_kind: string; grant_id: string | null }[]>`select viewer_id, right_kind, grant_id from customer_views where customer_id = ${customerId} order by seq`;

describe('customer cards', () => {
  it('CUS-3 a card holds the four groups; completeness is the share filled; every version is kept with what changed (CUS-5)', async () => {
    const id = await customer({ ownerId: 'biz-sales-1' });
    const first = await call('biz-sales-1', 'PUT', `/api/v1/customers/${id}/card`, { content: { basic: { name: '临沂礼品城', phone: '0539-1234567' }, trading: { credit: '良好' } } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ version: 1, changedFields: ['basic.name', 'basic.phone', 'trading.credit'] });
    expect(first.body.completeness).toBe(Math.floor((3 * 100) / 30));
    const second = await call('biz-sales-1', 'PUT', `/api/v1/customers/${id}/card`, { expectedVersion: 1, content: { basic: { name: '临沂礼品城', phone: '0539-7654321' }, trading: { credit: '良好' } } });
    expect(second.body).toMatchObject({ version: 2, changedFields: ['basic.phone'] });
    const stale = await call('biz-sales-1', 'PUT', `/api/v1/customers/${id}/card`, { expectedVersion: 1, content: {} });
    expect(stale.body).toMatchObject({ status: 409, code: 'CARD_VERSION_CONFLICT' });
    expect((await call('biz-sales-1', 'PUT', `/api/v1/customers/${id}/card`, { content: { basic: { unknownField: 'x' } } })).status).toBe(400);
    const history = (await call('biz-sales-1', 'GET', `/api/v1/customers/${id}/card/versions`)).body.versions;
    expect(history.map((v: { version: number; changedBy: string }) => [v.version, v.changedBy])).toEqual([
      [2, 'biz-sales-1'],
      [1, 'biz-sales-1'],
    ]);
    await expect(sql()`delete from customer_card_versions where customer_id = ${id}`).rejects.toThrow(/append-only|permission denied/);
  });

  it('SEC-4 only the keeper changes a card: not a colleague, not the Marketing VP who may read it', async () => {
    const id = await customer({ ownerId: 'biz-sales-1' });
    for (const userId of ['biz-sales-2', 'marketing-vp', 'floor-manager']) {
      const refused = await call(userId, 'PUT', `/api/v1/customers/${id}/card`, { content: { basic: { name: 'x' } } });
      expect(refused.status, userId).toBe(403);
    }
    expect((await call('marketing-vp', 'PUT', `/api/v1/customers/${id}/card`, { content: {} })).body).toMatchObject({ code: 'NOT_THE_KEEPER', ruleId: 'SEC-4' });
    expect(await sql()`select 1 from customer_cards where customer_id = ${id}`).toHaveLength(0);
  });
});

describe('who reads a card (SEC-1) and the record of views', () => {
  it('SEC-1 the owner, their Department Manager and the company-level readers read a personal-level card; each read is recorded with its right', async () => {
    const id = await customer({ ownerId: 'biz-sales-1' });
    for (const [userId, right] of [
      ['biz-sales-1', 'owner'],
      ['biz-manager', 'department'],
      ['marketing-director', 'company'],
      ['marketing-vp', 'company'],
      ['gm', 'company'],
    ] as const) {
      const read = await call(userId, 'GET', `/api/v1/customers/${id}/card`);
      expect(read.status, userId).toBe(200);
      expect(read.body.readUnder).toBe(right);
    }
    for (const userId of ['biz-sales-2', 'floor-manager', 'finance-clerk', 'office-director']) {
      const refused = await call(userId, 'GET', `/api/v1/customers/${id}/card`);
      expect(refused.status, userId).toBe(403);
      expect(refused.body).toMatchObject({ code: 'VIEW_NEEDS_APPROVAL', ruleId: 'SEC-3' });
    }
    expect((await views(id)).map((v) => [v.viewer_id, v.right_kind])).toEqual([
      ['biz-sales-1', 'owner'],
      ['biz-manager', 'department'],
      ['marketing-director', 'company'],
      ['marketing-vp', 'company'],
      ['gm', 'company'],
    ]);
  });

  it("SEC-1 a pool customer's card is read by its own department's salespeople, not another department's; a company-level card only by the company readers", async () => {
    const pool = await customer({ departmentId: 'business' });
    expect((await call('biz-sales-2', 'GET', `/api/v1/customers/${pool}/card`)).body.readUnder).toBe('department');
    expect((await call('floor-sales-1', 'GET', `/api/v1/customers/${pool}/card`)).status).toBe(403);
    const company = await customer({ ownerId: 'biz-sales-1', companyLevel: true });
    expect((await call('biz-sales-1', 'GET', `/api/v1/customers/${company}/card`)).status).toBe(403);
    expect((await call('biz-manager', 'GET', `/api/v1/customers/${company}/card`)).status).toBe(403);
    expect((await call('marketing-vp', 'GET', `/api/v1/customers/${company}/card`)).status).toBe(200);
  });

  it('SEC-1 only the Marketing Director makes a card company-level', async () => {
    const id = await customer({ ownerId: 'biz-sales-1' });
    expect((await call('gm', 'PUT', `/api/v1/customers/${id}/tier`, { companyLevel: true })).body).toMatchObject({ code: 'NOT_THE_MARKETING_DIRECTOR' });
    expect((await call('marketing-director', 'PUT', `/api/v1/customers/${id}/tier`, { companyLevel: true })).body).toEqual({ customerId: id, companyLevel: true });
    expect((await call('biz-sales-1', 'GET', `/api/v1/customers/${id}/card`)).status).toBe(403);
  });

  it('CUS-2 HR and the Marketing Director review the record of views, as JSON and CSV; nobody else', async () => {
    const id = await customer({ ownerId: 'biz-sales-1' });
    await call('biz-sales-1', 'GET', `/api/v1/customers/${id}/card`);
    const log = await call('hr-manager', 'GET', `/api/v1/customer-views?customer=${id}`);
    expect(log.body.views).toEqual([expect.objectContaining({ customerId: id, viewerId: 'biz-sales-1', right: 'owner' })]);
    const csv = await call('marketing-director', 'GET', `/api/v1/customer-views?customer=${id}&format=csv`);
    expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[1]).toContain(`,${id},biz-sales-1,`);
    expect((await call('biz-manager', 'GET', '/api/v1/customer-views')).status).toBe(403);
  });
});

describe('viewing requests (SEC-3)', () => {
  it("SEC-3 a salesperson outside the tier files a viewing request: their manager signs, the keeping manager approves, and they read under the approval until it ends", async () => {
    const id = await customer({ ownerId: 'biz-sales-1' });
    const filed = await call('floor-sales-1', 'POST', `/api/v1/customers/${id}/view-requests`, { reason: 'The customer asked the showroom for a quote.' });
    expect(filed.status, JSON.stringify(filed.body)).toBe(202);
    expect(filed.body).toMatchObject({ status: 'requested', tier: 'personal' });
    const processId = filed.body.processId as string;

    const [sign] = await openTasks(api.engine, processId);
    expect(sign!.candidateIds).toEqual(['floor-manager']);
    await decide(api.engine, processId, sign!.id, 'floor-manager', 'sign');
    const approval = (await openTasks(api.engine, processId)).find((task) => task.nodeId === 'keeperApproval')!;
    expect(approval.candidateIds).toEqual(['biz-manager', 'marketing-vp']);
    expect((await call('floor-sales-1', 'GET', `/api/v1/customers/${id}/card`)).status).toBe(403);
    await decide(api.engine, processId, approval.id, 'biz-manager', 'approve');

    let request = filed.body;
    for (let attempt = 0; attempt < 200 && request.status === 'requested'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      request = (await call('floor-sales-1', 'GET', `/api/v1/view-requests/${filed.body.id}`)).body;
    }
    expect(request.status).toBe('granted');
    expect(Date.parse(request.validTo) - Date.parse(request.validFrom)).toBe(7 * 86_400_000);
    const read = await call('floor-sales-1', 'GET', `/api/v1/customers/${id}/card`);
    expect(read.body.readUnder).toBe('approval');
    expect((await views(id)).at(-1)).toEqual({ viewer_id: 'floor-sales-1', right_kind: 'approval', grant_id: filed.body.id });
    // The grant covers this customer only.
    expect((await call('floor-sales-1', 'GET', `/api/v1/customers/${await customer({ ownerId: 'biz-sales-1' })}/card`)).status).toBe(403);
    // It ends by itself: a week later (the grant's window moved back a week) the card is refused again.
    await sql()`update customer_view_grants set valid_from = valid_from - interval '7 days', valid_to = valid_to - interval '7 days' where id = ${filed.body.id}`;
    expect((await call('floor-sales-1', 'GET', `/api/v1/customers/${id}/card`)).status).toBe(403);
  });

  it('SEC-3 a company-level card needs the GM after the manager signs; someone who may already read gets 409', async () => {
    const id = await customer({ ownerId: 'biz-sales-1', companyLevel: true });
    const filed = await call('biz-sales-1', 'POST', `/api/v1/customers/${id}/view-requests`, { reason: 'My former customer.' });
    const [sign] = await openTasks(api.engine, filed.body.processId);
    expect(sign!.candidateIds).toEqual(['biz-manager']);
    await decide(api.engine, filed.body.processId, sign!.id, 'biz-manager', 'sign');
    const gm = (await openTasks(api.engine, filed.body.processId)).find((task) => task.nodeId === 'gmApproval')!;
    expect(gm.candidateIds).toEqual(['gm']);
    await decide(api.engine, filed.body.processId, gm.id, 'gm', 'reject');
    let request = filed.body;
    for (let attempt = 0; attempt < 200 && request.status === 'requested'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      request = (await call('biz-sales-1', 'GET', `/api/v1/view-requests/${filed.body.id}`)).body;
    }
    expect(request.status).toBe('refused');
    expect((await call('biz-sales-1', 'GET', `/api/v1/customers/${id}/card`)).status).toBe(403);
    expect((await call('marketing-vp', 'POST', `/api/v1/customers/${id}/view-requests`, { reason: 'x' })).body).toMatchObject({ status: 409, code: 'ALREADY_MAY_VIEW' });
  });
});

describe('same-day upkeep (CUS-5)', () => {
  it('CUS-5 a contact whose card is updated the same day is satisfied; one not updated gets a 20-yuan fine proposed once by the day-end check', async () => {
    const kept = await customer({ ownerId: 'biz-sales-2' });
    const missed = await customer({ ownerId: 'biz-sales-2' });
    const today = policyDate(Date.now());
    const a = await call('biz-sales-2', 'POST', `/api/v1/customers/${kept}/contacts`, { channel: 'visit', summary: 'Visited the shop.' });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({ contactedOn: today, cardUpdated: false });
    await call('biz-sales-2', 'PUT', `/api/v1/customers/${kept}/card`, { content: { business: { relationsWithUs: '合作良好' } } });
    const b = await call('biz-sales-2', 'POST', `/api/v1/customers/${missed}/contacts`, { channel: 'phone', summary: 'Called about the new catalogue.' });
    expect((await call('biz-sales-2', 'GET', `/api/v1/customers/${kept}/contacts`)).body.contacts[0]).toMatchObject({ id: a.body.id, cardUpdated: true });
    expect((await call('biz-sales-2', 'POST', `/api/v1/customers/${missed}/contacts`, { channel: 'pigeon', summary: 'x' })).status).toBe(400);
    expect((await call('biz-sales-2', 'POST', `/api/v1/customers/${missed}/contacts`, { channel: 'phone', summary: 'x', contactedOn: '2999-01-01' })).body.code).toBe('CONTACT_DATE_OUT_OF_RANGE');

    // The day-end check runs the next day.
    const tomorrow = Date.now() + 86_400_000;
    expect(await checkUpkeep(sql(), tomorrow)).toEqual({ missed: 1 });
    expect(await checkUpkeep(sql(), tomorrow)).toEqual({ missed: 0 });
    const [fine] = await sql()<{ rule_id: string; amount_yuan: number; person_id: string; state: string }[]>`
      select rule_id, amount_yuan, person_id, state from penalties where source_key = ${`customer-contact:${b.body.id}`}`;
    expect(fine).toEqual({ rule_id: 'CUS-5', amount_yuan: 20, person_id: 'biz-sales-2', state: 'proposed' });
    expect(await sql()`select 1 from penalties where source_key = ${`customer-contact:${a.body.id}`}`).toHaveLength(0);
  });
});

describe('the monthly backup (SEC-2)', () => {
  it('SEC-2 a backup restores into a scratch database and reads back exactly; a changed file or a changed row is caught, also by npm run backup:verify', async () => {
    const id = await customer({ ownerId: 'biz-sales-1' });
    await call('biz-sales-1', 'PUT', `/api/v1/customers/${id}/card`, { content: { basic: { name: '备份测试', phone: '0539-1' } } });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'custodian-backup-'));
    try {
      const { file, sha256 } = await writeBackup(sql(), dir, new Date());
      expect((await fs.readFile(`${file}.sha256`, 'utf8')).startsWith(sha256)).toBe(true);
      const check = await verifyBackup(file);
      expect(check.problems).toEqual([]);
      expect(check.verified).toBe(true);
      const [versions] = await sql()<{ n: number }[]>`select count(*)::int as n from customer_card_versions`;
      expect(check.tables).toContainEqual({ name: 'customer_card_versions', rows: versions!.n });

      // A row changed in the file, its digest and SHA-256 left as they were: npm run backup:verify refuses it.
      const text = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, text.replace('0539-1', '0539-9'));
      const refused = await promisify(execFile)('node', ['--import', 'tsx', 'scripts/backup-verify.ts', file]).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/SHA-256/);
      expect(refused.stderr).toMatch(/customer_card.*do not match its digest/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('SEC-2 the monthly backup process gives the Marketing Director a verified backup to confirm', async () => {
    await api.engine.publish(backupDefinition);
    const processId = await api.engine.start(backupDefinition as { key: string; version: number }, 'archivist');
    const [confirm] = await openTasks(api.engine, processId);
    expect(confirm).toMatchObject({ nodeId: 'confirm', candidateIds: ['marketing-director'] });
    const backup = (await processState(api.engine, processId)).variables.backup as { file: string; verified: boolean; problems: string };
    expect(backup).toMatchObject({ verified: true, problems: '' });
    expect((await fs.stat(backup.file)).size).toBeGreaterThan(0);
    await fs.rm(backup.file);
    await fs.rm(`${backup.file}.sha256`);
    await decide(api.engine, processId, confirm!.id, 'marketing-director', 'confirmed');
  });
});
