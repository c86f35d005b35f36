-- Organisation administration (issue 21): a change to roles, a department's manager or a Deputy
-- GM's charge reaches the open tasks it concerns through the process outbox, as a
-- `candidates` command (the instance finds its open tasks' candidates again). The change itself
-- is audited in audit_log with no process (process_id null), naming who made it.
alter table process_outbox drop constraint process_outbox_kind_check;
alter table process_outbox add constraint process_outbox_kind_check check (kind in ('start', 'message', 'candidates'));

