// The showroom in local mode (the system as `npm start` runs it: embedded PGlite with its ONE
// connection, dev server, worker and API in this process): a regional customer handed to the
// Expansion Dept through the inbox (REG-1), a sale split 5:5 (OVL-5) and a flagged quote (REG-3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyDate } from '../../engine/definition/feel.ts';
import type { LocalSystem } from '../../scripts/local-mode.ts';
import { ApiClient } from '../support/api-client.ts';
import { startTestLocalSystem, type TestLocalSystem } from '../support/local-system.ts';

let local: TestLocalSystem | undefined;
let system: LocalSystem | undefined;

beforeAll(async () => {
  local = await startTestLocalSystem('custodian-showroom-');
  system = local.system;
  expect(system.banner).toContain('one connection');
}, 180_000);

afterAll(() => local?.stop(), 120_000);

const api = new ApiClient({ baseUrl: () => system!.apiUrl, callTimeoutMs: 15_000 });

describe('the showroom in local mode', () => {
  it('REG-1 a gift-trade customer from outside Linyi is handed to the Out-of-Province Expansion Dept through the inbox', async () => {
    const visit = await api.expectStatus(201, 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { prospect: { name: '南京礼品公司', city: '南京市', region: '江苏' }, trade: 'gift_retail' });
    expect(visit.regionalHandover).toMatchObject({ status: 'pending' });
    await api.decide('floor-manager', visit.regionalHandover.processId, 'handOver', 'expansion');
    const handed = await api.eventually(
      'the customer handed over',
      () => api.expectStatus(200, 'floor-manager', 'GET', `/api/v1/showroom/visits/${visit.id}`),
      (body) => body.regionalHandover.status === 'handed_over',
    );
    expect(handed.regionalHandover.departmentId).toBe('expansion');
  });

  it('OVL-5 REG-3 a sale with the named salesperson absent splits 5:5; a quote under a protected floor is flagged', async () => {
    const visit = await api.expectStatus(201, 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { prospect: { name: '本地客户', city: '临沂', region: '临沂' }, namedSalespersonId: 'floor-sales-2', namedOutcome: 'absent' });
    const { sale } = await api.expectStatus(201, 'floor-sales-1', 'POST', `/api/v1/showroom/visits/${visit.id}/sale`, { amount: 1000, cost: 400, productKind: '茶具', orderedOn: policyDate(Date.now()) });
    expect(sale.credits.map((c: { userId: string; share: number; commission: string }) => [c.userId, c.share, c.commission])).toEqual([
      ['floor-sales-1', 0.5, '15.00'],
      ['floor-sales-2', 0.5, '15.00'],
    ]);

    const customer = await api.expectStatus(201, 'market-sales-1', 'POST', '/api/v1/customers', { name: '济宁经销商', cardType: 'distributor', city: '济宁', region: '济宁' });
    await api.expectStatus(201, 'market-sales-1', 'POST', '/api/v1/showroom/protected-orders', { customerId: customer.id, products: ['茶具'], priceFloor: 300, until: policyDate(Date.now() + 7 * 86_400_000) });
    const quote = await api.expectStatus(201, 'floor-sales-2', 'POST', '/api/v1/showroom/quotes', { customer: { name: '终端客户', city: '济宁', region: '济宁' }, product: '茶具', price: 280 });
    expect(quote.flagged).toBe(true);
    expect((await api.expectStatus(200, 'market-manager', 'GET', '/api/v1/showroom/quotes?flagged=true')).quotes.map((q: { id: string }) => q.id)).toEqual([quote.id]);
  });
});
