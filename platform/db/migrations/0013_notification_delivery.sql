-- Notifications that reach people (issue 16.3): each user's channels, and one delivery row per
-- notice and channel, written by the delivery workflow (workflows/notifications.ts) after the
-- notice is committed, never in the transaction that writes it.

create table notification_preferences (
  user_id text not null references users (id),
  channel text not null check (channel in ('email', 'dingtalk', 'feishu')),
  -- An e-mail address, or the robot's webhook URL.
  address text not null,
  enabled boolean not null default true,
  -- true: this channel gets one digest a day instead of each notice.
  digest boolean not null default false,
  -- The digest has covered notices created up to here.
  digest_sent_until timestamptz,
  updated_at timestamptz not null default now(),
  primary key (user_id, channel)
);
create index notification_preferences_digest on notification_preferences (user_id) where digest and enabled;

-- When the delivery workflow took the notice up (made its delivery rows). Notices written before
-- delivery existed count as taken up: nobody is sent last year's reminders.
alter table notifications add column dispatched_at timestamptz;
update notifications set dispatched_at = created_at;
create index notifications_undispatched on notifications (created_at, key) where dispatched_at is null;
-- GET /api/v1/me/notifications pages by (created_at, key), newest first.
create index notifications_user_page on notifications (user_id, created_at desc, key desc);
drop index notifications_user;

create table notification_deliveries (
  notification_key text not null references notifications (key),
  channel text not null check (channel in ('email', 'dingtalk', 'feishu')),
  address text not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (notification_key, channel)
);
create index notification_deliveries_pending on notification_deliveries (created_at) where status = 'pending';
