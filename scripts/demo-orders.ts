// A demo year of orders (issue 15): a few thousand sales and intent orders over the twelve months
// up to a day, across the demo organisation's sales departments, their customers, channels,
// regions, product kinds and promotions, with some showroom sales below REG-2's 40% (signed, a few
// refused) and some regional terminal sales below REG-4's 30%. Generated the same way every time
// (a fixed seed) and written through the sales and customers areas' SQL helpers, so the 7P
// analysis (CRM-1) has something to read. `npm run seed:orders`; the bench's 7P scenario.
import { Temporal } from 'temporal-polyfill';
import type { Sql } from '../platform/db/client.ts';
import { insertCustomer } from '../areas/customers/index.ts';
import { insertOrder, needsMarginSignature, type OrderChannel, type OrderCredit } from '../areas/sales/index.ts';
import { decideSignature } from '../areas/sales/sql.ts';
import { pick, sequence } from './demo-registers.ts';

export const DEMO_ORDERS = 3_000;
/** Customers created when the database holds fewer than this (the demo customer list has 100). */
export const DEMO_ORDER_CUSTOMERS = 160;
const SEED = 20_260_315;
const KEY_PREFIX = 'seed-orders-';

interface SalesDepartment {
  id: string;
  channel: OrderChannel;
  salespeople: readonly string[];
  cardType: 'terminal' | 'distributor';
  places: readonly (readonly [region: string, city: string])[];
  /** Typical margin and its spread (uniform around it). */
  margin: readonly [centre: number, spread: number];
}

const linyi = [['山东', '临沂']] as const;
const departments: readonly SalesDepartment[] = [
  { id: 'business', channel: 'business', salespeople: ['biz-sales-1', 'biz-sales-2'], cardType: 'terminal', places: [...linyi, ['山东', '兰陵']], margin: [0.38, 0.12] },
  { id: 'sales-floor', channel: 'showroom', salespeople: ['floor-sales-1', 'floor-sales-2'], cardType: 'terminal', places: linyi, margin: [0.46, 0.1] },
  { id: 'market', channel: 'region', salespeople: ['market-sales-1'], cardType: 'distributor', places: [['山东', '济南'], ['山东', '青岛'], ['山东', '潍坊'], ['山东', '日照']], margin: [0.32, 0.08] },
  { id: 'expansion', channel: 'region', salespeople: ['expansion-sales-1'], cardType: 'distributor', places: [['江苏', '徐州'], ['江苏', '南京'], ['河南', '郑州'], ['安徽', '合肥']], margin: [0.3, 0.08] },
];
const productKinds = ['礼品', '茶叶', '文具', '体育用品', '黄金饰品', '工艺品', '书籍'] as const;
const promotions = ['春节', '中秋', '开业庆典', '教师节'] as const;
const trades = ['礼品店', '茶楼', '文体用品', '广告公司', '礼仪策划', '金店', '书店', '商贸'] as const;

/** Months of the gift trade's seasons (Spring Festival, Mid-Autumn) weigh more. */
const monthWeight = (month: number) => (month === 1 || month === 2 || month === 9 ? 3 : month === 12 || month === 8 ? 2 : 1);

export interface SeededOrders {
  customersCreated: number;
  orders: number;
  lowMarginShowroom: number;
  alreadySeeded: boolean;
}

/**
 * Writes the demo year ending on `until` (YYYY-MM-DD) into `sql`, once: a database that already
 * holds it is left as it is. Customers of the sales departments are created in the open pool first
 * when there are too few.
 */
export async function seedDemoOrders(sql: Sql, options: { until: string; orders?: number }): Promise<SeededOrders> {
  const [seeded] = await sql<{ n: number }[]>`select count(*)::int as n from orders where idempotency_key like ${`${KEY_PREFIX}%`}`;
  if (seeded!.n > 0) return { customersCreated: 0, orders: seeded!.n, lowMarginShowroom: 0, alreadySeeded: true };
  const next = sequence(SEED);
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  };

  // The customers each department keeps (CUS-4), created when the database has too few.
  const customersOf = async () =>
    sql<{ id: string; departmentId: string; cardType: string; region: string; city: string }[]>`
      select id, department_id as "departmentId", card_type as "cardType", region, city from customers
      where department_id in ${sql(departments.map((d) => d.id))} order by id`;
  let customers = await customersOf();
  let customersCreated = 0;
  if (customers.length < DEMO_ORDER_CUSTOMERS) {
    await sql.begin(async (tx) => {
      for (let i = customers.length; i < DEMO_ORDER_CUSTOMERS; i += 1) {
        const department = departments[i % departments.length]!;
        const [region, city] = pick(next, department.places);
        await insertCustomer(tx, { id: uuid(), name: `${city}${pick(next, trades)}${String(i + 1).padStart(3, '0')}`, cardType: department.cardType, city, region, departmentId: department.id, createdBy: department.salespeople[0]! });
        customersCreated += 1;
      }
    });
    customers = await customersOf();
  }
  const terminals = customers.filter((c) => c.cardType === 'terminal');

  // Days of the year, each as often as its month weighs.
  const end = Temporal.PlainDate.from(options.until);
  const days: string[] = [];
  for (let day = end.subtract({ years: 1 }).add({ days: 1 }); Temporal.PlainDate.compare(day, end) <= 0; day = day.add({ days: 1 })) {
    for (let w = 0; w < monthWeight(day.month); w += 1) days.push(day.toString());
  }

  const total = options.orders ?? DEMO_ORDERS;
  let lowMarginShowroom = 0;
  for (let start = 0; start < total; start += 250) {
    await sql.begin(async (tx) => {
      for (let n = start; n < Math.min(total, start + 250); n += 1) {
        const department = pick(next, departments);
        // A region also serves terminal customers of its own region (REG-4), now and then.
        const regional = department.channel === 'region' && next() < 0.15 && terminals.length > 0;
        const own = customers.filter((c) => c.departmentId === department.id);
        const customer = regional ? pick(next, terminals) : pick(next, own.length > 0 ? own : customers);
        const salesperson = pick(next, department.salespeople);
        const amount = Math.round(200 + 30_000 * next() ** 3) + (next() < 0.5 ? 0.5 : 0);
        const margin = department.margin[0] + (next() - 0.5) * 2 * department.margin[1];
        const cost = Math.max(0, Math.round(amount * (1 - margin) * 100) / 100);
        // OVL-6: a showroom sale to a Business Dept customer now and then, split 5:5 on the Business Dept's rate.
        const credits: OrderCredit[] =
          department.channel === 'showroom' && next() < 0.1
            ? [{ userId: salesperson, share: 0.5, rateDepartmentId: 'business' }, { userId: pick(next, ['biz-sales-1', 'biz-sales-2']), share: 0.5, rateDepartmentId: 'business' }]
            : [{ userId: salesperson, share: 1, rateDepartmentId: department.id }];
        const kind = next() < 0.05 ? 'intent' : 'order';
        const filing = { kind, channel: department.channel, amount: amount.toFixed(2), cost: cost.toFixed(2) } as const;
        const awaiting = needsMarginSignature(filing);
        const orderedOn = pick(next, days);
        const id = uuid();
        await insertOrder(tx, {
          id,
          kind,
          customerId: customer.id,
          channel: department.channel,
          departmentId: department.id,
          region: customer.region,
          city: customer.city,
          productKind: pick(next, productKinds),
          promotion: next() < 0.35 ? pick(next, promotions) : null,
          amount: filing.amount,
          cost: filing.cost,
          orderedOn,
          status: awaiting ? 'awaiting_signature' : 'final',
          createdBy: salesperson,
          credits,
          idempotencyKey: `${KEY_PREFIX}${n}`,
        });
        // REG-2: last year's low-margin showroom sales were signed (a few refused) in their day.
        if (awaiting) {
          const at = new Date(`${orderedOn}T10:00:00+08:00`);
          await decideSignature(tx, { orderId: id, signed: next() < 0.9, decidedBy: next() < 0.8 ? 'floor-manager' : 'gm', at });
          lowMarginShowroom += 1;
        }
      }
    });
  }
  return { customersCreated, orders: total, lowMarginShowroom, alreadySeeded: false };
}
