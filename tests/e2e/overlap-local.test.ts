// An adjudication in local mode (the system as `npm start` runs it: embedded PGlite with its ONE
// connection, dev server, worker and API in this process): a Sales Floor salesperson's claim on a
// Business Dept pool customer goes to the committee (OVL-1..3), through the API and the inbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../scripts/local-mode.ts';
import { ApiClient } from '../support/api-client.ts';
import { startTestLocalSystem, type TestLocalSystem } from '../support/local-system.ts';

let local: TestLocalSystem | undefined;
let system: LocalSystem | undefined;

beforeAll(async () => {
  local = await startTestLocalSystem('custodian-overlap-');
  system = local.system;
  expect(system.banner).toContain('one connection');
}, 180_000);

afterAll(() => local?.stop(), 120_000);

const api = new ApiClient({ baseUrl: () => system!.apiUrl, callTimeoutMs: 15_000 });

describe('overlapping customers in local mode', () => {
  it("OVL-1 OVL-2 OVL-3 SEC-1: another department's claim on a pool customer is adjudicated; the department with the follow-ups keeps it", async () => {
    const customer = await api.expectStatus(201, 'biz-sales-1', 'POST', '/api/v1/customers', { name: '本地模式重叠客户', cardType: 'terminal', city: '临沂', region: '山东' });
    const path = `/api/v1/customers/${customer.id}`;
    await api.expectStatus(201, 'biz-sales-1', 'POST', `${path}/contacts`, { channel: 'visit', summary: 'First visit.' });
    // SEC-1: the pool is the Business Dept's; the showroom does not see it
    expect((await api.send('floor-sales-1', 'GET', path)).status).toBe(404);

    const adjudication = await api.expectStatus(202, 'floor-sales-1', 'POST', `${path}/protection-requests`, { reason: 'They came to the showroom.' });
    expect(adjudication.parties.map((p: { key: string }) => p.key)).toEqual(['department:business', 'floor-sales-1']);
    await api.decide('biz-manager', adjudication.processId, 'sign', 'signed');
    await api.decide('floor-manager', adjudication.processId, 'sign', 'signed');
    for (const member of ['dgm-sales', 'marketing-director', 'biz-manager', 'floor-manager']) {
      await api.taskOf(member, adjudication.processId, 'score');
      await api.expectStatus(200, member, 'POST', `/api/v1/adjudications/${adjudication.id}/scores`, { scores: [] });
    }
    const result = await api.eventually(
      'the adjudication decided',
      () => api.expectStatus(200, 'marketing-director', 'GET', `/api/v1/adjudications/${adjudication.id}`),
      (a) => a.status === 'decided',
    );
    expect(result.winner).toBe('department:business');
    expect(result.scores).toHaveLength(8);
    const kept = await api.expectStatus(200, 'biz-manager', 'GET', path);
    expect(kept).toMatchObject({ status: 'open', ownerId: null, departmentId: 'business' });
    expect(kept.ownershipHistory.at(-1)).toMatchObject({ reason: 'adjudicated', ruleId: 'OVL-2' });
  });
});
