-- Customer archives (CUS-1, CUS-4) and their ownership: protections 保护期 with monthly progress
-- reports (OVL-8), the ownership history, co-development agreements (OVL-8) and departures (SEC-5).

create table customers (
  id text primary key,
  name text not null check (length(name) between 1 and 200),
  -- CUS-4: 经销商客户档案卡 / 终端客户档案卡
  card_type text not null check (card_type in ('distributor', 'terminal')),
  city text not null,
  region text not null,
  -- the department whose customer archive keeps the card (CUS-2); it stays when the customer goes to the pool
  department_id text not null references departments (id),
  owner_id text references users (id),
  status text not null check (status in ('open', 'protected', 'owned')),
  created_by text not null references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- OVL-8: a customer in the open pool 公海 is nobody's; a protected or owned one is someone's
  check ((status = 'open') = (owner_id is null))
);
create index customers_by_name on customers (name, id);
create index customers_owner on customers (owner_id, name, id) where owner_id is not null;
create index customers_department on customers (department_id, name, id);
create index customers_pool on customers (name, id) where status = 'open';

create table protections (
  id text primary key,
  customer_id text not null references customers (id),
  -- the salesperson the customer is protected for; changes when the Department Manager reassigns it (SEC-5)
  protector_id text not null references users (id),
  department_id text not null references departments (id),
  kind text not null check (kind in ('request', 'assignment')),
  -- the applicant, or the Department Manager who assigned the customer
  requested_by text not null references users (id),
  reason text,
  status text not null default 'requested'
    check (status in ('requested', 'active', 'declined', 'converted', 'released')),
  process_id text not null unique,
  started_at timestamptz,
  -- the end of each protection month; the last is the release day
  month_ends timestamptz[],
  ended_at timestamptz,
  end_reason text check (end_reason in ('declined', 'intent_order', 'expired', 'released_early')),
  intent_order_reference text,
  created_at timestamptz not null default now(),
  check ((started_at is null) = (month_ends is null)),
  check (status in ('requested', 'declined') or started_at is not null),
  check ((status in ('requested', 'active')) = (ended_at is null)),
  check ((status in ('requested', 'active')) = (end_reason is null)),
  check ((status = 'converted') = (intent_order_reference is not null))
);
-- OVL-8: one pending request or running protection per customer at a time
create unique index protections_one_per_customer on protections (customer_id) where status in ('requested', 'active');
create index protections_protector on protections (protector_id) where status = 'active';

-- OVL-8: every progress report is kept; the protection's process needs only the first of each month
create table protection_reports (
  id text primary key,
  protection_id text not null references protections (id),
  month integer not null check (month between 1 and 12),
  author_id text not null references users (id),
  summary text not null check (length(summary) between 1 and 4000),
  -- whether it was the report that satisfied its month in the process
  forwarded boolean not null,
  filed_at timestamptz not null default now()
);
create index protection_reports_protection on protection_reports (protection_id, filed_at, id);
create trigger protection_reports_append_only before update or delete on protection_reports
  for each row execute function forbid_change();

-- Every change of a customer's owner or ownership status, with its reason, actor and time.
create table customer_ownership_history (
  seq bigserial primary key,
  customer_id text not null references customers (id),
  from_owner_id text references users (id),
  to_owner_id text references users (id),
  -- the customer's status after the change
  status text not null check (status in ('open', 'protected', 'owned')),
  reason text not null check (reason in (
    'protection_granted', 'assigned', 'intent_order', 'released_expired', 'released_early', 'reassigned', 'transferred')),
  rule_id text not null,
  -- null: the process itself (a protection expiring)
  actor_id text references users (id),
  protection_id text references protections (id),
  at timestamptz not null,
  -- workflow id + step, or the API request: a retried write is stored once
  key text not null unique
);
create index customer_ownership_history_customer on customer_ownership_history (customer_id, seq);
create index customer_ownership_history_released on customer_ownership_history (customer_id, from_owner_id, at)
  where reason in ('released_expired', 'released_early');
create trigger customer_ownership_history_append_only before update or delete on customer_ownership_history
  for each row execute function forbid_change();
create trigger customer_ownership_history_no_truncate before truncate on customer_ownership_history
  for each statement execute function forbid_change();

-- OVL-8: another salesperson asks the owner to work the customer together, offering a commission share.
create table co_development_requests (
  id text primary key,
  customer_id text not null references customers (id),
  requester_id text not null references users (id),
  owner_id text not null references users (id),
  -- the co-developer's share of the commission, in percent
  share_percent integer not null check (share_percent between 1 and 99),
  status text not null default 'pending' check (status in ('pending', 'accepted', 'declined')),
  process_id text not null unique,
  created_at timestamptz not null default now(),
  decided_at timestamptz,
  check (requester_id <> owner_id),
  check ((status = 'pending') = (decided_at is null))
);
create unique index co_development_requests_pending on co_development_requests (customer_id, requester_id) where status = 'pending';

-- The agreed commission shares, kept on the customer.
create table customer_co_developers (
  customer_id text not null references customers (id),
  co_developer_id text not null references users (id),
  -- the owner who agreed
  owner_id text not null references users (id),
  share_percent integer not null check (share_percent between 1 and 99),
  request_id text not null unique references co_development_requests (id),
  agreed_at timestamptz not null,
  primary key (customer_id, co_developer_id, owner_id)
);

-- SEC-5: a salesperson leaving. Their account stays active until the Department Manager has
-- reassigned every customer; then users.active is cleared and users.left_at set.
create table user_departures (
  id text primary key,
  user_id text not null references users (id),
  department_id text not null references departments (id),
  reported_by text not null references users (id),
  note text,
  status text not null default 'reassigning' check (status in ('reassigning', 'completed')),
  process_id text not null unique,
  reported_at timestamptz not null default now(),
  completed_at timestamptz,
  check (user_id <> reported_by),
  check ((status = 'completed') = (completed_at is not null))
);
create unique index user_departures_open on user_departures (user_id) where status = 'reassigning';
