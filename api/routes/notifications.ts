// "My notifications": the reminders and notices processes wrote to me, newest first, their texts
// in my language (api/messages.ts).
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.ts';
import { notificationsOf } from '../../db/notifications.ts';
import { requireUser, type AuthEnv, type Authenticator } from '../auth.ts';
import { languageOf, notificationText } from '../messages.ts';
import { createRouter } from '../router.ts';
import { unauthorized } from '../schemas.ts';

const notificationSchema = z
  .object({
    key: z.string(),
    processId: z.string().nullable(),
    taskId: z.string().nullable(),
    kind: z.string().openapi({ example: 'task.reminder' }),
    text: z.string().openapi({ description: 'In the reader\'s language (Accept-Language; COMPANY_LANGUAGE when it names neither zh nor en).' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Notification');

export function notificationRoutes(deps: { sql: Sql; authenticator: Authenticator }) {
  const router = createRouter<AuthEnv>();
  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me/notifications',
      tags: ['organisation'],
      summary: 'My latest notifications (reminders, notices), in my language',
      middleware: [requireUser(deps)] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
      responses: {
        200: { description: 'Newest first', content: { 'application/json': { schema: z.object({ notifications: z.array(notificationSchema) }).openapi('NotificationList') } } },
        401: unauthorized,
      },
    }),
    async (c) => {
      const language = languageOf(c);
      const notices = await notificationsOf(deps.sql, c.var.user.id, c.req.valid('query').limit);
      return c.json(
        {
          notifications: notices.map((n) => ({
            key: n.key,
            processId: n.processId,
            taskId: n.taskId,
            kind: n.kind,
            text: notificationText(n, language),
            createdAt: n.createdAt.toISOString(),
          })),
        },
        200,
        { 'content-language': language },
      );
    },
  );
  return router;
}
