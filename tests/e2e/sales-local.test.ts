// Orders and the 7P analysis in local mode (the system as `npm start` runs it: embedded PGlite with
// its ONE connection, dev server, worker and API in this process): a showroom sale below 40% margin
// waits for the Showroom Manager's signature (REG-2), signed in the inbox, then counts in the
// performance analysis (CRM-1), each through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyDate } from '../../engine/definition/feel.ts';
import type { LocalSystem } from '../../scripts/local-mode.ts';
import { ApiClient } from '../support/api-client.ts';
import { startTestLocalSystem, type TestLocalSystem } from '../support/local-system.ts';

let local: TestLocalSystem | undefined;
let system: LocalSystem | undefined;

beforeAll(async () => {
  local = await startTestLocalSystem('custodian-sales-');
  system = local.system;
  expect(system.banner).toContain('one connection');
}, 180_000);

afterAll(() => local?.stop(), 120_000);

const api = new ApiClient({ baseUrl: () => system!.apiUrl, callTimeoutMs: 15_000 });

describe('orders in local mode', () => {
  it('REG-2 CRM-1: a showroom sale below 40% is final once the Showroom Manager signs it, and then counts in the performance analysis', async () => {
    const customer = await api.expectStatus(201, 'floor-sales-1', 'POST', '/api/v1/customers', { name: '展厅散客', cardType: 'terminal', city: '临沂', region: '山东' });
    const before = await api.expectStatus(200, 'marketing-director', 'GET', '/api/v1/analysis/7p/performance?department=sales-floor');
    expect(before.rows.find((row: { dimension: string }) => row.dimension === 'channel')).toBeUndefined();
    const order = await api.expectStatus(201, 'floor-sales-1', 'POST', '/api/v1/orders', { kind: 'order', customerId: customer.id, channel: 'showroom', amount: 1000, cost: 700, productKind: '礼品' });
    expect(order).toMatchObject({ status: 'awaiting_signature', margin: '0.3000' });
    await api.decide('floor-manager', order.signatureProcessId, 'sign', 'sign');
    const signed = await api.eventually(
      'the order signed',
      () => api.expectStatus(200, 'floor-sales-1', 'GET', `/api/v1/orders/${order.id}`),
      (found) => found.status === 'final',
    );
    expect(signed).toMatchObject({ status: 'final', signedBy: 'floor-manager', orderedOn: policyDate(Date.now()) });
    const after = await api.expectStatus(200, 'marketing-director', 'GET', '/api/v1/analysis/7p/performance?department=sales-floor');
    expect(after.rows).toContainEqual({ dimension: 'channel', value: 'showroom', orders: 1, revenue: 1000, grossProfit: 300 });
  });
});
