-- Powers of attorney 委托书 (BOR-7): what the API and the delegation process need on top of 0002/0003.

-- Every delegation is registered as an archive document (ARC-1) in the same transaction.
alter table delegations alter column document_id set not null;
-- BOR-3: Top Secret archives are never accessed, so no power of attorney reaches them.
alter table delegations add constraint delegations_max_secrecy_below_top_secret check (max_secrecy <> 'top_secret');
-- "null: every process"; an empty list would be a power of attorney for nothing.
alter table delegations add constraint delegations_process_keys_not_empty check (process_keys is null or cardinality(process_keys) > 0);
alter table delegations add constraint delegations_revocation_complete check ((revoked_at is null) = (revoked_by is null));

-- Idempotency-Key of the creating request: the same key from the same principal is the same delegation.
alter table delegations add column idempotency_key text;
alter table delegations add constraint delegations_idempotency_key unique (principal_id, idempotency_key);

create index delegations_delegate on delegations (delegate_id, valid_to);

-- Numbers the references of powers of attorney (POA-<year>-<number>).
create sequence power_of_attorney_numbers;

-- BOR-7: two live powers of attorney of one principal may not cover the same process at the same
-- moment, or a decision could be made under either. Live = not revoked; same moment = the
-- [valid_from, valid_to) ranges overlap; same process = either covers every process (null) or
-- their process key lists share a key.
-- An exclusion constraint cannot say this: its operators must be GiST-indexable, and text[] &&
-- is GIN-only (GIN cannot back an exclusion constraint), and "null means every key" is no
-- operator at all. The time part alone would also need btree_gist for principal_id =, which the
-- embedded PGlite of local mode does not ship. So a trigger checks it, serialised per principal
-- by a transaction-scoped advisory lock: a second insert for the same principal waits until the
-- first commits, and the trigger's query (a fresh snapshot per statement in a volatile
-- function, under READ COMMITTED) then sees the first row.
create or replace function delegations_no_overlap() returns trigger language plpgsql as $$
declare
  clash text;
begin
  if new.revoked_at is not null then
    return new;
  end if;
  perform pg_advisory_xact_lock(hashtext('delegations:' || new.principal_id));
  select d.id into clash
  from delegations d
  where d.principal_id = new.principal_id
    and d.id <> new.id
    and d.revoked_at is null
    and tstzrange(d.valid_from, d.valid_to) && tstzrange(new.valid_from, new.valid_to)
    and (d.process_keys is null or new.process_keys is null or d.process_keys && new.process_keys)
  limit 1;
  if clash is not null then
    raise exception 'delegation % overlaps delegation % of principal % in time and scope', new.id, clash, new.principal_id
      using errcode = 'exclusion_violation', constraint = 'delegations_no_overlap', table = 'delegations', detail = clash;
  end if;
  return new;
end $$;

create trigger delegations_no_overlap before insert or update of principal_id, valid_from, valid_to, process_keys, revoked_at
  on delegations for each row execute function delegations_no_overlap();

-- The running instances a delegation was announced to (activities/delegation.ts), so that its
-- end is announced to each of them even if none has a task open for the principal by then: an
-- instance remembers announced delegations for tasks it opens later.
create table delegation_announcements (
  delegation_id text not null references delegations (id) on delete cascade,
  process_id text not null,
  announced_at timestamptz not null,
  primary key (delegation_id, process_id)
);
