-- Borrowing archives 借阅 (BOR-1..8): the requests, their states, and the incidents a bad
-- return opens. The process that runs a request is `borrow-<id>` in Temporal.

create table borrow_requests (
  id text primary key,
  process_id text not null unique generated always as ('borrow-' || id) stored,
  -- the definition chosen by domain/borrowing.ts borrowRoute
  process_key text not null,
  document_id text not null references documents (id),
  requester_id text not null references users (id),
  requester_department_id text not null references departments (id),
  mode text not null check (mode in ('loan', 'reading')),
  -- requested length; null: the default of the mode (domain/borrowing.ts borrowingSettings)
  hours double precision check (hours > 0),
  purpose text not null check (length(purpose) between 1 and 2000),
  status text not null default 'pending' check (status in (
    'pending', 'approved', 'on_loan', 'in_reading', 'overdue', 'returned', 'rejected', 'cancelled', 'unavailable')),
  -- the requester's Idempotency-Key: the same key from the same requester is the same request
  idempotency_key text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  handed_over_at timestamptz,
  handed_over_by text references users (id),
  due_at timestamptz,
  returned_at timestamptz,
  return_condition text check (return_condition in ('intact', 'damaged', 'missing_pages', 'lost')),
  return_note text,
  unique (requester_id, idempotency_key),
  check ((handed_over_at is null) = (due_at is null) and (handed_over_at is null) = (handed_over_by is null)),
  check (due_at > handed_over_at),
  -- a loan is on loan, a reading in reading; neither before it was handed over
  check (status not in ('on_loan', 'in_reading', 'overdue', 'returned') or handed_over_at is not null),
  check (status <> 'on_loan' or mode = 'loan'),
  check (status <> 'in_reading' or mode = 'reading'),
  check ((status = 'returned') = (returned_at is not null) and (returned_at is null) = (return_condition is null))
);

-- One document, one holder: a second hand-over of a document someone holds fails here, whatever
-- the timing of the two transactions.
create unique index borrow_requests_one_holder on borrow_requests (document_id)
  where status in ('on_loan', 'in_reading', 'overdue');
create index borrow_requests_requester on borrow_requests (requester_id, created_at desc, id desc);
create index borrow_requests_listing on borrow_requests (created_at desc, id desc);
create index borrow_requests_document on borrow_requests (document_id);

-- The rules of the policy itself (not the company's settings) hold whoever writes the row.
create or replace function borrow_request_policy() returns trigger language plpgsql as $$
declare
  level text;
begin
  select secrecy into level from documents where id = new.document_id;
  if level = 'top_secret' then
    raise exception 'BOR-3: top secret archives may not be accessed' using errcode = 'check_violation';
  end if;
  if level = 'confidential' and new.mode <> 'reading' then
    raise exception 'BOR-4: confidential archives are read in the archive room, never lent' using errcode = 'check_violation';
  end if;
  if level = 'secret' and new.mode = 'loan' and (new.hours is null or new.hours > 4) then
    raise exception 'BOR-5: a secret archive is lent for at most 4 hours' using errcode = 'check_violation';
  end if;
  return new;
end $$;

create trigger borrow_requests_policy before insert or update of document_id, mode, hours on borrow_requests
  for each row execute function borrow_request_policy();

-- BOR-8: a return in any condition but intact, recorded against the borrower and reported to
-- the Office Director. One per request: the return that opened it.
create table incidents (
  id text primary key,
  request_id text not null unique references borrow_requests (id),
  document_id text not null references documents (id),
  borrower_id text not null references users (id),
  condition text not null check (condition in ('damaged', 'missing_pages', 'lost')),
  note text not null,
  opened_at timestamptz not null
);
create index incidents_borrower on incidents (borrower_id, opened_at desc);
