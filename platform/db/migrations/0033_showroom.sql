-- The showroom 展厅: visits with who received the customer and whom they named (OVL-5..7), the
-- contacts made for a Business Dept customer asking for their salesperson (OVL-6), the regional
-- hand-over of a gift-trade customer from outside Linyi (REG-1), the commission rate of each
-- department, and the orders a region protects with the showroom quotes that undercut them (REG-3).

-- The commission rate per department (the policy gives none: a setting the Marketing Director keeps).
create table commission_rates (
  department_id text primary key references departments (id),
  rate numeric(6, 4) not null check (rate >= 0 and rate <= 1),
  set_by text not null references users (id),
  set_at timestamptz not null
);

create table showroom_visits (
  id text primary key,
  customer_id text not null references customers (id),
  received_by text not null references users (id),
  visited_at timestamptz not null,
  -- OVL-5 / OVL-6: the salesperson the customer named or asked for
  named_salesperson_id text references users (id),
  -- OVL-5: handed over to the named salesperson, named one absent, or not handed over
  named_outcome text check (named_outcome in ('handed_over', 'absent', 'not_handed_over')),
  -- OVL-6: a Business Dept customer asked whether their salesperson is in
  asked_for_salesperson boolean not null default false,
  -- REG-1: the customer's trade, as learned at the visit, and the city it was judged on
  trade text check (length(trade) between 1 and 50),
  city text not null check (length(city) between 1 and 100),
  regional boolean not null default false,
  handover_process_id text unique,
  handover_status text check (handover_status in ('pending', 'handed_over', 'missed')),
  handed_to_department_id text references departments (id),
  handed_over_at timestamptz,
  -- the sale closed on the visit (its credits are the order's order_salespeople)
  order_id text unique references orders (id),
  attribution_rule text check (attribution_rule in ('OVL-5', 'OVL-6', 'OVL-7')),
  -- OVL-7: the ownership is disputed; the overlap area's adjudication decides it
  disputed boolean not null default false,
  note text check (length(note) between 1 and 2000),
  recorded_by text not null references users (id),
  idempotency_key text,
  unique (recorded_by, idempotency_key),
  check ((named_outcome is not null) <= (named_salesperson_id is not null)),
  check (not asked_for_salesperson or named_salesperson_id is not null),
  check (regional = (handover_status is not null) and regional = (handover_process_id is not null))
);
create index showroom_visits_by_time on showroom_visits (visited_at desc, id desc);
create index showroom_visits_received on showroom_visits (received_by, visited_at desc);
create index showroom_visits_named on showroom_visits (named_salesperson_id, visited_at desc) where named_salesperson_id is not null;

-- OVL-6: whom the showroom contacted, in order: the salesperson first, then a Business Dept colleague.
create table showroom_contact_attempts (
  visit_id text not null references showroom_visits (id),
  seq integer not null check (seq >= 1),
  step text not null check (step in ('salesperson', 'colleague')),
  user_id text not null references users (id),
  outcome text not null check (outcome in ('serves', 'unavailable')),
  at timestamptz not null,
  recorded_by text not null references users (id),
  primary key (visit_id, seq)
);
create index showroom_contact_attempts_user on showroom_contact_attempts (user_id, visit_id);

-- REG-3: an order a region protects, announced to the Showroom Manager.
create table protected_orders (
  id text primary key,
  department_id text not null references departments (id),
  customer_id text not null references customers (id),
  -- the region whose terminal customers the protection covers (the protected customer's)
  region text not null check (length(region) between 1 and 100),
  products text[] not null check (cardinality(products) between 1 and 50),
  price_floor numeric(14, 2) not null check (price_floor > 0),
  until date not null,
  note text check (length(note) between 1 and 2000),
  announced_by text not null references users (id),
  announced_at timestamptz not null
);
create index protected_orders_region on protected_orders (region, until);

-- REG-3: a price the showroom quoted; flagged when it undercuts a protected order of the region.
create table showroom_quotes (
  id text primary key,
  customer_id text references customers (id),
  customer_name text not null check (length(customer_name) between 1 and 200),
  city text not null check (length(city) between 1 and 100),
  region text not null check (length(region) between 1 and 100),
  product text not null check (length(product) between 1 and 200),
  price numeric(14, 2) not null check (price >= 0),
  quoted_by text not null references users (id),
  quoted_at timestamptz not null,
  undercut_order_id text references protected_orders (id)
);
create index showroom_quotes_by_time on showroom_quotes (quoted_at desc, id desc);
create index showroom_quotes_undercut on showroom_quotes (undercut_order_id) where undercut_order_id is not null;

-- REG-1: a customer handed to a region is recorded in the ownership history (with OVL-2's
-- adjudicated of 0030, so that the constraint holds both areas' reasons).
alter table customer_ownership_history drop constraint customer_ownership_history_reason_check;
alter table customer_ownership_history add constraint customer_ownership_history_reason_check check (reason in (
  'protection_granted', 'assigned', 'intent_order', 'released_expired', 'released_early', 'reassigned', 'transferred', 'adjudicated', 'regional_handover'));
