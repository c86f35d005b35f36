-- Notices to people (reminders, escalations) and powers of attorney (委托书, BOR-7).

create table notifications (
  key text primary key,
  user_id text not null references users (id),
  process_id text,
  task_id text,
  kind text not null,
  text text not null,
  created_at timestamptz not null,
  read_at timestamptz
);
create index notifications_user on notifications (user_id, created_at desc);

create table delegations (
  id text primary key,
  principal_id text not null references users (id),
  delegate_id text not null references users (id),
  valid_from timestamptz not null,
  valid_to timestamptz not null,
  -- null: every process
  process_keys text[],
  max_secrecy text not null check (max_secrecy in ('none', 'secret', 'confidential', 'top_secret')),
  reason text not null,
  revoked_at timestamptz,
  revoked_by text references users (id),
  created_at timestamptz not null default now(),
  check (valid_from < valid_to),
  check (principal_id <> delegate_id)
);
create index delegations_principal on delegations (principal_id, valid_to);
