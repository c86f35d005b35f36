// The inbox's other views (issue 16.2): counts of "my tasks" per state, and "my requests", the
// instances I started with what each waits for.
import type { Sql } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pages.ts';
import { inboxFilterSql, type InboxFilters } from './tasks.ts';

export interface InboxCounts {
  open: number;
  /** Open and past due. */
  overdue: number;
  /** Open, and mine only as a delegate (BOR-7). */
  viaDelegation: number;
  completed: number;
}

/** The counts of "my tasks" under `filters` (its `overdue` and `via` are what is counted, so ignored). */
export async function inboxCounts(sql: Sql, userId: string, filters: Omit<InboxFilters, 'overdue' | 'via'>, now: Date): Promise<InboxCounts> {
  const me = [userId];
  const [open] = await sql<{ open: number; overdue: number; via_delegation: number }[]>`
    select count(*)::int as open, count(*) filter (where t.due_at < ${now})::int as overdue,
           count(*) filter (where not t.candidate_ids @> ${me}::text[])::int as via_delegation
    from tasks t join process_instances p on p.id = t.process_id
    where t.state = 'open' and t.inbox_ids @> ${me}::text[] ${inboxFilterSql(sql, userId, 'open', filters, now)}`;
  const [completed] = await sql<{ completed: number }[]>`
    select count(*)::int as completed
    from tasks t join process_instances p on p.id = t.process_id
    where t.decided_by = ${userId} and t.completed_at is not null ${inboxFilterSql(sql, userId, 'completed', filters, now)}`;
  return { open: open!.open, overdue: open!.overdue, viaDelegation: open!.via_delegation, completed: completed!.completed };
}

export interface MyRequest {
  processId: string;
  definition: { key: string; version: number };
  businessKey: string | null;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
  /** What it waits for now: its open tasks, the oldest first. */
  openTasks: { id: string; nodeId: string; name: { en: string; zh: string }; candidateIds: string[]; createdAt: Date; dueAt: Date | null }[];
}

export interface RequestCursor {
  at: string;
  id: string;
}

interface RequestRow {
  id: string;
  definition_key: string;
  definition_version: number;
  business_key: string | null;
  status: string;
  started_at: Date;
  ended_at: Date | null;
  sort_at: string;
  open_tasks: { id: string; node_id: string; name: string; name_zh: string; candidate_ids: string[]; created_at: string; due_at: string | null }[];
}

/** The instances `userId` started, the newest first (process_instances_initiator). */
export async function myRequests(
  sql: Sql,
  userId: string,
  query: { limit: number; status?: 'running' | 'ended' | undefined; processKey?: string | undefined; cursor?: RequestCursor | undefined },
): Promise<{ requests: MyRequest[]; nextCursor: RequestCursor | null }> {
  const after = query.cursor;
  const rows = await sql<RequestRow[]>`
    select p.id, p.definition_key, p.definition_version, p.business_key, p.status, p.started_at, p.ended_at, p.started_at::text as sort_at,
      coalesce((select json_agg(json_build_object('id', t.id, 'node_id', t.node_id, 'name', t.name, 'name_zh', t.name_zh,
                  'candidate_ids', t.candidate_ids, 'created_at', t.created_at, 'due_at', t.due_at) order by t.created_at, t.id)
                from tasks t where t.process_id = p.id and t.state = 'open'), '[]'::json) as open_tasks
    from process_instances p
    where p.initiator_id = ${userId}
      ${query.status === undefined ? sql`` : query.status === 'running' ? sql`and p.ended_at is null` : sql`and p.ended_at is not null`}
      ${query.processKey === undefined ? sql`` : sql`and p.definition_key = ${query.processKey}`}
      ${after ? sql`and (p.started_at, p.id) < (${after.at}::text::timestamptz, ${after.id})` : sql``}
    order by p.started_at desc, p.id desc
    limit ${query.limit + 1}`;
  const { page, nextCursor } = keysetPage(rows, query.limit, (last) => ({ at: last.sort_at, id: last.id }));
  return {
    requests: page.map((row) => ({
      processId: row.id,
      definition: { key: row.definition_key, version: row.definition_version },
      businessKey: row.business_key,
      status: row.status,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      openTasks: row.open_tasks.map((t) => ({
        id: t.id,
        nodeId: t.node_id,
        name: { en: t.name, zh: t.name_zh },
        candidateIds: t.candidate_ids,
        createdAt: new Date(t.created_at),
        dueAt: t.due_at === null ? null : new Date(t.due_at),
      })),
    })),
    nextCursor,
  };
}
