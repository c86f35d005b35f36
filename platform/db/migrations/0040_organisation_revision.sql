-- The organisation's revision (issue 20): one number that every change to users, their roles or
-- the departments raises, in the same transaction. The API caches the authenticated principal for
-- its token's life and keeps it only while this number is unchanged, so a deactivation, a role
-- granted or revoked, or a department renamed is seen by the very next request, in every process
-- and whichever code path (admin API, import, seed, a departure) made the change.
create table organisation_revision (
  singleton boolean primary key default true check (singleton),
  revision bigint not null
);
insert into organisation_revision (singleton, revision) values (true, 0);

create function bump_organisation_revision() returns trigger language plpgsql as $$
begin
  update organisation_revision set revision = revision + 1;
  return null;
end
$$;

create trigger users_organisation_revision after insert or update or delete or truncate on users
  for each statement execute function bump_organisation_revision();
create trigger user_roles_organisation_revision after insert or update or delete or truncate on user_roles
  for each statement execute function bump_organisation_revision();
create trigger departments_organisation_revision after insert or update or delete or truncate on departments
  for each statement execute function bump_organisation_revision();
