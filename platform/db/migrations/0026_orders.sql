-- The trade record the overlap, showroom and regional rules stand on (OVL-1, OVL-5..7, REG-2,
-- REG-4) and the 7P analysis reads (CRM-1): intent orders 意向单 and orders, each with its
-- customer, the salespeople credited and their commission shares, channel, place, amount and cost.

create table orders (
  id text primary key,
  -- intent 意向单 (OVL-8: ends a protection successfully) or order (a sale)
  kind text not null check (kind in ('intent', 'order')),
  customer_id text not null references customers (id),
  -- where the sale was made: the showroom 展厅, the Business Dept 业务部, or a region (the Market
  -- Dept or the Out-of-Province Expansion Dept, REG-1..4)
  channel text not null check (channel in ('showroom', 'business', 'region')),
  -- the department whose results the order counts towards
  department_id text not null references departments (id),
  region text not null check (length(region) between 1 and 100),
  city text not null check (length(city) between 1 and 100),
  product_kind text check (length(product_kind) between 1 and 100),
  promotion text check (length(promotion) between 1 and 200),
  amount numeric(14, 2) not null check (amount >= 0),
  cost numeric(14, 2) not null check (cost >= 0),
  -- (amount - cost) / amount; null for an order of amount 0
  margin numeric generated always as (case when amount > 0 then round((amount - cost) / amount, 4) end) stored,
  ordered_on date not null,
  -- REG-2: a showroom order below the margin floor waits for the Showroom Manager's or GM's
  -- signature before it is final; cancelled orders count for nothing
  status text not null default 'final' check (status in ('final', 'awaiting_signature', 'cancelled')),
  signed_by text references users (id),
  signed_at timestamptz,
  created_by text not null references users (id),
  created_at timestamptz not null default now(),
  -- the request's Idempotency-Key, per creator: a retried filing is stored once
  idempotency_key text,
  unique (created_by, idempotency_key)
);
create index orders_customer on orders (customer_id, ordered_on desc, id);
create index orders_date on orders (ordered_on, id);
create index orders_department on orders (department_id, ordered_on);

-- The salespeople an order credits and each one's commission share (OVL-5..7: 5:5 splits). The
-- shares of an order add up to 1; `rate_department_id` is the department whose commission rate
-- applies (OVL-6, OVL-7: the Business Dept's rate, halved).
create table order_salespeople (
  order_id text not null references orders (id),
  user_id text not null references users (id),
  share numeric(5, 4) not null check (share > 0 and share <= 1),
  rate_department_id text not null references departments (id),
  primary key (order_id, user_id)
);
create index order_salespeople_user on order_salespeople (user_id, order_id);

-- REG-4: a region's terminal sale of its own region below 30% margin does not count towards the
-- region's results. Every reader of results (the 7P performance analysis) goes through this view.
create view order_results as
  select o.*,
    not (o.channel = 'region' and c.card_type = 'terminal' and c.region = o.region and coalesce(o.margin, 0) < 0.30)
      as counts_for_region
  from orders o join customers c on c.id = o.customer_id
  where o.status <> 'cancelled';
