-- The penalties ledger (CUS-2): every fine the policy names, proposed by an area or by hand,
-- confirmed or waived by HR with a reason. A decided fine never changes and no fine is deleted.
create table penalties (
  id text primary key,
  kind text not null,
  rule_id text not null,
  amount_yuan integer not null check (amount_yuan > 0),
  dismissal boolean not null,
  person_id text not null references users (id),
  evidence text not null check (length(evidence) between 1 and 2000),
  note text,
  -- What proposed it, once: a process step, or the caller's Idempotency-Key.
  source_key text not null unique,
  state text not null default 'proposed' check (state in ('proposed', 'confirmed', 'waived')),
  proposed_by text not null,
  proposed_at timestamptz not null,
  decided_by text references users (id),
  decided_at timestamptz,
  decision_reason text,
  check ((state = 'proposed') = (decided_at is null) and (decided_at is null) = (decided_by is null)),
  check (state <> 'waived' or length(decision_reason) > 0)
);
create index penalties_by_time on penalties (proposed_at desc, id desc);
create index penalties_by_person on penalties (person_id, proposed_at desc, id desc);

create or replace function penalties_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'CUS-2: the penalties ledger keeps every fine' using errcode = 'P0001';
  end if;
  if old.state <> 'proposed' then
    raise exception 'CUS-2: a decided fine does not change' using errcode = 'P0001';
  end if;
  if (new.id, new.kind, new.rule_id, new.amount_yuan, new.dismissal, new.person_id, new.evidence, new.source_key, new.proposed_by, new.proposed_at)
     is distinct from (old.id, old.kind, old.rule_id, old.amount_yuan, old.dismissal, old.person_id, old.evidence, old.source_key, old.proposed_by, old.proposed_at) then
    raise exception 'CUS-2: only the decision of a fine is written after it is proposed' using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger penalties_guard before update or delete on penalties for each row execute function penalties_guard();
create trigger penalties_no_truncate before truncate on penalties execute function forbid_change();
