// The 7P customer analysis (CRM-1) as SQL: every figure is grouped, ranked and accumulated by
// PostgreSQL (window functions, grouping), never by a loop over rows. Sales are final orders (not
// intent orders, not those awaiting the REG-2 signature or cancelled) read through order_results,
// where REG-4 marks what does not count towards a region's results.
import type { Queryable } from '../../platform/db/client.ts';

export interface AnalysisQuery {
  from: string;
  to: string;
  /** Undefined: the whole company; otherwise orders, customers and protections of these departments. */
  departmentIds?: readonly string[] | undefined;
  /** CRM-1 persistency: months without an order after which a customer counts as churned. */
  churnMonths: number;
  /** Profitability: how many customers, the most profitable first. */
  limit: number;
}

export interface DimensionRow {
  dimension: string;
  value: string;
  customers: number;
  revenue: number;
}

const inDepartments = (sql: Queryable, column: string, ids: readonly string[] | undefined) => (ids === undefined ? sql`` : sql`and ${sql(column)} = any(${ids as string[]}::text[])`);

/** The final sales of the period in scope, as a CTE named `sales`. */
const salesCte = (sql: Queryable, q: AnalysisQuery) => sql`
  sales as (
    select r.* from order_results r
    where r.kind = 'order' and r.status = 'final' and r.ordered_on between ${q.from}::date and ${q.to}::date
      ${inDepartments(sql, 'r.department_id', q.departmentIds)}
  )`;

/**
 * Profiling: the customers in scope by card type (CUS-4), archive tier (SEC-1), ownership status,
 * value tier (A: the customers making the first 80% of the period's revenue, B the next 15%, C the
 * rest, none without a sale), risk (high: past credit problems recorded on the card, CUS-3; normal:
 * a credit standing recorded; unknown: neither) and preference (the product kind bought most often).
 */
export async function profiling(sql: Queryable, q: AnalysisQuery): Promise<DimensionRow[]> {
  return sql<DimensionRow[]>`
    with ${salesCte(sql, q)},
    c as (
      select c.*, coalesce(s.revenue, 0) as revenue, cc.content as card from customers c
      left join (select customer_id, sum(amount) as revenue from sales group by customer_id) s on s.customer_id = c.id
      left join customer_cards cc on cc.customer_id = c.id
      where true ${inDepartments(sql, 'c.department_id', q.departmentIds)}
    ),
    ranked as (
      select c.*, sum(revenue) over (order by revenue desc, id rows unbounded preceding) - revenue as before, sum(revenue) over () as total from c
    ),
    favourite as (
      select distinct on (customer_id) customer_id, product_kind from sales where product_kind is not null
      group by customer_id, product_kind order by customer_id, count(*) desc, product_kind
    ),
    facets as (
      select 'cardType' as dimension, card_type as value, revenue from c
      union all select 'archiveTier', case when company_level then 'company' when owner_id is null then 'department' else 'personal' end, revenue from c
      union all select 'status', status, revenue from c
      union all select 'valueTier', case when revenue = 0 then 'none' when before < 0.80 * total then 'A' when before < 0.95 * total then 'B' else 'C' end, revenue from ranked
      union all select 'risk', case when nullif(card -> 'trading' ->> 'creditHistory', '') is not null then 'high'
                                    when nullif(card -> 'trading' ->> 'credit', '') is not null then 'normal' else 'unknown' end, revenue from c
      union all select 'preference', coalesce(f.product_kind, 'none'), revenue from c left join favourite f on f.customer_id = c.id
    )
    select dimension, value, count(*)::int as customers, sum(revenue)::float8 as revenue from facets
    group by dimension, value order by dimension, value`;
}

export interface CountRow {
  dimension: string;
  value: string;
  customers: number;
}

/**
 * Persistency: of the customers who bought in the period, how many bought once or again, in how
 * many distinct months, and how many have bought nothing in the last `churnMonths` months up to
 * the period's end (churned).
 */
export async function persistency(sql: Queryable, q: AnalysisQuery): Promise<CountRow[]> {
  return sql<CountRow[]>`
    with ${salesCte(sql, q)},
    buyers as (
      select customer_id, count(*) as orders, count(distinct date_trunc('month', ordered_on::timestamp)) as months, max(ordered_on) as last from sales group by customer_id
    ),
    facets as (
      select 'buying' as dimension, case when orders = 1 then 'one_time' else 'repeat' end as value from buyers
      union all select 'monthsActive', months::text from buyers
      union all select 'churn', case when last <= (${q.to}::date - make_interval(months => ${q.churnMonths}))::date then 'churned' else 'retained' end from buyers
    )
    select dimension, value, count(*)::int as customers from facets group by dimension, value order by dimension, length(value), value`;
}

export interface CustomerProfitRow {
  rank: number;
  customerId: string;
  customerName: string;
  orders: number;
  revenue: number;
  cost: number;
  grossProfit: number;
  margin: number | null;
}

/** Profitability: gross profit and margin per customer, the most profitable first (ranked). */
export async function profitability(sql: Queryable, q: AnalysisQuery): Promise<CustomerProfitRow[]> {
  return sql<CustomerProfitRow[]>`
    with ${salesCte(sql, q)}
    select (rank() over (order by sum(s.amount - s.cost) desc))::int as rank, s.customer_id as "customerId", c.name as "customerName",
      count(*)::int as orders, sum(s.amount)::float8 as revenue, sum(s.cost)::float8 as cost, sum(s.amount - s.cost)::float8 as "grossProfit",
      round(sum(s.amount - s.cost) / nullif(sum(s.amount), 0), 4)::float8 as margin
    from sales s join customers c on c.id = s.customer_id
    group by s.customer_id, c.name
    order by sum(s.amount - s.cost) desc, s.customer_id
    limit ${q.limit}`;
}

export interface SalesRow {
  dimension: string;
  value: string;
  orders: number;
  revenue: number;
  grossProfit: number;
}

/**
 * Performance: results by product kind, channel, region, city and department. REG-4: a region's
 * terminal sale of its own region below 30% margin counts towards no result; such sales are shown
 * on their own row (dimension reg4Excluded).
 */
export async function performance(sql: Queryable, q: AnalysisQuery): Promise<SalesRow[]> {
  return sql<SalesRow[]>`
    with ${salesCte(sql, q)},
    counted as (select * from sales where counts_for_region),
    facets as (
      select 'productKind' as dimension, coalesce(product_kind, 'none') as value, amount, cost from counted
      union all select 'channel', channel, amount, cost from counted
      union all select 'region', region, amount, cost from counted
      union all select 'city', city, amount, cost from counted
      union all select 'department', department_id, amount, cost from counted
      union all select 'reg4Excluded', 'region terminal below 30%', amount, cost from sales where not counts_for_region
    )
    select dimension, value, count(*)::int as orders, sum(amount)::float8 as revenue, sum(amount - cost)::float8 as "grossProfit"
    from facets group by dimension, value order by dimension, sum(amount) desc, value`;
}

export interface ProspectingRow {
  month: string;
  newProspects: number;
  protectionsStarted: number;
  conversions: number;
  intentOrders: number;
  newBuyers: number;
  cumulativeNewBuyers: number;
}

/**
 * Prospecting, month by month: prospects entered, protections started (OVL-8), protections
 * converted by an intent order, intent orders filed, customers buying for the first time ever, and
 * the running total of those new buyers over the period.
 */
export async function prospecting(sql: Queryable, q: AnalysisQuery): Promise<ProspectingRow[]> {
  const month = (column: string) => sql`date_trunc('month', ${sql(column)} at time zone 'Asia/Shanghai')::date`;
  const inPeriod = (column: string) => sql`${sql(column)} >= (${q.from}::date)::timestamp at time zone 'Asia/Shanghai' and ${sql(column)} < (${q.to}::date + 1)::timestamp at time zone 'Asia/Shanghai'`;
  return sql<ProspectingRow[]>`
    with months as (select generate_series(date_trunc('month', ${q.from}::date::timestamp), date_trunc('month', ${q.to}::date::timestamp), interval '1 month')::date as m),
    prospects as (select ${month('c.created_at')} as m, count(*) as n from customers c where ${inPeriod('c.created_at')} ${inDepartments(sql, 'c.department_id', q.departmentIds)} group by 1),
    started as (select ${month('p.started_at')} as m, count(*) as n from protections p where ${inPeriod('p.started_at')} ${inDepartments(sql, 'p.department_id', q.departmentIds)} group by 1),
    converted as (
      select ${month('p.ended_at')} as m, count(*) as n from protections p
      where p.end_reason = 'intent_order' and ${inPeriod('p.ended_at')} ${inDepartments(sql, 'p.department_id', q.departmentIds)} group by 1
    ),
    intents as (
      select date_trunc('month', r.ordered_on::timestamp)::date as m, count(*) as n from order_results r
      where r.kind = 'intent' and r.ordered_on between ${q.from}::date and ${q.to}::date ${inDepartments(sql, 'r.department_id', q.departmentIds)} group by 1
    ),
    firsts as (
      select date_trunc('month', first::timestamp)::date as m, count(*) as n from (
        select min(r.ordered_on) as first from order_results r
        where r.kind = 'order' and r.status = 'final' ${inDepartments(sql, 'r.department_id', q.departmentIds)} group by r.customer_id
      ) f where first between ${q.from}::date and ${q.to}::date group by 1
    )
    select to_char(months.m, 'YYYY-MM') as month,
      coalesce(prospects.n, 0)::int as "newProspects", coalesce(started.n, 0)::int as "protectionsStarted", coalesce(converted.n, 0)::int as conversions,
      coalesce(intents.n, 0)::int as "intentOrders", coalesce(firsts.n, 0)::int as "newBuyers",
      (sum(coalesce(firsts.n, 0)) over (order by months.m))::int as "cumulativeNewBuyers"
    from months
      left join prospects using (m) left join started using (m) left join converted using (m) left join intents using (m) left join firsts using (m)
    order by months.m`;
}

export interface ProductRow {
  productKind: string;
  orders: number;
  customers: number;
  revenue: number;
  grossProfit: number;
  margin: number | null;
  revenueShare: number;
  topRelated: string | null;
  sharedCustomers: number;
}

/**
 * Product: each product kind's sales, margin and share of revenue, and its relatedness: the other
 * kind most often bought by the same customers, with how many customers bought both.
 */
export async function product(sql: Queryable, q: AnalysisQuery): Promise<ProductRow[]> {
  return sql<ProductRow[]>`
    with ${salesCte(sql, q)},
    kinds as (
      select product_kind, count(*) as orders, count(distinct customer_id) as customers, sum(amount) as revenue, sum(amount - cost) as profit
      from sales where product_kind is not null group by product_kind
    ),
    bought as (select array_agg(distinct product_kind) as kinds from sales where product_kind is not null group by customer_id),
    pairs as (
      select a.kind as product_kind, b.kind as related, count(*) as n from bought, unnest(kinds) a(kind), unnest(kinds) b(kind)
      where a.kind <> b.kind group by a.kind, b.kind
    ),
    top as (select distinct on (product_kind) product_kind, related, n from pairs order by product_kind, n desc, related)
    select k.product_kind as "productKind", k.orders::int, k.customers::int, k.revenue::float8, k.profit::float8 as "grossProfit",
      round(k.profit / nullif(k.revenue, 0), 4)::float8 as margin, round(k.revenue / nullif(sum(k.revenue) over (), 0), 4)::float8 as "revenueShare",
      t.related as "topRelated", coalesce(t.n, 0)::int as "sharedCustomers"
    from kinds k left join top t using (product_kind)
    order by k.revenue desc, k.product_kind`;
}

export interface PromotionRow {
  promotion: string;
  orders: number;
  customers: number;
  newCustomers: number;
  revenue: number;
  grossProfit: number;
  margin: number | null;
}

/** Promotion: what each campaign or promotion brought: orders, customers, customers it won (their first order ever), revenue and margin. */
export async function promotion(sql: Queryable, q: AnalysisQuery): Promise<PromotionRow[]> {
  return sql<PromotionRow[]>`
    with ${salesCte(sql, q)},
    firsts as (
      select distinct on (r.customer_id) r.id from order_results r
      where r.kind = 'order' and r.status = 'final' ${inDepartments(sql, 'r.department_id', q.departmentIds)}
      order by r.customer_id, r.ordered_on, r.id
    )
    select s.promotion, count(*)::int as orders, count(distinct s.customer_id)::int as customers,
      count(*) filter (where s.id in (select id from firsts))::int as "newCustomers",
      sum(s.amount)::float8 as revenue, sum(s.amount - s.cost)::float8 as "grossProfit", round(sum(s.amount - s.cost) / nullif(sum(s.amount), 0), 4)::float8 as margin
    from sales s where s.promotion is not null
    group by s.promotion order by sum(s.amount) desc, s.promotion`;
}
