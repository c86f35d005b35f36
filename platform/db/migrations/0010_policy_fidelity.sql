-- Where the first wave's schema decided differently from the policy's Chinese original.

-- BOR-5: 秘密级档案经审批可以借阅,但借阅时间不得超过4小时. 借阅 covers a reading session as much
-- as a loan: either lasts at most 4 hours. A loan states its length; a reading may leave it out
-- (it then ends after 4 hours, or when the archive room closes, whichever comes first).
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
  if level = 'secret' and ((new.mode = 'loan' and new.hours is null) or new.hours > 4) then
    raise exception 'BOR-5: a secret archive is borrowed, lent or read, for at most 4 hours' using errcode = 'check_violation';
  end if;
  return new;
end $$;

-- DES-2 says material is destroyed 当某些档案到了销毁期时, and the policy gives no periods. The
-- periods are the company's: a schedule per ARC-1 category that the Office Director keeps (every
-- change in the audit trail). A category without an entry is kept permanently, so nothing
-- becomes destroyable by a default nobody chose.
create table retention_periods (
  category text primary key,
  -- null: kept permanently
  retention_years integer check (retention_years > 0),
  set_by text not null references users (id),
  set_at timestamptz not null
);

-- A document's own retention, where the Archivist set one when registering it, overrides its
-- category's period: retention_years (years) or retention_permanent. Neither: the schedule.
alter table documents add column retention_permanent boolean not null default false;
-- Documents registered before this migration took their category's invented default, or were
-- permanent: keep what they were registered with.
update documents set retention_permanent = true where retention_years is null and status <> 'destroyed';
alter table documents add constraint documents_retention_one_kind check (not (retention_permanent and retention_years is not null));

-- The years a document is kept: its own, else its category's; null when kept permanently.
create or replace function document_retention_years(category text, retention_years integer, retention_permanent boolean) returns integer
  language sql stable
  as $$ select case when retention_permanent then null
                    else coalesce(retention_years, (select p.retention_years from retention_periods p where p.category = document_retention_years.category)) end $$;
