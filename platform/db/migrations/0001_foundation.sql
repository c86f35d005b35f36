-- Organisation, process projections, the task inbox and the audit trail.
-- Temporal owns process state; these tables are records and projections people query.

create table departments (
  id text primary key,
  name text not null,
  name_zh text not null
);

create table users (
  id text primary key,
  display_name text not null,
  display_name_zh text not null,
  department_id text not null references departments (id),
  active boolean not null default true,
  left_at timestamptz,
  created_at timestamptz not null default now()
);

-- A role may be held in general (GM, Archivist: no department) or for a department
-- (Department Manager of Finance). Uniqueness is by two partial indexes, since a primary key
-- cannot include the nullable department.
create table user_roles (
  user_id text not null references users (id),
  role text not null check (role in (
    'gm', 'deputy_gm', 'director', 'office_director', 'archivist', 'department_manager',
    'marketing_director', 'marketing_vp', 'salesperson', 'showroom_manager', 'hr', 'staff')),
  department_id text references departments (id),
  -- a Department Manager manages a named department
  check (role <> 'department_manager' or department_id is not null)
);
create unique index user_roles_general on user_roles (user_id, role) where department_id is null;
create unique index user_roles_departmental on user_roles (user_id, role, department_id) where department_id is not null;
create index user_roles_role on user_roles (role, department_id);

-- The Deputy GM in charge (分管) of a department.
create table department_oversight (
  department_id text primary key references departments (id),
  deputy_gm_id text not null references users (id)
);
create index department_oversight_deputy on department_oversight (deputy_gm_id);

-- Published process definitions: immutable per key@version.
create table process_definitions (
  key text not null,
  version integer not null check (version > 0),
  checksum text not null,
  definition jsonb not null,
  published_at timestamptz not null default now(),
  primary key (key, version)
);

create or replace function forbid_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger process_definitions_immutable before update or delete on process_definitions
  for each row execute function forbid_change();

-- A projection of each running or finished instance, for lists and look-ups.
create table process_instances (
  id text primary key,
  definition_key text not null,
  definition_version integer not null,
  business_key text,
  initiator_id text not null,
  status text not null,
  started_at timestamptz not null,
  ended_at timestamptz,
  updated_at timestamptz not null default now(),
  foreign key (definition_key, definition_version) references process_definitions (key, version)
);
create index process_instances_business_key on process_instances (definition_key, business_key);

-- The task inbox: written by activities when a task opens, changes or closes.
create table tasks (
  id text primary key,
  process_id text not null references process_instances (id),
  node_id text not null,
  name text not null,
  name_zh text not null,
  state text not null check (state in ('open', 'completed', 'cancelled')),
  candidate_ids text[] not null,
  -- delegate user id -> delegation id, for approvers acting under a power of attorney
  delegate_ids text[] not null default '{}',
  outcomes text[] not null,
  due_at timestamptz,
  outcome text,
  decided_by text,
  on_behalf_of text,
  delegation_id text,
  comment text,
  data jsonb,
  -- the workflow's own counter of changes to this task: an older write never overwrites a newer
  revision integer not null default 0,
  created_at timestamptz not null,
  completed_at timestamptz
);
create index tasks_open_candidates on tasks using gin (candidate_ids) where state = 'open';
create index tasks_open_delegates on tasks using gin (delegate_ids) where state = 'open';
create index tasks_decided_by on tasks (decided_by, completed_at desc);
create index tasks_process on tasks (process_id);

-- The audit trail: append-only, every row chained to the previous by sha-256.
create table audit_log (
  seq bigserial primary key,
  at timestamptz not null,
  process_id text,
  task_id text,
  event text not null,
  actor_id text,
  on_behalf_of text,
  delegation_id text,
  rule_id text,
  detail jsonb not null default '{}',
  -- workflow id + step: a retried activity writes the same row once
  idempotency_key text not null unique,
  prev_hash text not null,
  hash text not null
);
create index audit_log_process on audit_log (process_id, seq);

create or replace function audit_log_chain() returns trigger language plpgsql as $$
declare
  previous text;
begin
  -- one writer at a time extends the chain, and numbers its row under the same lock, so that
  -- number order is chain order even when transactions commit out of order
  perform pg_advisory_xact_lock(hashtext('audit_log_chain'));
  new.seq := nextval(pg_get_serial_sequence('audit_log', 'seq'));
  select hash into previous from audit_log order by seq desc limit 1;
  new.prev_hash := coalesce(previous, repeat('0', 64));
  new.hash := encode(sha256(convert_to(
    new.prev_hash || '|' || new.seq || '|' || to_char(new.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' ||
    coalesce(new.process_id, '') || '|' || coalesce(new.task_id, '') || '|' || new.event || '|' ||
    coalesce(new.actor_id, '') || '|' || coalesce(new.on_behalf_of, '') || '|' ||
    coalesce(new.delegation_id, '') || '|' || coalesce(new.rule_id, '') || '|' || new.detail::text || '|' ||
    new.idempotency_key, 'UTF8')), 'hex');
  return new;
end $$;

create trigger audit_log_chain before insert on audit_log
  for each row execute function audit_log_chain();
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function forbid_change();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function forbid_change();
