-- Importing existing registers (issue 21.2): one row per import run, with its counts as it goes
-- (GET /api/v1/imports/{id} reports progress) and the per-row problems it found. A dry run
-- writes nothing, not even this row.
create table import_jobs (
  id text primary key,
  kind text not null check (kind in ('documents', 'customers')),
  format text not null check (format in ('csv', 'xlsx')),
  status text not null default 'running' check (status in ('running', 'completed', 'failed')),
  rows_read integer not null default 0,
  rows_imported integer not null default 0,
  -- already in the register under the same reference: left as they are (a re-import duplicates nothing)
  rows_existing integer not null default 0,
  rows_invalid integer not null default 0,
  -- the first problems found, as {row, field, problem}
  problems jsonb not null default '[]',
  error text,
  created_by text not null references users (id),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index import_jobs_created on import_jobs (created_at desc);
