// The caller's notices and how they reach them (issue 16.3): GET /api/v1/me/notifications, and
// GET/PUT /api/v1/me/notification-preferences.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../db/client.ts';
import { noticesOf, preferencesOf, replacePreferences, setUserLanguage, type NoticeWithDeliveries } from './sql.ts';
import { deliveryStatuses, notificationChannels } from './channels.ts';
import { requireUser, type Authenticator } from '../http/auth.ts';
import { keysetCursor } from '../http/cursor.ts';
import { createRouter } from '../http/router.ts';
import { unauthorized } from '../http/schemas.ts';
import { languageOf } from '../http/messages.ts';
import { renderNotice, type NoticeLanguage } from './texts.ts';

const languageBody = z.object({ language: z.enum(['zh', 'en']).nullable() }).openapi('NoticeLanguage');

const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });

const webhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2_000)
  .openapi({ description: "The robot's webhook URL, with its access token.", example: 'https://oapi.dingtalk.com/robot/send?access_token=...' });

const common = {
  enabled: z.boolean().default(true),
  digest: z.boolean().default(false).openapi({ description: 'true: one digest a day (NOTIFY_DIGEST_AT, Asia/Shanghai) instead of each notice.' }),
};

const preference = z
  .discriminatedUnion('channel', [
    z.object({ channel: z.literal('email'), address: z.email().max(320).openapi({ example: 'gm@example.com' }), ...common }).strict(),
    z.object({ channel: z.literal('dingtalk'), address: webhookUrl, ...common }).strict(),
    z.object({ channel: z.literal('feishu'), address: webhookUrl, ...common }).strict(),
  ])
  .openapi('NotificationPreference');

const preferences = z
  .object({
    channels: z
      .array(preference)
      .max(notificationChannels.length)
      .refine((list) => new Set(list.map((p) => p.channel)).size === list.length, 'each channel at most once'),
  })
  .strict()
  .openapi('NotificationPreferences', { description: 'The channels notices reach the user by; none: notices stay in GET /api/v1/me/notifications.' });

const delivery = z
  .object({
    channel: z.enum(notificationChannels),
    status: z.enum(deliveryStatuses).openapi({ description: 'pending (being sent or retried), delivered, or failed once its attempts (NOTIFY_MAX_ATTEMPTS) were spent.' }),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    deliveredAt: timestamp.nullable(),
  })
  .openapi('NotificationDelivery');

const notice = z
  .object({
    key: z.string(),
    processId: z.string().nullable(),
    taskId: z.string().nullable(),
    kind: z.string().openapi({ example: 'task.reminder' }),
    text: z.string(),
    createdAt: timestamp,
    readAt: timestamp.nullable(),
    deliveries: z.array(delivery).openapi({ description: 'How it was sent on each channel the user had on when it was taken up; digest channels are not listed.' }),
  })
  .openapi('Notification');

const noticeKey = keysetCursor('timestamp', 'text');

const noticePage = z
  .object({ notifications: z.array(notice), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('NotificationPage');

const noticeQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: noticeKey.query });

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** A notice as the reader reads it: in the language their request prefers (texts.ts). */
function noticeBody(n: NoticeWithDeliveries, language: NoticeLanguage): z.infer<typeof notice> {
  return {
    key: n.key,
    processId: n.processId,
    taskId: n.taskId,
    kind: n.kind,
    text: renderNotice(n, language),
    createdAt: n.createdAt.toISOString(),
    readAt: iso(n.readAt),
    deliveries: n.deliveries.map((d) => ({ ...d, deliveredAt: iso(d.deliveredAt) })),
  };
}

export function notificationRoutes(deps: { sql: Sql; authenticator: Authenticator }) {
  const router = createRouter();
  const { sql } = deps;
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me/notifications',
      tags: ['notifications'],
      summary: "My notices, newest first, with how each was delivered",
      middleware: [authenticated] as const,
      request: { query: noticeQuery },
      responses: {
        200: { description: 'A page of notices', content: { 'application/json': { schema: noticePage } } },
        400: { description: 'INVALID_INPUT or INVALID_CURSOR: a bad limit or cursor (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const parts = cursor === undefined ? undefined : noticeKey.parse(cursor)!;
      const page = await noticesOf(sql, c.var.user.id, { limit, cursor: parts && { at: parts[0], key: parts[1] } });
      return c.json({ notifications: page.notices.map((n) => noticeBody(n, languageOf(c))), nextCursor: page.nextCursor && noticeKey.format([page.nextCursor.at, page.nextCursor.key]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me/notification-preferences',
      tags: ['notifications'],
      summary: 'The channels my notices reach me by',
      middleware: [authenticated] as const,
      responses: {
        200: { description: 'My channels', content: { 'application/json': { schema: preferences } } },
        401: unauthorized,
      },
    }),
    async (c) => c.json({ channels: (await preferencesOf(sql, c.var.user.id)) as z.infer<typeof preferences>['channels'] }, 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/me/notification-preferences',
      tags: ['notifications'],
      summary: 'Set the channels my notices reach me by (replaces them all)',
      description: 'Notices written from now on are sent on the channels that are on; a digest channel gets one message a day instead.',
      middleware: [authenticated] as const,
      request: { body: { required: true, content: { 'application/json': { schema: preferences } } } },
      responses: {
        200: { description: 'My channels as stored', content: { 'application/json': { schema: preferences } } },
        400: { description: 'INVALID_INPUT: an unknown channel, a channel twice, a bad address or webhook URL (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const { channels } = c.req.valid('json');
      await replacePreferences(sql, c.var.user.id, channels, new Date());
      return c.json({ channels: (await preferencesOf(sql, c.var.user.id)) as z.infer<typeof preferences>['channels'] }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/me/language',
      tags: ['notifications'],
      summary: 'The language my notices are delivered in (zh or en; null: the company language, COMPANY_LANGUAGE)',
      middleware: [authenticated] as const,
      request: { body: { required: true, content: { 'application/json': { schema: languageBody } } } },
      responses: {
        200: { description: 'My language as stored', content: { 'application/json': { schema: languageBody } } },
        400: { description: 'INVALID_INPUT (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const { language } = c.req.valid('json');
      await setUserLanguage(sql, c.var.user.id, language);
      return c.json({ language }, 200);
    },
  );
  return router;
}
