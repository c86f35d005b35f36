-- The customer archive regime (客户档案管理制度): card content in the four groups of CUS-3 with
-- every version kept (CUS-5), contacts and the same-day upkeep duty (CUS-5), the SEC-1 tiers with
-- viewing approvals (SEC-3), and a record of every view.

-- SEC-1: a company-level archive is kept by the Marketing Director; every other card is kept by
-- its department (department level) or, while someone owns or protects it, by that salesperson.
alter table customers add column company_level boolean not null default false;

create table customer_cards (
  customer_id text primary key references customers (id),
  version integer not null check (version >= 1),
  content jsonb not null,
  completeness integer not null check (completeness between 0 and 100),
  updated_by text not null references users (id),
  updated_at timestamptz not null
);

-- CUS-5: every change of a card, who made it and what changed; never changed, never deleted.
create table customer_card_versions (
  customer_id text not null references customers (id),
  version integer not null,
  content jsonb not null,
  changed_fields text[] not null,
  changed_by text not null references users (id),
  changed_at timestamptz not null,
  primary key (customer_id, version)
);
create trigger customer_card_versions_append_only before update or delete on customer_card_versions
  for each row execute function forbid_change();
create trigger customer_card_versions_no_truncate before truncate on customer_card_versions
  execute function forbid_change();

-- CUS-5 / CRM-3: contacts with a customer; the card is due the same day (Asia/Shanghai).
create table customer_contacts (
  id text primary key,
  customer_id text not null references customers (id),
  salesperson_id text not null references users (id),
  channel text not null check (channel in ('visit', 'reception', 'phone', 'sms', 'fax', 'email', 'web')),
  contacted_on date not null,
  summary text not null check (length(summary) between 1 and 4000),
  recorded_at timestamptz not null,
  -- the card version that satisfied the same-day duty, once it exists
  card_version integer,
  -- the day-end check that found it missing, and the fine it proposed
  checked_at timestamptz,
  penalty_id text references penalties (id)
);
create index customer_contacts_customer on customer_contacts (customer_id, contacted_on desc, id desc);
create index customer_contacts_unchecked on customer_contacts (contacted_on) where card_version is null and checked_at is null;

-- SEC-3: a viewing request 《查阅档案审批表》 and the access it grants, time-boxed.
create table customer_view_grants (
  id text primary key,
  customer_id text not null references customers (id),
  grantee_id text not null references users (id),
  tier text not null check (tier in ('company', 'department', 'personal')),
  reason text not null check (length(reason) between 1 and 2000),
  process_id text not null unique,
  status text not null default 'requested' check (status in ('requested', 'granted', 'refused')),
  requested_at timestamptz not null,
  valid_from timestamptz,
  valid_to timestamptz,
  check ((status = 'granted') = (valid_from is not null and valid_to is not null))
);
create index customer_view_grants_grantee on customer_view_grants (grantee_id, customer_id) where status = 'granted';

-- Every read of a customer card through the API: who, when, which customer, under which right.
create table customer_views (
  seq bigserial primary key,
  customer_id text not null references customers (id),
  viewer_id text not null references users (id),
  viewed_at timestamptz not null,
  -- owner, department, company, or approval (with the grant)
  right_kind text not null check (right_kind in ('owner', 'department', 'company', 'approval')),
  grant_id text references customer_view_grants (id)
);
create index customer_views_by_time on customer_views (viewed_at desc, seq desc);
create index customer_views_customer on customer_views (customer_id, viewed_at desc);
create trigger customer_views_append_only before update or delete on customer_views
  for each row execute function forbid_change();
