// SEC-4 through the API: deleting customer archive data only with the Marketing Director's
// approval, on the time-skipping server with the real activities and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerArchiveProcesses } from '../../areas/customer-archive/definitions.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { openTasks } from '../support/engine.ts';

let api: EngineApiSuite;

beforeAll(async () => {
  api = await startApiSuite({ definitions: customerArchiveProcesses });
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, json?: unknown) => api.request(userId, method, path, { json });
const sql = () => api.engine.db.sql;

/** biz-sales-1's customer with a card (version 1) and one contact recorded today. */
async function customerWithArchive(): Promise<string> {
  const id = randomUUID();
  await sql()`
    insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
    values (${id}, ${`客户 ${id.slice(0, 8)}`}, 'terminal', '临沂', '山东', 'business', 'biz-sales-1', 'owned', 'biz-manager')`;
  expect((await call('biz-sales-1', 'POST', `/api/v1/customers/${id}/contacts`, { channel: 'visit', summary: 'Visited the shop.' })).status).toBe(201);
  expect((await call('biz-sales-1', 'PUT', `/api/v1/customers/${id}/card`, { content: { basic: { name: '临沂礼品城', phone: '0539-1234567' } } })).status).toBe(200);
  return id;
}

const state = async (customerId: string) => ({
  card: (await sql()`select version, content from customer_cards where customer_id = ${customerId}`)[0],
  versions: (await sql()`select version from customer_card_versions where customer_id = ${customerId} order by version`).map((row) => row.version),
  contacts: (await call('biz-sales-1', 'GET', `/api/v1/customers/${customerId}/contacts`)).body.contacts.length as number,
  views: (await sql()`select count(*)::int as n from customer_views where customer_id = ${customerId}`)[0]!.n as number,
});

async function decided(id: string, status: string) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const request = (await call('biz-sales-1', 'GET', `/api/v1/customer-archive-deletions/${id}`)).body;
    if (request.status === status) return request;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`deletion ${id} not ${status}`);
}

async function fileAndDecide(customerId: string, outcome: 'approve' | 'refuse') {
  const filed = await call('biz-sales-1', 'POST', `/api/v1/customers/${customerId}/deletion-requests`, { scope: 'all', reason: 'The customer closed its business.' });
  expect(filed.status, JSON.stringify(filed.body)).toBe(202);
  expect(filed.body).toMatchObject({ status: 'requested', requestedBy: 'biz-sales-1', scope: 'all' });
  const [task] = await openTasks(api.engine, filed.body.processId);
  expect(task!.candidateIds).toEqual(['marketing-director']);
  const done = await call('marketing-director', 'POST', `/api/v1/tasks/${encodeURIComponent(task!.id)}/complete`, { outcome });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return filed.body.id as string;
}

describe('deleting customer archive data (SEC-4)', () => {
  it('SEC-4 approved by the Marketing Director: the card is blanked by a new version (history kept) and the contacts leave use', async () => {
    const id = await customerWithArchive();
    const before = await state(id);
    const deletionId = await fileAndDecide(id, 'approve');
    expect(await decided(deletionId, 'approved')).toMatchObject({ decidedBy: 'marketing-director' });
    const after = await state(id);
    expect(after.card).toEqual({ version: 2, content: {} });
    expect(after.versions).toEqual([1, 2]);
    expect(after.contacts).toBe(0);
    // The one new view is this test's second read of the contact list: the deletion recorded none and removed none.
    expect(after.views).toBe(before.views + 1);
    const [audit] = await sql()`select actor_id, rule_id, detail->>'contactsDeleted' as contacts from audit_log where event = 'customer.archive_deleted' and detail->>'deletionId' = ${deletionId}`;
    expect(audit).toEqual({ actor_id: 'marketing-director', rule_id: 'SEC-4', contacts: '1' });
    const told = await sql()`select user_id from notifications where kind = 'customer.deletion_decided' and process_id = ${`customer-deletion-${deletionId}`} order by user_id`;
    expect(told.map((row) => row.user_id)).toEqual(['biz-sales-1', 'hr-manager']);
  });

  it('SEC-4 refused by the Marketing Director: nothing changes', async () => {
    const id = await customerWithArchive();
    const before = await state(id);
    const deletionId = await fileAndDecide(id, 'refuse');
    expect(await decided(deletionId, 'refused')).toMatchObject({ decidedBy: 'marketing-director' });
    const after = await state(id);
    expect({ ...after, views: after.views - 1 }).toEqual(before);
    expect(await sql()`select 1 from audit_log where event = 'customer.archive_deleted' and detail->>'deletionId' = ${deletionId}`).toHaveLength(0);
  });

  it('SEC-4 a deletion without approval is refused (403), recorded for HR, and fines nobody; a non-keeper may not even ask', async () => {
    const id = await customerWithArchive();
    const penalties = (await sql()`select count(*)::int as n from penalties`)[0]!.n;
    for (const userId of ['biz-sales-1', 'marketing-director', 'biz-sales-2']) {
      const refused = await call(userId, 'DELETE', `/api/v1/customers/${id}/card`);
      expect(refused.body).toMatchObject({ status: 403, code: 'DELETION_NEEDS_APPROVAL', ruleId: 'SEC-4' });
    }
    expect((await call('biz-sales-1', 'DELETE', `/api/v1/customers/${id}/contacts`)).status).toBe(403);
    const attempts = await sql()`select actor_id from audit_log where event = 'customer.deletion_attempted' and detail->>'customerId' = ${id}`;
    expect(attempts).toHaveLength(4);
    const notKeeper = await call('biz-sales-2', 'POST', `/api/v1/customers/${id}/deletion-requests`, { scope: 'card', reason: 'Tidy up.' });
    expect(notKeeper.body).toMatchObject({ status: 403, code: 'NOT_THE_KEEPER', ruleId: 'SEC-4' });
    const zh = await api.request('biz-sales-2', 'DELETE', `/api/v1/customers/${id}/card`, { headers: { 'accept-language': 'zh-CN' } });
    expect(zh.body.detail).toContain('营销总监批准');
    expect((await sql()`select count(*)::int as n from penalties`)[0]!.n).toBe(penalties);
    expect((await sql()`select count(*)::int as n from customer_archive_deletions where customer_id = ${id}`)[0]!.n).toBe(0);
    expect((await state(id)).card).toMatchObject({ version: 1 });
    expect((await call('biz-sales-1', 'POST', `/api/v1/customers/${id}/deletion-requests`, { scope: 'everything', reason: 'x' })).status).toBe(400);
  });
});
