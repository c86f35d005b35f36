-- Retention, holds, supervised destruction and the permanent destruction register (DES-1..5).
-- The rules that must hold whoever writes the rows live here, not only in the code: a document
-- becomes `destroyed` only through an entry of the register (DES-1), and the register can be
-- neither changed nor deleted (DES-4).

-- DES-2: the destruction date is the end of the retention period, archived_on + retention_years;
-- null when the document is kept permanently. The one formula every query uses.
create or replace function retention_ends_on(archived_on date, retention_years integer) returns date
  language sql immutable parallel safe
  as $$ select (archived_on + make_interval(years => retention_years))::date $$;

-- Holds (legal or audit holds, as in DoD 5015.2): a held document cannot enter destruction, and
-- one held while a destruction request runs is withdrawn from it before execution. A hold is a
-- record: it is released, never deleted or rewritten.
create table document_holds (
  id text primary key,
  document_id text not null references documents (id),
  reason text not null check (length(reason) between 1 and 2000),
  placed_by text not null references users (id),
  placed_at timestamptz not null default now(),
  released_by text references users (id),
  released_at timestamptz,
  check ((released_at is null) = (released_by is null)),
  check (released_at is null or released_at >= placed_at)
);
create index document_holds_active on document_holds (document_id) where released_at is null;

create or replace function document_holds_release_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'document_holds keeps every hold: DELETE refused' using errcode = 'insufficient_privilege';
  end if;
  if old.released_at is not null
     or (new.id, new.document_id, new.reason, new.placed_by, new.placed_at)
        is distinct from (old.id, old.document_id, old.reason, old.placed_by, old.placed_at) then
    raise exception 'hold %: only its release may be recorded, once', old.id using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create trigger document_holds_release_only before update or delete on document_holds
  for each row execute function document_holds_release_only();

-- The destruction approval form 《公司档案资料销毁审批表》 filled in by the Archivist (DES-2), as
-- it moves through review, approval, verification and execution. Its process is
-- `destruction-<id>` in Temporal.
create table destruction_requests (
  id text primary key,
  process_id text not null unique generated always as ('destruction-' || id) stored,
  requested_by text not null references users (id),
  reason text not null check (length(reason) between 1 and 2000),
  -- DES-3: the highest secrecy level among the items; anything above 'none' needs the GM
  secrecy text not null check (secrecy in ('none', 'secret', 'confidential', 'top_secret')),
  -- DES-5: the policy setting in force when the request was made (domain/destruction.ts)
  supervisors_required integer not null check (supervisors_required between 1 and 3),
  status text not null default 'in_review' check (status in ('in_review', 'approved', 'verifying', 'verified', 'destroyed', 'rejected')),
  -- DES-5: whom the final approver designated to supervise, and who that approver was
  supervisor_ids text[],
  designated_by text references users (id),
  designated_on_behalf_of text references users (id),
  -- the Archivist's Idempotency-Key: the same key from the same Archivist is the same request
  idempotency_key text,
  created_at timestamptz not null default now(),
  closed_at timestamptz,
  unique (requested_by, idempotency_key),
  check ((status in ('destroyed', 'rejected')) = (closed_at is not null)),
  check (status not in ('approved', 'verifying', 'verified', 'destroyed')
         or (coalesce(cardinality(supervisor_ids), 0) >= supervisors_required and designated_by is not null))
);
create index destruction_requests_listing on destruction_requests (created_at desc, id desc);

-- The material on the form, as it stood when requested, and what became of each item.
create table destruction_request_items (
  request_id text not null references destruction_requests (id),
  document_id text not null references documents (id),
  position integer not null check (position >= 0),
  reference text not null,
  title text not null,
  category text not null,
  secrecy text not null check (secrecy in ('none', 'secret', 'confidential', 'top_secret')),
  retention_ends_on date not null,
  state text not null default 'pending' check (state in ('pending', 'withdrawn', 'destroyed', 'returned')),
  -- the hold that withdrew it
  hold_id text references document_holds (id),
  primary key (request_id, document_id),
  unique (request_id, position),
  check ((state = 'withdrawn') = (hold_id is not null))
);
-- A document is in at most one destruction request at a time.
create unique index destruction_items_one_open_request on destruction_request_items (document_id) where state = 'pending';

-- Every decision taken on a request (reviews, approvals with the principal a delegate acted
-- for, the Archivist's item check), written once per workflow step and never changed: the
-- register entry is built from these.
create table destruction_decisions (
  key text primary key,
  -- the order in which they were recorded
  seq bigint generated always as identity unique,
  request_id text not null references destruction_requests (id),
  step text not null check (step in ('office_review', 'gm_approval', 'designation', 'verification')),
  outcome text not null,
  decided_by text not null references users (id),
  on_behalf_of text references users (id),
  comment text,
  detail jsonb not null default '{}',
  at timestamptz not null
);
create index destruction_decisions_request on destruction_decisions (request_id, seq);

create trigger destruction_decisions_append_only before update or delete on destruction_decisions
  for each row execute function forbid_change();
create trigger destruction_decisions_no_truncate before truncate on destruction_decisions
  for each statement execute function forbid_change();

-- DES-4: the destruction register, filed and kept permanently: the approved form, the items
-- (destroyed, or withdrawn under a hold), the approvers with the principal a delegate acted for,
-- the supervisors, the method, place and time. Append-only, each row chained to the previous by
-- sha-256 (scripts/verify-chain.ts recomputes the chain with the same formula).
create table destruction_register (
  -- numbered by the chain trigger, under its lock: 1, 2, 3, ... in the order of the chain
  seq bigint primary key,
  request_id text not null unique references destruction_requests (id),
  process_id text not null,
  requested_by text not null,
  reason text not null,
  approval_form jsonb not null,
  approvers jsonb not null,
  items jsonb not null,
  supervisors jsonb not null,
  method text not null,
  place text not null,
  executed_at timestamptz not null,
  registered_at timestamptz not null,
  prev_hash text not null,
  hash text not null
);

create or replace function destruction_register_chain() returns trigger language plpgsql as $$
declare
  last_seq bigint;
  previous text;
begin
  -- One writer at a time extends the chain, and the row's number is taken under the same lock,
  -- so the order of the numbers is the order of the chain.
  perform pg_advisory_xact_lock(hashtext('destruction_register_chain'));
  select seq, hash into last_seq, previous from destruction_register order by seq desc limit 1;
  new.seq := coalesce(last_seq, 0) + 1;
  new.prev_hash := coalesce(previous, repeat('0', 64));
  new.hash := encode(sha256(convert_to(
    new.prev_hash || '|' || new.seq || '|' || new.request_id || '|' || new.process_id || '|' ||
    new.requested_by || '|' || new.reason || '|' || new.approval_form::text || '|' || new.approvers::text || '|' ||
    new.items::text || '|' || new.supervisors::text || '|' || new.method || '|' || new.place || '|' ||
    to_char(new.executed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' ||
    to_char(new.registered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'UTF8')), 'hex');
  return new;
end $$;

create trigger destruction_register_chain before insert on destruction_register
  for each row execute function destruction_register_chain();
create trigger destruction_register_append_only before update or delete on destruction_register
  for each row execute function forbid_change();
create trigger destruction_register_no_truncate before truncate on destruction_register
  for each statement execute function forbid_change();

-- DES-1: no one destroys archive material without approval. A document becomes `destroyed` only
-- inside the destruction service's transaction, which names its request in the transaction-local
-- setting custodian.destruction_request, and only once the register holds that request's entry
-- listing the document as destroyed. A plain UPDATE ... SET status = 'destroyed' fails, and so
-- does the setting alone. A destroyed document's row is permanent; a document pending
-- destruction is not lent (it leaves that state only back to the archive or destroyed), and it
-- enters or leaves that state together with an open item of a destruction request.
create or replace function documents_destruction_guard() returns trigger language plpgsql as $$
declare
  request text := nullif(current_setting('custodian.destruction_request', true), '');
  open_item boolean;
begin
  if tg_op = 'INSERT' then
    if new.status in ('pending_destruction', 'destroyed') then
      raise exception 'DES-1: document % cannot be registered as %', new.id, new.status using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;
  if tg_op = 'DELETE' then
    if old.status in ('pending_destruction', 'destroyed') then
      raise exception 'DES-4: document % is % and its record is kept', old.id, old.status using errcode = 'insufficient_privilege';
    end if;
    return old;
  end if;
  if old.status = 'destroyed' then
    raise exception 'DES-4: document % was destroyed; its record is permanent', old.id using errcode = 'insufficient_privilege';
  end if;
  if new.status is not distinct from old.status then
    return new;
  end if;
  select exists (select 1 from destruction_request_items i where i.document_id = new.id and i.state = 'pending') into open_item;
  if new.status = 'destroyed' then
    if old.status <> 'pending_destruction' or request is null or not exists (
      select 1 from destruction_register r
      where r.request_id = request
        and r.items @> jsonb_build_array(jsonb_build_object('documentId', new.id, 'outcome', 'destroyed'))) then
      raise exception 'DES-1: document % may be destroyed only by an approved destruction request entered in the destruction register', new.id
        using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;
  if new.status = 'pending_destruction' and not open_item then
    raise exception 'DES-2: document % is pending destruction only while a destruction request lists it', new.id using errcode = 'check_violation';
  end if;
  if old.status = 'pending_destruction' and (new.status <> 'in_archive' or open_item) then
    raise exception 'document % is pending destruction: it returns to the archive only when its request lets it go', new.id
      using errcode = 'check_violation';
  end if;
  return new;
end $$;

create trigger documents_destruction_guard before insert or update or delete on documents
  for each row execute function documents_destruction_guard();
