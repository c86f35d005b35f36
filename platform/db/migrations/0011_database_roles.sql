-- Two roles (issue 17). The migrations run as the owner role, which owns every table; the API and
-- the workers connect as the application role custodian_app, which owns nothing. Only a table's
-- owner (or a superuser) may ALTER it, DISABLE its triggers or DROP it, so the application role
-- cannot switch off the triggers that keep the registers append-only; and it is not granted
-- UPDATE, DELETE or TRUNCATE on them, so PostgreSQL refuses those before any trigger runs.
--
-- The role is made here only when the deployment has not made it (deploy/postgres-init creates it
-- as a login role with a password; the test set-up and `npm run migrate` against a fresh server
-- find it too). Local mode's embedded PGlite has one connection and one role, the superuser: the
-- grants below are made there as well, and harmless (docs/deployment.md, "Database roles").
do $$
begin
  if not exists (select from pg_roles where rolname = 'custodian_app') then
    create role custodian_app nologin;
  end if;
end $$;

grant usage on schema public to custodian_app;
grant select, insert, update, delete on all tables in schema public to custodian_app;
grant usage, select on all sequences in schema public to custodian_app;
-- Tables and sequences later migrations create get the same (as the role that runs them).
alter default privileges in schema public grant select, insert, update, delete on tables to custodian_app;
alter default privileges in schema public grant usage, select on sequences to custodian_app;

-- Append-only: the audit trail, the destruction register and the decisions (DES-4), and the other
-- tables whose triggers already forbid changes. INSERT and SELECT only.
revoke update, delete, truncate on audit_log, destruction_register, destruction_decisions, protection_reports, customer_ownership_history
  from custodian_app;
-- The services read which migrations were applied (to refuse to run on an older schema); only the
-- owner records them.
revoke insert, update, delete, truncate on schema_migrations from custodian_app;
