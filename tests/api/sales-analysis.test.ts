// The 7P customer analysis (CRM-1) and REG-4 through the API, on the time-skipping server with the
// real activities and PostgreSQL: every figure is computed here again from the orders the test filed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerProcesses } from '../../areas/customers/definitions.ts';
import { salesProcesses } from '../../areas/sales/definitions.ts';
import { policyDate } from '../../engine/definition/feel.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { eventually } from '../support/engine.ts';

let api: EngineApiSuite;

const call = (userId: string, path: string, headers?: Record<string, string>) => api.request(userId, 'GET', path, { headers });
const sql = () => api.engine.db.sql;

interface Filed {
  customer: string;
  orderedOn: string;
  productKind: string;
  promotion?: string;
  amount: number;
  cost: number;
}

/** The Market Dept's customers of this test: A has past credit problems on its card, B a credit standing, C no card, D starts in the pool. */
const names = { A: '临沂礼品城', B: '济南茶楼', C: '青岛文体', D: '潍坊广告' } as const;
type Name = keyof typeof names;
const ids = {} as Record<Name, string>;

/** The orders the test files for the Market Dept (channel region); the first lies before the period. */
const filed: (Filed & { customer: Name })[] = [
  { customer: 'A', orderedOn: '2024-12-31', productKind: '礼品', promotion: '春节', amount: 900, cost: 400 },
  { customer: 'A', orderedOn: '2025-01-10', productKind: '礼品', promotion: '春节', amount: 1000, cost: 500 },
  { customer: 'A', orderedOn: '2025-02-15', productKind: '茶叶', amount: 2000, cost: 1500 },
  { customer: 'A', orderedOn: '2025-03-20', productKind: '礼品', amount: 500.5, cost: 200.25 },
  { customer: 'B', orderedOn: '2025-01-05', productKind: '茶叶', promotion: '春节', amount: 3000, cost: 2500 },
  { customer: 'B', orderedOn: '2025-01-25', productKind: '茶叶', amount: 800, cost: 700 },
  { customer: 'C', orderedOn: '2025-06-01', productKind: '文具', promotion: '开业', amount: 400, cost: 100 },
  { customer: 'C', orderedOn: '2025-06-09', productKind: '礼品', promotion: '开业', amount: 600, cost: 300 },
];
const period = { from: '2025-01-01', to: '2025-09-30' };
const inPeriod = filed.filter((o) => o.orderedOn >= period.from && o.orderedOn <= period.to);
const query = `from=${period.from}&to=${period.to}&department=market`;

const fen = (yuan: number) => Math.round(yuan * 100);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const group = <T, K extends string>(items: readonly T[], key: (item: T) => K) => {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};
const revenueOf = (orders: readonly Filed[]) => sum(orders.map((o) => fen(o.amount))) / 100;
const profitOf = (orders: readonly Filed[]) => sum(orders.map((o) => fen(o.amount) - fen(o.cost))) / 100;
const marginOf = (orders: readonly Filed[]) => Math.round((10_000 * sum(orders.map((o) => fen(o.amount) - fen(o.cost)))) / sum(orders.map((o) => fen(o.amount)))) / 10_000;
const byKey = <T>(rows: T[], key: (row: T) => string) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const dimensionKey = (row: { dimension: string; value: string }) => `${row.dimension}|${row.value}`;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [...salesProcesses, ...customerProcesses] });
  for (const name of ['A', 'B', 'C', 'D'] as const) {
    ids[name] = randomUUID();
    await sql()`
      insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
      values (${ids[name]}, ${names[name]}, 'distributor', ${name === 'A' ? '临沂' : name === 'B' ? '济南' : '青岛'}, '山东', 'market',
              ${name === 'D' ? null : 'market-sales-1'}, ${name === 'D' ? 'open' : 'owned'}, 'market-manager')`;
  }
  await sql()`insert into customer_cards (customer_id, version, content, completeness, updated_by, updated_at) values
    (${ids.A}, 1, ${sql().json({ trading: { creditHistory: '2024 年拖欠货款' } })}, 3, 'market-sales-1', now()),
    (${ids.B}, 1, ${sql().json({ trading: { credit: '良好' } })}, 3, 'market-sales-1', now())`;
  for (const { customer, ...o } of filed) {
    const reply = await api.request('market-sales-1', 'POST', '/api/v1/orders', { json: { kind: 'order', channel: 'region', ...o, customerId: ids[customer] } });
    if (reply.status !== 201) throw new Error(JSON.stringify(reply.body));
  }
  // D: assigned (a protection starts), then converted by an intent order today.
  const assigned = await api.request('market-manager', 'POST', `/api/v1/customers/${ids.D}/assignments`, { json: { salespersonId: 'market-sales-1' } });
  await eventually(() => sql()<{ status: string }[]>`select status from protections where id = ${assigned.body.id}`, (rows) => rows[0]?.status === 'active');
  await api.request('market-sales-1', 'POST', '/api/v1/orders', { json: { kind: 'intent', customerId: ids.D, channel: 'region', amount: 100, cost: 0 } });
  await eventually(() => sql()<{ status: string }[]>`select status from protections where id = ${assigned.body.id}`, (rows) => rows[0]?.status === 'converted');
});

afterAll(() => api?.teardown());

describe('CRM-1: the 7P analysis', () => {
  it('CRM-1 profiling: customers by card type, archive tier, status, value tier, risk and preference', async () => {
    const reply = await call('marketing-director', `/api/v1/analysis/7p/profiling?${query}`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({ analysis: 'profiling', ruleId: 'CRM-1', period, departments: ['market'] });
    const revenue = Object.fromEntries((Object.keys(names) as Name[]).map((n) => [n, fen(revenueOf(inPeriod.filter((o) => o.customer === n)))])) as Record<Name, number>;
    const total = sum(Object.values(revenue));
    // A/B/C: the customers making the first 80% of revenue, the next 15%, the rest
    let before = 0;
    const tier = {} as Record<Name, string>;
    for (const n of (Object.keys(names) as Name[]).sort((a, b) => revenue[b] - revenue[a] || (ids[a] < ids[b] ? -1 : 1))) {
      tier[n] = revenue[n] === 0 ? 'none' : before * 100 < 80 * total ? 'A' : before * 100 < 95 * total ? 'B' : 'C';
      before += revenue[n];
    }
    const favourite = (n: Name) => {
      const counts = [...group(inPeriod.filter((o) => o.customer === n), (o) => o.productKind)].map(([kind, os]) => [kind, os.length] as const);
      return counts.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? 'none';
    };
    const facets: Record<string, (n: Name) => string> = {
      cardType: () => 'distributor',
      archiveTier: () => 'personal',
      status: () => 'owned',
      valueTier: (n) => tier[n],
      risk: (n) => (n === 'A' ? 'high' : n === 'B' ? 'normal' : 'unknown'),
      preference: favourite,
    };
    const expected = Object.entries(facets).flatMap(([dimension, of]) =>
      [...group(Object.keys(names) as Name[], of)].map(([value, members]) => ({ dimension, value, customers: members.length, revenue: sum(members.map((n) => revenue[n])) / 100 })),
    );
    expect(byKey(reply.body.rows, dimensionKey)).toEqual(byKey(expected, dimensionKey));
  });

  it('CRM-1 persistency: repeat buying, months active and churn over the period', async () => {
    const reply = await call('marketing-director', `/api/v1/analysis/7p/persistency?${query}`);
    const churnedBefore = '2025-03-30'; // six months before the period's end
    const buyers = [...group(inPeriod, (o) => o.customer)].map(([, os]) => ({
      buying: os.length === 1 ? 'one_time' : 'repeat',
      monthsActive: String(new Set(os.map((o) => o.orderedOn.slice(0, 7))).size),
      churn: os.map((o) => o.orderedOn).sort().at(-1)! <= churnedBefore ? 'churned' : 'retained',
    }));
    const expected = (['buying', 'monthsActive', 'churn'] as const).flatMap((dimension) => [...group(buyers, (b) => b[dimension])].map(([value, bs]) => ({ dimension, value, customers: bs.length })));
    expect(byKey(reply.body.rows, dimensionKey)).toEqual(byKey(expected, dimensionKey));
  });

  it('CRM-1 profitability: gross profit and margin per customer, ranked', async () => {
    const reply = await call('gm', `/api/v1/analysis/7p/profitability?${query}`);
    const expected = [...group(inPeriod, (o) => o.customer)]
      .map(([n, os]) => ({ customerId: ids[n], customerName: names[n], orders: os.length, revenue: revenueOf(os), cost: sum(os.map((o) => fen(o.cost))) / 100, grossProfit: profitOf(os), margin: marginOf(os) }))
      .sort((a, b) => b.grossProfit - a.grossProfit || (a.customerId < b.customerId ? -1 : 1))
      // ties share a rank (B and C make 600 each)
      .map((row, _index, rows) => ({ rank: 1 + rows.filter((other) => other.grossProfit > row.grossProfit).length, ...row }));
    expect(reply.body.rows).toEqual(expected);
    const top = await call('gm', `/api/v1/analysis/7p/profitability?${query}&limit=1`);
    expect(top.body.rows).toEqual(expected.slice(0, 1));
  });

  it('CRM-1 performance: sales by product kind, channel, region, city and department', async () => {
    const reply = await call('market-manager', `/api/v1/analysis/7p/performance?from=${period.from}&to=${period.to}`);
    expect(reply.body.departments).toEqual(['market']);
    const city = (o: Filed & { customer: Name }) => (o.customer === 'A' ? '临沂' : o.customer === 'B' ? '济南' : '青岛');
    const facets: Record<string, (o: Filed & { customer: Name }) => string> = {
      productKind: (o) => o.productKind,
      channel: () => 'region',
      region: () => '山东',
      city,
      department: () => 'market',
    };
    const expected = Object.entries(facets).flatMap(([dimension, of]) =>
      [...group(inPeriod, of)].map(([value, os]) => ({ dimension, value, orders: os.length, revenue: revenueOf(os), grossProfit: profitOf(os) })),
    );
    expect(byKey(reply.body.rows, dimensionKey)).toEqual(byKey(expected, dimensionKey));
  });

  it('CRM-1 prospecting: prospects, protections, conversions, intent orders and new buyers by month, with the running total', async () => {
    const today = policyDate(Date.now());
    const reply = await call('marketing-director', `/api/v1/analysis/7p/prospecting?from=2025-01-01&to=${today}&department=market`);
    const months: string[] = [];
    for (let m = new Date(Date.UTC(2025, 0, 1)); m.toISOString().slice(0, 7) <= today.slice(0, 7); m.setUTCMonth(m.getUTCMonth() + 1)) months.push(m.toISOString().slice(0, 7));
    const firstOrders = [...group(filed, (o) => o.customer)].map(([, os]) => os.map((o) => o.orderedOn).sort()[0]!.slice(0, 7));
    let cumulative = 0;
    const expected = months.map((month) => {
      const now = month === today.slice(0, 7);
      const newBuyers = firstOrders.filter((first) => first === month).length;
      cumulative += newBuyers;
      return { month, newProspects: now ? 4 : 0, protectionsStarted: now ? 1 : 0, conversions: now ? 1 : 0, intentOrders: now ? 1 : 0, newBuyers, cumulativeNewBuyers: cumulative };
    });
    expect(reply.body.rows).toEqual(expected);
  });

  it('CRM-1 product: sales, margin, revenue share and the kind most bought with each', async () => {
    const reply = await call('marketing-director', `/api/v1/analysis/7p/product?${query}`);
    const total = fen(revenueOf(inPeriod));
    const kindsOf = (n: string) => new Set(inPeriod.filter((o) => o.customer === n).map((o) => o.productKind));
    const expected = [...group(inPeriod, (o) => o.productKind)].map(([kind, os]) => {
      const buyers = new Set(os.map((o) => o.customer));
      const related = [...group([...buyers].flatMap((n) => [...kindsOf(n)].filter((k) => k !== kind)), (k) => k)].map(([k, list]) => [k, list.length] as const);
      const top = related.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
      return {
        productKind: kind,
        orders: os.length,
        customers: buyers.size,
        revenue: revenueOf(os),
        grossProfit: profitOf(os),
        margin: marginOf(os),
        revenueShare: Math.round((10_000 * fen(revenueOf(os))) / total) / 10_000,
        topRelated: top?.[0] ?? null,
        sharedCustomers: top?.[1] ?? 0,
      };
    });
    expect(byKey(reply.body.rows as { productKind: string }[], (r) => r.productKind)).toEqual(byKey(expected, (r) => r.productKind));
  });

  it('CRM-1 promotion: what each promotion brought, with the customers it won', async () => {
    const reply = await call('marketing-director', `/api/v1/analysis/7p/promotion?${query}`);
    const firsts = new Set([...group(filed, (o) => o.customer)].map(([, os]) => [...os].sort((a, b) => (a.orderedOn < b.orderedOn ? -1 : 1))[0]));
    const expected = [...group(inPeriod.filter((o) => o.promotion), (o) => o.promotion!)].map(([promotion, os]) => ({
      promotion,
      orders: os.length,
      customers: new Set(os.map((o) => o.customer)).size,
      newCustomers: os.filter((o) => firsts.has(o)).length,
      revenue: revenueOf(os),
      grossProfit: profitOf(os),
      margin: marginOf(os),
    }));
    expect(byKey(reply.body.rows as { promotion: string }[], (r) => r.promotion)).toEqual(byKey(expected, (r) => r.promotion));
  });

  it('CRM-1 CSV: the same rows, by ?format=csv or Accept: text/csv', async () => {
    const json = (await call('marketing-director', `/api/v1/analysis/7p/performance?${query}`)).body.rows as { dimension: string; value: string; orders: number; revenue: number }[];
    for (const reply of [await call('marketing-director', `/api/v1/analysis/7p/performance?${query}&format=csv`), await call('marketing-director', `/api/v1/analysis/7p/performance?${query}`, { accept: 'text/csv' })]) {
      expect(reply.status).toBe(200);
      expect(reply.type).toContain('text/csv');
      const lines = reply.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      expect(lines[0]).toBe('dimension,value,orders,revenue,grossProfit');
      expect(lines).toHaveLength(json.length + 1);
      const channel = json.find((row) => row.dimension === 'channel')!;
      expect(lines).toContain(`channel,region,${channel.orders},${channel.revenue},${(channel as unknown as { grossProfit: number }).grossProfit}`);
    }
  });

  it('CRM-1 only the Marketing Director, the GM, Deputy GMs and Department Managers read it, managers their own department', async () => {
    expect((await call('market-sales-1', `/api/v1/analysis/7p/profiling?${query}`)).body).toMatchObject({ status: 403, code: 'NOT_AN_ANALYSIS_READER', ruleId: 'CRM-1' });
    expect((await call('biz-manager', `/api/v1/analysis/7p/profiling?${query}`)).body).toMatchObject({ status: 403, code: 'DEPARTMENT_NOT_IN_SCOPE' });
    const own = await call('market-manager', `/api/v1/analysis/7p/profitability?from=${period.from}&to=${period.to}`);
    expect(own.body.rows).toEqual((await call('marketing-director', `/api/v1/analysis/7p/profitability?${query}`)).body.rows);
    const deputy = await call('dgm-sales', `/api/v1/analysis/7p/performance?from=${period.from}&to=${period.to}`);
    expect(deputy.body.departments).toEqual(expect.arrayContaining(['business', 'market', 'sales-floor']));
    expect((await call('dgm-sales', `/api/v1/analysis/7p/performance?${query}`)).status).toBe(200);
    expect((await call('marketing-director', '/api/v1/analysis/7p/profiling?from=2025-02-01&to=2025-01-01')).status).toBe(400);
    expect((await call('marketing-director', '/api/v1/analysis/7p/profiling?from=2025-02-30')).status).toBe(400);
  });
});

describe('REG-4: a region\'s own terminal sales below 30%', () => {
  it("REG-4 a region's terminal sale in its own region below 30% margin is excluded from the region's performance", async () => {
    const terminal = async () => {
      const id = randomUUID();
      await sql()`
        insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
        values (${id}, ${`终端 ${id.slice(0, 6)}`}, 'terminal', '南京', '江苏', 'expansion', 'expansion-sales-1', 'owned', 'expansion-manager')`;
      return id;
    };
    const [own, other] = [await terminal(), await terminal()];
    const orders = [
      { customerId: own, amount: 1000, cost: 800 }, // its own region, 20%: excluded
      { customerId: own, amount: 1000, cost: 700 }, // 30%: counts
      { customerId: own, amount: 1000, cost: 650 }, // 35%: counts
      { customerId: other, amount: 1000, cost: 800, region: '安徽', city: '合肥' }, // not its own region: counts
    ];
    for (const o of orders) {
      const reply = await api.request('expansion-sales-1', 'POST', '/api/v1/orders', { json: { kind: 'order', channel: 'region', orderedOn: '2025-05-05', productKind: '礼品', ...o } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    }
    const rows = (await call('expansion-manager', '/api/v1/analysis/7p/performance?from=2025-01-01&to=2025-12-31')).body.rows as { dimension: string; value: string; orders: number; revenue: number }[];
    const find = (dimension: string, value: string) => rows.find((row) => row.dimension === dimension && row.value === value);
    expect(find('region', '江苏')).toMatchObject({ orders: 2, revenue: 2000, grossProfit: 650 });
    expect(find('region', '安徽')).toMatchObject({ orders: 1, revenue: 1000 });
    expect(find('department', 'expansion')).toMatchObject({ orders: 3, revenue: 3000 });
    expect(find('reg4Excluded', 'region terminal below 30%')).toMatchObject({ orders: 1, revenue: 1000, grossProfit: 200 });
  });
});
