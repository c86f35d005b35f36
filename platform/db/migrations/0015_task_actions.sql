-- Task actions (issue #16): people copied in on an instance (抄送) and its comments. Written by
-- the instance's workflow through its projections, keyed so that a retried write is stored once.

-- A watcher sees the instance (GET /api/v1/processes/{id}) and its comments, and decides nothing.
create table process_watchers (
  process_id text not null references process_instances (id),
  user_id text not null references users (id),
  added_by text not null references users (id),
  added_at timestamptz not null,
  primary key (process_id, user_id)
);
create index process_watchers_user on process_watchers (user_id);

create table process_comments (
  id text primary key,
  process_id text not null references process_instances (id),
  author_id text not null references users (id),
  text text not null check (length(text) between 1 and 4000),
  -- the users the text mentions (@user-id); each got a notice
  mentions text[] not null default '{}',
  created_at timestamptz not null
);
create index process_comments_process on process_comments (process_id, created_at, id);

-- Comments are part of the record: they are never changed or removed.
create function process_comments_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'process comments are append-only' using errcode = 'restrict_violation';
end $$;
create trigger process_comments_append_only before update or delete on process_comments
  for each row execute function process_comments_append_only();
