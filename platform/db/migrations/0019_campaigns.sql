-- Archiving campaigns (CYC-1/2), urgent hand-overs (CYC-3) and the register of confidential
-- originals departments still hold (ARC-3). areas/campaigns/ owns these tables.

-- CYC-1: a campaign, opened by its Schedule (quarterly or annual) or through the API
-- (extraordinary, e.g. after a reorganisation). process_id is the campaign process that runs it.
create table campaigns (
  id text primary key,
  process_id text not null unique,
  kind text not null check (kind in ('quarterly', 'annual', 'extraordinary')),
  -- 2026-Q1, 2025, or the reason given for an extraordinary campaign
  period text not null,
  opened_by text not null,
  opened_at timestamptz not null,
  due_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'closed')),
  closed_at timestamptz,
  idempotency_key text,
  unique (opened_by, idempotency_key)
);
create index campaigns_listing on campaigns (opened_at desc, id desc);

-- A department's hand-over list (移交清单): one per department of a campaign (CYC-2), or one
-- filed by a Department Manager at any time (CYC-3, campaign_id null).
create table hand_overs (
  id text primary key,
  campaign_id text references campaigns (id),
  department_id text not null references departments (id),
  -- the process that collects and checks it; known once it runs (a campaign's child process)
  process_id text unique,
  due_at timestamptz,
  status text not null default 'pending' check (status in ('pending', 'submitted', 'checked')),
  submitted_by text,
  submitted_at timestamptz,
  checked_by text,
  checked_at timestamptz,
  -- why the Archivist's last check could not be registered (the check task is open again)
  check_problem text,
  -- ARC-3: the department's outstanding originals when the hand-over opened
  held_originals jsonb not null default '[]',
  created_by text not null,
  created_at timestamptz not null,
  idempotency_key text,
  unique (campaign_id, department_id),
  unique (created_by, idempotency_key)
);
create index hand_overs_department on hand_overs (department_id, created_at desc);

-- One item of a list, numbered from 1, and the Archivist's verdict on it.
create table hand_over_items (
  hand_over_id text not null references hand_overs (id),
  item integer not null check (item > 0),
  title text not null,
  category text not null,
  secrecy text not null check (secrecy in ('none', 'secret', 'confidential', 'top_secret')),
  original boolean not null,
  quantity integer not null check (quantity > 0),
  unit text not null check (unit in ('pages', 'pieces')),
  -- CYC-4: proposed by the department, set by the Archivist when the item is accepted
  volume text,
  held_original_id text,
  verdict text check (verdict in ('accepted', 'returned')),
  reason text,
  document_id text references documents (id),
  primary key (hand_over_id, item),
  check (verdict is distinct from 'returned' or reason is not null),
  check ((verdict = 'accepted') = (document_id is not null))
);

-- ARC-3: an original at Confidential or above that a department is known to hold, listed in
-- every campaign for the department until a hand-over deposits it.
create table held_originals (
  id text primary key,
  department_id text not null references departments (id),
  title text not null,
  secrecy text not null check (secrecy in ('confidential', 'top_secret')),
  note text,
  registered_by text not null references users (id),
  registered_at timestamptz not null,
  document_id text references documents (id),
  hand_over_id text references hand_overs (id),
  deposited_at timestamptz,
  idempotency_key text,
  unique (registered_by, idempotency_key),
  check ((document_id is null) = (deposited_at is null))
);
create index held_originals_listing on held_originals (registered_at desc, id desc);
create index held_originals_outstanding on held_originals (department_id) where document_id is null;
