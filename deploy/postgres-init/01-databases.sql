-- Databases and roles for docker-compose.yml. The postgres image runs this once, as the superuser,
-- when its volume is first initialised (/docker-entrypoint-initdb.d); later changes here need a
-- fresh volume or the same statements run by hand.
--
--   custodian            records and projections: owned by role custodian, which applies the
--                        migrations (the migrate job); the API and workers connect as
--                        custodian_app, which 0011_database_roles.sql grants what they may do
--   temporal             Temporal's history, timers and task queues          (role temporal)
--   temporal_visibility  Temporal's visibility store (search attributes)     (role temporal)
--
-- Each role owns only its databases, so neither side can touch the other's tables. The
-- temporal-schema job (deploy/temporal/setup-schema.sh) creates Temporal's schemas (including the
-- trusted btree_gin extension) as the owner; it does not create the databases, since its role may not.
--
-- The passwords come from the postgres service's environment through psql's \getenv, so no
-- secret is written in this file.

\set ON_ERROR_STOP on

\getenv custodian_password CUSTODIAN_DB_PASSWORD
\getenv custodian_app_password CUSTODIAN_APP_DB_PASSWORD
\getenv temporal_password TEMPORAL_DB_PASSWORD

\if :{?custodian_password}
\else
  \echo 'CUSTODIAN_DB_PASSWORD is not set in the postgres service environment'
  select 1 / 0 as custodian_db_password_missing;
\endif
\if :{?custodian_app_password}
\else
  \echo 'CUSTODIAN_APP_DB_PASSWORD is not set in the postgres service environment'
  select 1 / 0 as custodian_app_db_password_missing;
\endif
\if :{?temporal_password}
\else
  \echo 'TEMPORAL_DB_PASSWORD is not set in the postgres service environment'
  select 1 / 0 as temporal_db_password_missing;
\endif

create role custodian login password :'custodian_password';
create database custodian owner custodian;
-- The application role: no ownership, no CREATE; its table privileges come from the migrations.
create role custodian_app login password :'custodian_app_password';

create role temporal login password :'temporal_password';
create database temporal owner temporal;
create database temporal_visibility owner temporal;

-- Nobody but the owner, the superuser and (to custodian) the application role may connect.
revoke connect, temporary on database custodian from public;
revoke connect, temporary on database temporal from public;
revoke connect, temporary on database temporal_visibility from public;
grant connect on database custodian to custodian_app;
