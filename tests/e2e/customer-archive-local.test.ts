// The customer archive and the penalties ledger in local mode (the system as `npm start` runs it:
// embedded PGlite with its ONE connection, dev server, worker and API in this process): a card
// written and read under its SEC-1 tiers, a contact (CUS-5), a SEC-3 viewing request decided in
// the inbox, and a CUS-2 fine proposed and confirmed, each through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../scripts/local-mode.ts';
import { ApiClient } from '../support/api-client.ts';
import { startTestLocalSystem, type TestLocalSystem } from '../support/local-system.ts';

let local: TestLocalSystem | undefined;
let system: LocalSystem | undefined;

beforeAll(async () => {
  local = await startTestLocalSystem('custodian-customer-archive-');
  system = local.system;
  expect(system.banner).toContain('one connection');
}, 180_000);

afterAll(() => local?.stop(), 120_000);

const api = new ApiClient({ baseUrl: () => system!.apiUrl, callTimeoutMs: 15_000 });

describe('the customer archive in local mode', () => {
  it('CUS-3 CUS-5 SEC-1 SEC-3: a pool card is written by its department, read by it, and by another department only after an approved viewing request', async () => {
    const customer = await api.expectStatus(201, 'biz-sales-1', 'POST', '/api/v1/customers', { name: '本地模式客户', cardType: 'terminal', city: '临沂', region: '山东' });
    const path = `/api/v1/customers/${customer.id}`;
    const written = await api.expectStatus(200, 'biz-sales-1', 'PUT', `${path}/card`, { content: { basic: { name: '本地模式客户', phone: '0539-0000' } } });
    expect(written).toMatchObject({ version: 1, changedFields: ['basic.name', 'basic.phone'] });
    const contact = await api.expectStatus(201, 'biz-sales-1', 'POST', `${path}/contacts`, { channel: 'visit', summary: 'First visit.' });
    expect(contact.cardUpdated).toBe(false);
    await api.expectStatus(200, 'biz-sales-1', 'PUT', `${path}/card`, { expectedVersion: 1, content: { basic: { name: '本地模式客户', phone: '0539-0000' }, trading: { credit: '良好' } } });
    expect((await api.expectStatus(200, 'biz-sales-1', 'GET', `${path}/contacts`)).contacts[0]).toMatchObject({ id: contact.id, cardUpdated: true });

    expect((await api.expectStatus(200, 'biz-sales-2', 'GET', `${path}/card`)).readUnder).toBe('department');
    expect((await api.send('floor-sales-1', 'GET', `${path}/card`)).body).toMatchObject({ status: 403, code: 'VIEW_NEEDS_APPROVAL' });

    const request = await api.expectStatus(202, 'floor-sales-1', 'POST', `${path}/view-requests`, { reason: 'Asked for a quote at the showroom.' });
    await api.decide('floor-manager', request.processId, 'sign', 'sign');
    await api.decide('biz-manager', request.processId, 'keeperApproval', 'approve');
    await api.eventually(
      'the viewing request granted',
      async () => (await api.expectStatus(200, 'floor-sales-1', 'GET', `/api/v1/view-requests/${request.id}`)).status,
      (status) => status === 'granted',
    );
    const read = await api.expectStatus(200, 'floor-sales-1', 'GET', `${path}/card`);
    expect(read).toMatchObject({ readUnder: 'approval', version: 2, content: { trading: { credit: '良好' } } });
    const views = (await api.expectStatus(200, 'hr-manager', 'GET', `/api/v1/customer-views?customer=${customer.id}`)).views;
    expect(views.map((v: { viewerId: string; right: string }) => [v.viewerId, v.right])).toEqual([
      ['floor-sales-1', 'approval'],
      ['biz-sales-2', 'department'],
      // reading the contacts is reading the archive too
      ['biz-sales-1', 'department'],
    ]);
  });

  it('CUS-2: a fine is proposed by a Department Manager, confirmed by HR and read by its person', async () => {
    const fine = await api.expectStatus(201, 'biz-manager', 'POST', '/api/v1/penalties', { kind: 'card-not-updated', personId: 'biz-sales-2', evidence: 'contact of 1 March, card not updated' });
    expect(fine).toMatchObject({ ruleId: 'CUS-5', amountYuan: 20, state: 'proposed' });
    expect(await api.expectStatus(200, 'hr-manager', 'POST', `/api/v1/penalties/${fine.id}/decision`, { decision: 'confirm' })).toMatchObject({ state: 'confirmed', decidedBy: 'hr-manager' });
    expect((await api.expectStatus(200, 'biz-sales-2', 'GET', '/api/v1/penalties')).penalties).toEqual([expect.objectContaining({ id: fine.id, state: 'confirmed' })]);
  });
});
