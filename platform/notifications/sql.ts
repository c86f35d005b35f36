// The SQL of notifications that reach people (issue 16.3): each user's channels, the notices a
// user has been sent with how each was delivered, and the delivery workflow's bookkeeping.
import type { DeliveryStatus, Notice, NotificationChannel } from './channels.ts';
import type { Sql } from '../db/client.ts';
import { keysetPage } from '../db/pages.ts';
import type { NoticeLanguage } from './texts.ts';

export interface NotificationPreference {
  channel: NotificationChannel;
  address: string;
  enabled: boolean;
  digest: boolean;
}

export async function preferencesOf(sql: Sql, userId: string): Promise<NotificationPreference[]> {
  return [...(await sql<NotificationPreference[]>`
    select channel, address, enabled, digest from notification_preferences where user_id = ${userId} order by channel`)];
}

/**
 * Replaces a user's channels with `preferences` (one per channel). A channel that stays on its
 * digest keeps how far its digest got, so changing an address does not resend a day's notices.
 */
export async function replacePreferences(sql: Sql, userId: string, preferences: NotificationPreference[], at: Date): Promise<void> {
  const channels = preferences.map((p) => p.channel);
  await sql.begin(async (tx) => {
    await tx`delete from notification_preferences where user_id = ${userId} and not (channel = any(${channels}::text[]))`;
    for (const p of preferences) {
      await tx`
        insert into notification_preferences (user_id, channel, address, enabled, digest, digest_sent_until, updated_at)
        values (${userId}, ${p.channel}, ${p.address}, ${p.enabled}, ${p.digest}, ${p.digest ? at : null}, ${at})
        on conflict (user_id, channel) do update set
          address = excluded.address, enabled = excluded.enabled, digest = excluded.digest, updated_at = excluded.updated_at,
          digest_sent_until = case when notification_preferences.digest and excluded.digest then notification_preferences.digest_sent_until else excluded.digest_sent_until end`;
    }
  });
}

export interface Delivery {
  channel: NotificationChannel;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

export interface NoticeWithDeliveries extends Notice {
  readAt: Date | null;
  deliveries: Delivery[];
}

/** Where a page of notices ended; the time as PostgreSQL printed it, so microseconds survive. */
export interface NoticeCursor {
  at: string;
  key: string;
}

interface NoticeRow {
  key: string;
  user_id: string;
  process_id: string | null;
  task_id: string | null;
  kind: string;
  text: string;
  params: unknown;
  language: NoticeLanguage | null;
  created_at: Date;
  read_at: Date | null;
  sort_at: string;
  deliveries: { channel: NotificationChannel; status: DeliveryStatus; attempts: number; last_error: string | null; delivered_at: string | null }[];
}

const toNotice = (row: Omit<NoticeRow, 'read_at' | 'sort_at' | 'deliveries'>): Notice => ({
  key: row.key,
  userId: row.user_id,
  processId: row.process_id,
  taskId: row.task_id,
  kind: row.kind,
  text: row.text,
  params: row.params,
  language: row.language,
  createdAt: row.created_at,
});

/** A user's notices, newest first, each with its deliveries (notifications_user_page). */
export async function noticesOf(sql: Sql, userId: string, query: { limit: number; cursor?: NoticeCursor }): Promise<{ notices: NoticeWithDeliveries[]; nextCursor: NoticeCursor | null }> {
  const after = query.cursor;
  const rows = await sql<NoticeRow[]>`
    select n.key, n.user_id, n.process_id, n.task_id, n.kind, n.text, n.params, (select u.language from users u where u.id = n.user_id) as language, n.created_at, n.read_at, n.created_at::text as sort_at,
      coalesce((select json_agg(json_build_object('channel', d.channel, 'status', d.status, 'attempts', d.attempts,
                  'last_error', d.last_error, 'delivered_at', d.delivered_at) order by d.channel)
                from notification_deliveries d where d.notification_key = n.key), '[]'::json) as deliveries
    from notifications n
    where n.user_id = ${userId}
      ${after ? sql`and (n.created_at, n.key) < (${after.at}::timestamptz, ${after.key})` : sql``}
    order by n.created_at desc, n.key desc
    limit ${query.limit + 1}`;
  const { page, nextCursor } = keysetPage(rows, query.limit, (last) => ({ at: last.sort_at, key: last.key }));
  return {
    notices: page.map((row) => ({
      ...toNotice(row),
      readAt: row.read_at,
      deliveries: row.deliveries.map((d) => ({
        channel: d.channel,
        status: d.status,
        attempts: d.attempts,
        lastError: d.last_error,
        deliveredAt: d.delivered_at === null ? null : new Date(d.delivered_at),
      })),
    })),
    nextCursor,
  };
}

/**
 * Takes up to `limit` notices not yet taken up: marks them and makes a pending delivery for each
 * channel their user has on (digest channels wait for the digest). One statement, so a notice is
 * taken up once however many deliverers run; the notice's own transaction is long committed.
 */
export async function dispatchNotices(sql: Sql, limit: number, at: Date): Promise<Notice[]> {
  const rows = await sql<Omit<NoticeRow, 'read_at' | 'sort_at' | 'deliveries'>[]>`
    with taken as (
      select key from notifications where dispatched_at is null order by created_at, key limit ${limit} for update skip locked
    ), marked as (
      update notifications n set dispatched_at = ${at} from taken where n.key = taken.key
      returning n.key, n.user_id, n.process_id, n.task_id, n.kind, n.text, n.params, (select u.language from users u where u.id = n.user_id) as language, n.created_at
    ), deliveries as (
      insert into notification_deliveries (notification_key, channel, address, created_at, updated_at)
      select m.key, p.channel, p.address, ${at}, ${at}
      from marked m join notification_preferences p on p.user_id = m.user_id and p.enabled and not p.digest
      on conflict do nothing
    )
    select * from marked order by created_at, key`;
  return rows.map(toNotice);
}

export interface DeliveryRef {
  notificationKey: string;
  channel: NotificationChannel;
}

export async function pendingDeliveries(sql: Sql, limit: number): Promise<DeliveryRef[]> {
  return [...(await sql<DeliveryRef[]>`
    select notification_key as "notificationKey", channel from notification_deliveries
    where status = 'pending' order by created_at, notification_key, channel limit ${limit}`)];
}

/** A delivery with its notice, to send; undefined when there is no such delivery. */
export async function deliveryToSend(sql: Sql, ref: DeliveryRef): Promise<{ status: DeliveryStatus; address: string; notice: Notice } | undefined> {
  const [row] = await sql<(Omit<NoticeRow, 'read_at' | 'sort_at' | 'deliveries'> & { status: DeliveryStatus; address: string })[]>`
    select d.status, d.address, n.key, n.user_id, n.process_id, n.task_id, n.kind, n.text, n.params, (select u.language from users u where u.id = n.user_id) as language, n.created_at
    from notification_deliveries d join notifications n on n.key = d.notification_key
    where d.notification_key = ${ref.notificationKey} and d.channel = ${ref.channel}`;
  return row && { status: row.status, address: row.address, notice: toNotice(row) };
}

/** Records one attempt: delivered, or the error (the status stays pending while retries remain). */
export async function recordAttempt(sql: Sql, ref: DeliveryRef, outcome: { error: string | null }, at: Date): Promise<void> {
  await sql`
    update notification_deliveries set attempts = attempts + 1, updated_at = ${at},
      ${outcome.error === null ? sql`status = 'delivered', delivered_at = ${at}` : sql`last_error = ${outcome.error.slice(0, 2_000)}`}
    where notification_key = ${ref.notificationKey} and channel = ${ref.channel} and status = 'pending'`;
}

/** Gives a delivery up once its retries are spent. */
export async function markDeliveryFailed(sql: Sql, ref: DeliveryRef, at: Date): Promise<void> {
  await sql`
    update notification_deliveries set status = 'failed', updated_at = ${at}
    where notification_key = ${ref.notificationKey} and channel = ${ref.channel} and status = 'pending'`;
}

export interface DigestRecipient {
  userId: string;
  channel: NotificationChannel;
  address: string;
  /** The digest has covered notices up to here. */
  since: Date;
}

export async function digestRecipients(sql: Sql): Promise<DigestRecipient[]> {
  return [...(await sql<DigestRecipient[]>`
    select user_id as "userId", channel, address, coalesce(digest_sent_until, updated_at) as since
    from notification_preferences where digest and enabled order by user_id, channel`)];
}

export async function noticesBetween(sql: Sql, userId: string, since: Date, until: Date): Promise<Notice[]> {
  const rows = await sql<Omit<NoticeRow, 'read_at' | 'sort_at' | 'deliveries'>[]>`
    select key, user_id, process_id, task_id, kind, text, params, (select u.language from users u where u.id = user_id) as language, created_at from notifications
    where user_id = ${userId} and created_at > ${since} and created_at <= ${until}
    order by created_at, key`;
  return rows.map(toNotice);
}

/** The digest of `channel` has covered `userId`'s notices up to `until`. */
export async function digestSent(sql: Sql, recipient: DigestRecipient, until: Date): Promise<void> {
  await sql`
    update notification_preferences set digest_sent_until = ${until}
    where user_id = ${recipient.userId} and channel = ${recipient.channel} and digest
      and (digest_sent_until is null or digest_sent_until < ${until})`;
}

/** The language a user's notices are delivered in; null: the company's. */
export async function setUserLanguage(sql: Sql, userId: string, language: NoticeLanguage | null): Promise<void> {
  await sql`update users set language = ${language} where id = ${userId}`;
}
