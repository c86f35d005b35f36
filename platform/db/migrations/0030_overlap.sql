-- Overlapping customers 重叠客户的界定 (OVL-1..3, OVL-7): an adjudication by the committee, the
-- evidence the system computed for each party, the Department Managers' signatures and every
-- committee member's scores. The result moves the customer (ownership history, reason adjudicated).

alter table customer_ownership_history drop constraint customer_ownership_history_reason_check;
alter table customer_ownership_history add constraint customer_ownership_history_reason_check check (reason in (
  'protection_granted', 'assigned', 'intent_order', 'released_expired', 'released_early', 'reassigned', 'transferred', 'adjudicated'));

create table adjudications (
  id text primary key,
  customer_id text not null references customers (id),
  -- claim: a claim on a customer someone else holds (OVL-1); dispute: raised by a Department
  -- Manager or the Marketing Director, e.g. a showroom sale of a Business Dept prospect (OVL-7)
  kind text not null check (kind in ('claim', 'dispute')),
  rule_id text not null,
  raised_by text not null references users (id),
  reason text not null check (length(reason) between 1 and 2000),
  process_id text not null unique,
  status text not null default 'open' check (status in ('open', 'decided')),
  opened_at timestamptz not null,
  -- the party the customer went to, and whether the GM broke a tie
  winner_key text,
  tie_broken_by text references users (id),
  decided_at timestamptz,
  check ((status = 'decided') = (winner_key is not null and decided_at is not null))
);
-- one adjudication of a customer at a time
create unique index adjudications_one_open on adjudications (customer_id) where status = 'open';

-- A party: a salesperson, or a department (a pool customer claimed from another department).
create table adjudication_parties (
  adjudication_id text not null references adjudications (id),
  party_key text not null,
  user_id text references users (id),
  department_id text not null references departments (id),
  claimant boolean not null,
  -- OVL-1: the evidence, computed by the system when the adjudication opens
  trade_amount numeric(14, 2),
  trade_orders integer,
  contacts integer,
  card_fields integer,
  suggested_score numeric(5, 2),
  evidence_at timestamptz,
  -- OVL-2: the party's Department Manager reviewed and signed
  signed_by text references users (id),
  signed_at timestamptz,
  sign_note text,
  -- OVL-2: the average of the committee's scores
  average_score numeric(5, 2),
  primary key (adjudication_id, party_key)
);

-- OVL-2/3: each committee member's score for each party, and the reason for a changed one.
create table adjudication_scores (
  adjudication_id text not null references adjudications (id),
  member_id text not null references users (id),
  party_key text not null,
  score numeric(5, 2) not null check (score between 0 and 100),
  suggested_score numeric(5, 2) not null,
  reason text,
  scored_at timestamptz not null,
  primary key (adjudication_id, member_id, party_key),
  foreign key (adjudication_id, party_key) references adjudication_parties (adjudication_id, party_key),
  check (score = suggested_score or length(reason) > 0)
);
create trigger adjudication_scores_append_only before update or delete on adjudication_scores
  for each row execute function forbid_change();
revoke update, delete, truncate on adjudication_scores from custodian_app;
