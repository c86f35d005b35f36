-- The application role (0011) may only add to and read the records later migrations made
-- append-only: card versions (CUS-5), the record of views (CUS-2), process comments (#16). A fine
-- is decided once (CUS-2: its decision is an UPDATE the trigger allows once) and never deleted.
revoke update, delete, truncate on customer_card_versions, customer_views, process_comments from custodian_app;
revoke delete, truncate on penalties from custodian_app;
