-- SEC-4: deleting or destroying customer archive data goes through the Marketing Director's
-- approval. A request names who asks, what (the card, the contact records, or both) and why; its
-- process (customers.archive-deletion) carries it out only once approved.
create table customer_archive_deletions (
  id text primary key,
  customer_id text not null references customers (id),
  scope text not null check (scope in ('card', 'contacts', 'all')),
  reason text not null check (length(reason) between 1 and 2000),
  requested_by text not null references users (id),
  requested_at timestamptz not null,
  process_id text not null unique,
  status text not null default 'requested' check (status in ('requested', 'approved', 'refused')),
  decided_by text references users (id),
  decided_at timestamptz,
  check ((status = 'requested') = (decided_at is null))
);
create index customer_archive_deletions_customer on customer_archive_deletions (customer_id, requested_at desc);

-- A contact record deleted by an approved request: out of use (not listed, not checked), kept as
-- evidence of the CUS-5 checks and fines that cite it. The card's versions stay as 0024 keeps them.
alter table customer_contacts add column deleted_by text references customer_archive_deletions (id);
