// The demo year of orders (`npm run seed:orders`, the bench's 7P scenario) on a real PostgreSQL:
// written once, and holding what the rules and the 7P analysis
// need to show (low-margin showroom sales signed or refused, regional terminal sales below 30%).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoOrders, DEMO_ORDERS, DEMO_ORDER_CUSTOMERS } from '../../scripts/demo-orders.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ max: 1 });
  await loadDemoOrganisation(db.sql);
}, 60_000);

afterAll(() => db?.drop());

describe('the demo year of orders', () => {
  it('writes a year of orders over the sales departments, once: run again it writes nothing', async () => {
    const first = await seedDemoOrders(db.sql, { until: '2026-06-30' });
    expect(first).toMatchObject({ alreadySeeded: false, orders: DEMO_ORDERS, customersCreated: DEMO_ORDER_CUSTOMERS });
    const again = await seedDemoOrders(db.sql, { until: '2026-06-30' });
    expect(again).toMatchObject({ alreadySeeded: true, orders: DEMO_ORDERS, customersCreated: 0 });
    const [span] = await db.sql<{ first: string; last: string; n: number; months: number }[]>`
      select min(ordered_on)::text as first, max(ordered_on)::text as last, count(*)::int as n, count(distinct date_trunc('month', ordered_on::timestamp))::int as months from orders`;
    expect(span).toEqual({ first: '2025-07-01', last: '2026-06-30', n: DEMO_ORDERS, months: 12 });
    const channels = await db.sql<{ channel: string; department_id: string }[]>`select distinct channel, department_id from orders order by 1, 2`;
    expect(channels).toEqual([
      { channel: 'business', department_id: 'business' },
      { channel: 'region', department_id: 'expansion' },
      { channel: 'region', department_id: 'market' },
      { channel: 'showroom', department_id: 'sales-floor' },
    ]);
    // every order's credits add up to 1
    expect(await db.sql`select order_id from order_salespeople group by order_id having sum(share) <> 1`).toEqual([]);
  });

  it('REG-2 REG-4 the year holds low-margin showroom sales, each signed or refused, and regional terminal sales that do not count', async () => {
    const [showroom] = await db.sql<{ signed: number; refused: number; waiting: number; unsigned: number }[]>`
      select count(*) filter (where status = 'final' and signed_by is not null)::int as signed, count(*) filter (where status = 'cancelled')::int as refused,
             count(*) filter (where status = 'awaiting_signature')::int as waiting,
             count(*) filter (where status = 'final' and signed_by is null)::int as unsigned
      from orders where channel = 'showroom' and kind = 'order' and margin < 0.4`;
    expect(showroom!.signed).toBeGreaterThan(0);
    expect(showroom!.refused).toBeGreaterThan(0);
    expect(showroom!.waiting + showroom!.unsigned).toBe(0);
    const [excluded] = await db.sql<{ n: number }[]>`select count(*)::int as n from order_results where not counts_for_region`;
    expect(excluded!.n).toBeGreaterThan(0);
  });
});
