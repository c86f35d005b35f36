// Watchers (抄送) and comments of process instances (issue #16): written by the instance's
// projections, read by the API.
import type { Sql, TransactionSql } from '../../platform/db/client.ts';

export interface WatcherWrite {
  processId: string;
  userId: string;
  addedBy: string;
  at: number;
}

export interface CommentWrite {
  id: string;
  processId: string;
  authorId: string;
  text: string;
  mentions: string[];
  at: number;
}

export interface ProcessComment {
  id: string;
  authorId: string;
  text: string;
  mentions: string[];
  createdAt: Date;
}

/** Writes the watchers and comments of a projection batch; a row written before is left as it is. */
export async function writeActionRows(tx: TransactionSql, rows: { watchers?: WatcherWrite[] | undefined; comments?: CommentWrite[] | undefined }): Promise<void> {
  for (const watcher of rows.watchers ?? []) {
    await tx`
      insert into process_watchers (process_id, user_id, added_by, added_at)
      values (${watcher.processId}, ${watcher.userId}, ${watcher.addedBy}, ${new Date(watcher.at)})
      on conflict (process_id, user_id) do nothing`;
  }
  for (const comment of rows.comments ?? []) {
    await tx`
      insert into process_comments (id, process_id, author_id, text, mentions, created_at)
      values (${comment.id}, ${comment.processId}, ${comment.authorId}, ${comment.text}, ${comment.mentions}, ${new Date(comment.at)})
      on conflict (id) do nothing`;
  }
}

export async function watchersOf(sql: Sql, processId: string): Promise<{ userId: string; addedBy: string; addedAt: Date }[]> {
  return sql<{ userId: string; addedBy: string; addedAt: Date }[]>`
    select user_id as "userId", added_by as "addedBy", added_at as "addedAt"
    from process_watchers where process_id = ${processId} order by added_at, user_id`;
}

/** A page of an instance's comments, oldest first. */
export async function commentsOf(
  sql: Sql,
  processId: string,
  page: { limit: number; after?: { at: string; id: string } | undefined; ids?: string[] },
): Promise<{ comments: ProcessComment[]; next: { at: string; id: string } | null }> {
  const rows = await sql<(ProcessComment & { atText: string })[]>`
    select id, author_id as "authorId", text, mentions, created_at as "createdAt", created_at::text as "atText"
    from process_comments
    where process_id = ${processId}
      ${page.after ? sql`and (created_at, id) > (${page.after.at}::text::timestamptz, ${page.after.id})` : sql``}
      ${page.ids ? sql`and id = any(${page.ids})` : sql``}
    order by created_at, id
    limit ${page.limit + 1}`;
  const more = rows.length > page.limit;
  const comments = rows.slice(0, page.limit);
  const last = comments.at(-1);
  return { comments: comments.map(({ atText: _at, ...comment }) => comment), next: more && last ? { at: last.atText, id: last.id } : null };
}

/** The users among these that do not exist or are inactive. */
export async function unknownUsers(sql: Sql, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await sql<{ id: string }[]>`select id from users where id = any(${userIds}) and active`;
  const known = new Set(rows.map((row) => row.id));
  return userIds.filter((id) => !known.has(id));
}
