// Reads of the notices processes write to people (reminders, notices): "my notifications", with
// the name of the task a reminder is about, in both languages, for the reader's language.
import type { Sql } from './client.ts';

export interface Notification {
  key: string;
  processId: string | null;
  taskId: string | null;
  kind: string;
  text: string;
  /** The task's name, when the notice is about a task still on record. */
  taskName: { en: string; zh: string } | null;
  createdAt: Date;
}

/** A user's latest notifications, newest first. */
export async function notificationsOf(sql: Sql, userId: string, limit: number): Promise<Notification[]> {
  const rows = await sql<(Omit<Notification, 'taskName'> & { nameEn: string | null; nameZh: string | null })[]>`
    select n.key, n.process_id as "processId", n.task_id as "taskId", n.kind, n.text, n.created_at as "createdAt",
      t.name as "nameEn", t.name_zh as "nameZh"
    from notifications n left join tasks t on t.id = n.task_id
    where n.user_id = ${userId}
    order by n.created_at desc, n.key
    limit ${limit}`;
  return rows.map(({ nameEn, nameZh, ...row }) => ({ ...row, taskName: nameEn !== null && nameZh !== null ? { en: nameEn, zh: nameZh } : null }));
}
