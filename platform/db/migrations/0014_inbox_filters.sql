-- Inbox filters and lists (issue 16.2).
-- "My tasks" sorted by due date, and the overdue filter and count.
create index tasks_open_due on tasks (due_at, id) where state = 'open';
-- "My requests": the instances a user started, the newest first.
create index process_instances_initiator on process_instances (initiator_id, started_at desc, id desc);
-- The filters by requester and by process key over the joined instances.
create index process_instances_key on process_instances (definition_key, initiator_id);
