-- The audit trail is numbered 1, 2, 3, ... without gaps, like the destruction register (issue 17):
-- so a verifier can tell a removed row from a number never used. Until now the trigger took its
-- number from the sequence, which a rolled-back insert, or one that ON CONFLICT DO NOTHING
-- discarded, leaves used. The number is now the last row's plus one, taken under the chain's
-- lock; the hash formula is unchanged (scripts/verify-chain.ts). Numbers skipped before this
-- migration stay skipped; the verifier reports gaps only above the last number given before it,
-- which this migration records.
create table audit_log_numbering (
  -- the highest number the sequence had given when numbering became gap-free
  gap_free_after bigint not null
);
insert into audit_log_numbering (gap_free_after) select coalesce(max(seq), 0) from audit_log;
create trigger audit_log_numbering_append_only before update or delete on audit_log_numbering
  for each row execute function forbid_change();
revoke insert, update, delete, truncate on audit_log_numbering from custodian_app;

create or replace function audit_log_chain() returns trigger language plpgsql as $$
declare
  last_seq bigint;
  previous text;
begin
  -- one writer at a time extends the chain, and numbers its row under the same lock, so that
  -- number order is chain order even when transactions commit out of order
  perform pg_advisory_xact_lock(hashtext('audit_log_chain'));
  select seq, hash into last_seq, previous from audit_log order by seq desc limit 1;
  new.seq := coalesce(last_seq, 0) + 1;
  new.prev_hash := coalesce(previous, repeat('0', 64));
  new.hash := encode(sha256(convert_to(
    new.prev_hash || '|' || new.seq || '|' || to_char(new.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' ||
    coalesce(new.process_id, '') || '|' || coalesce(new.task_id, '') || '|' || new.event || '|' ||
    coalesce(new.actor_id, '') || '|' || coalesce(new.on_behalf_of, '') || '|' ||
    coalesce(new.delegation_id, '') || '|' || coalesce(new.rule_id, '') || '|' || new.detail::text || '|' ||
    new.idempotency_key, 'UTF8')), 'hex');
  return new;
end $$;
