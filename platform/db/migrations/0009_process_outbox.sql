-- The process outbox: what a request asked of Temporal (start a process, deliver a message to
-- one), written in the same transaction as the record it concerns, so that a record never
-- exists without its process even when Temporal is down at that moment. The API delivers each
-- row right after the commit and deletes it once Temporal has taken it; rows Temporal could not
-- take wait for the dispatcher, which retries them with backoff (api/outbox.ts).
create table process_outbox (
  id bigserial primary key,
  process_id text not null,
  kind text not null check (kind in ('start', 'message')),
  command jsonb not null,
  created_at timestamptz not null default now(),
  attempts integer not null default 0,
  -- Not before this: a failed delivery backs off.
  next_attempt_at timestamptz not null default now(),
  -- A delivery under way (claimed by one API process) until then; after it, anyone may retry it.
  claimed_until timestamptz,
  last_error text
);
create index process_outbox_due on process_outbox (next_attempt_at, id);
create index process_outbox_process on process_outbox (process_id, id);
