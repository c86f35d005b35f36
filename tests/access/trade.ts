// Probes of the order, 7P analysis, showroom and adjudication routes (OVL-1..8, REG-1..5, CRM-1):
// a Business Dept customer owned by biz-sales-1 with an order, showroom visits received by
// floor-sales-1, a region's customer, and a dispute the Marketing Director raised.
import { randomUUID } from 'node:crypto';
import { insertCustomer } from '../../areas/customers/sql.ts';
import { analysisNames } from '../../areas/sales/access.ts';
import type { Sql } from '../../platform/db/client.ts';
import { made, type AccessFixture, type Probe } from './fixture.ts';

async function ownedCustomer(sql: Sql, name: string, departmentId: string, ownerId: string | null) {
  const customer = await insertCustomer(sql, { id: randomUUID(), name, cardType: 'terminal', city: '临沂', region: '山东', departmentId, createdBy: 'gm' });
  if (ownerId) await sql`update customers set owner_id = ${ownerId}, status = 'owned' where id = ${customer.id}`;
  return customer;
}

export const salesFixture: AccessFixture = {
  area: 'sales',
  async probes({ api, sql }) {
    const customer = await ownedCustomer(sql, '矩阵订单客户', 'business', 'biz-sales-1');
    const filing = { kind: 'order', customerId: customer.id, channel: 'business', amount: 1000, cost: 500 };
    const order = made(await api.request('biz-sales-1', 'POST', '/api/v1/orders', { json: filing }));
    const oversight = await sql<{ departmentId: string; deputyGmId: string }[]>`select department_id as "departmentId", deputy_gm_id as "deputyGmId" from department_oversight`;
    const analyses = Object.fromEntries(analysisNames.map((name): [string, Probe] => [`GET /api/v1/analysis/7p/${name}`, { path: `/api/v1/analysis/7p/${name}`, record: { oversight } }]));
    return {
      'POST /api/v1/orders': { path: '/api/v1/orders', json: filing, record: { customer: { ownerId: 'biz-sales-1', departmentId: 'business' }, channel: 'business' } },
      'GET /api/v1/orders': { path: '/api/v1/orders' },
      'GET /api/v1/orders/{id}': {
        path: `/api/v1/orders/${order.id}`,
        record: { oversight, departmentId: 'business', channel: 'business', createdBy: 'biz-sales-1', credits: [{ userId: 'biz-sales-1' }] },
      },
      ...analyses,
    };
  },
};

export const showroomFixture: AccessFixture = {
  area: 'showroom',
  async probes({ api, sql }) {
    const business = await ownedCustomer(sql, '矩阵展厅客户', 'business', 'biz-sales-1');
    const regional = await ownedCustomer(sql, '矩阵区域客户', 'market', 'market-sales-1');
    // A Business Dept customer who asked for their salesperson (OVL-6), and a prospect served by its receiver (OVL-5).
    const asked = made(await api.request('floor-sales-1', 'POST', '/api/v1/showroom/visits', { json: { customerId: business.id, namedSalespersonId: 'biz-sales-1', askedForSalesperson: true } }));
    const served = made(await api.request('floor-sales-1', 'POST', '/api/v1/showroom/visits', { json: { prospect: { name: '矩阵来客', city: '临沂', region: '山东' } } }));
    const { rates } = made(await api.request('gm', 'GET', '/api/v1/showroom/commission-rates')) as { rates: { departmentId: string; rate: number }[] };
    const rate = rates.find((r) => r.departmentId === 'business')?.rate ?? rates[0]!.rate;
    const askedFacts = { involvedIds: ['floor-sales-1', 'biz-sales-1'], receivedBy: 'floor-sales-1' };
    const visit = (id: string, path: string) => `/api/v1/showroom/visits/${id}${path}`;
    const askedId = (asked.visit ?? asked).id as string;
    const servedId = (served.visit ?? served).id as string;
    return {
      'POST /api/v1/showroom/visits': { path: '/api/v1/showroom/visits', json: { prospect: { name: '矩阵新来客', city: '临沂', region: '山东' } } },
      'GET /api/v1/showroom/visits': { path: '/api/v1/showroom/visits' },
      'GET /api/v1/showroom/visits/{id}': { path: visit(askedId, ''), record: askedFacts },
      // The salesperson asked for, again: refused by OVL-6's order (422) or recorded once past access.
      'POST /api/v1/showroom/visits/{id}/contact-attempts': { path: visit(askedId, '/contact-attempts'), json: { step: 'salesperson', userId: 'biz-sales-1', outcome: 'unavailable' }, record: askedFacts },
      // The first allowed caller records the sale; later ones: 409 once past access.
      'POST /api/v1/showroom/visits/{id}/sale': {
        path: visit(servedId, '/sale'),
        json: { amount: 1000, cost: 500, productKind: '茶叶礼盒', orderedOn: new Date().toISOString().slice(0, 10) },
        record: { involvedIds: ['floor-sales-1'], receivedBy: 'floor-sales-1', closedBy: 'floor-sales-1' },
      },
      'GET /api/v1/showroom/commission-rates': { path: '/api/v1/showroom/commission-rates' },
      // The rate it has: a change that changes nothing.
      'PUT /api/v1/showroom/commission-rates/{departmentId}': { path: '/api/v1/showroom/commission-rates/business', json: { rate } },
      'POST /api/v1/showroom/protected-orders': { path: '/api/v1/showroom/protected-orders', json: { customerId: regional.id, products: ['茶叶礼盒'], priceFloor: 100, until: '2099-12-31' } },
      'GET /api/v1/showroom/protected-orders': { path: '/api/v1/showroom/protected-orders' },
      'POST /api/v1/showroom/quotes': { path: '/api/v1/showroom/quotes', json: { customerId: regional.id, product: '茶叶礼盒', price: 120 } },
      'GET /api/v1/showroom/quotes': { path: '/api/v1/showroom/quotes' },
    };
  },
};

export const overlapFixture: AccessFixture = {
  area: 'overlap',
  async probes({ api, sql }) {
    const customer = await ownedCustomer(sql, '矩阵争议客户', 'business', 'biz-sales-2');
    const dispute = { parties: ['biz-sales-2', 'floor-sales-2'], reason: 'Matrix: both served it' };
    const opened = made(await api.request('marketing-director', 'POST', `/api/v1/customers/${customer.id}/adjudications`, { json: dispute }));
    const facts = { raisedBy: 'marketing-director', parties: [{ userId: 'biz-sales-2', departmentId: 'business' }, { userId: 'floor-sales-2', departmentId: 'sales-floor' }] };
    return {
      'POST /api/v1/customers/{id}/adjudications': { path: `/api/v1/customers/${customer.id}/adjudications`, json: dispute, record: { partyDepartmentIds: ['business', 'sales-floor'] } },
      'GET /api/v1/adjudications/{id}': { path: `/api/v1/adjudications/${opened.id}`, record: facts },
      // No scoring task open yet (the parties' managers sign first): 409 NO_SCORE_TASK once past access.
      'POST /api/v1/adjudications/{id}/scores': { path: `/api/v1/adjudications/${opened.id}/scores`, json: { scores: [] }, record: facts },
    };
  },
};
