-- The archive registry (ARC-1..3).

create table documents (
  id text primary key,
  reference text not null unique,
  title text not null,
  category text not null,
  secrecy text not null check (secrecy in ('none', 'secret', 'confidential', 'top_secret')),
  department_id text not null references departments (id),
  original boolean not null,
  -- null: kept permanently
  retention_years integer check (retention_years > 0),
  archived_on date not null,
  location text not null,
  status text not null default 'in_archive'
    check (status in ('in_archive', 'on_loan', 'in_reading', 'pending_destruction', 'destroyed')),
  registered_by text not null references users (id),
  created_at timestamptz not null default now(),
  -- ARC-3: originals only at Confidential and above
  check (secrecy not in ('confidential', 'top_secret') or original)
);
create index documents_listing on documents (category, secrecy, status, archived_on desc);
create index documents_department on documents (department_id);

-- A power of attorney (委托书) is archived material (ARC-1): the delegation links to it.
alter table delegations add column document_id text references documents (id);
