// Reads of the task inbox and of the instance projections written by the engine's activities
// (activities/engine.ts): "my tasks", one task, and what an instance's page shows.
import type { PendingQuery, Row } from 'postgres';
import type { Sql } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pages.ts';
import type { TaskState } from '../workflow/types.ts';

export type { TaskState };

export interface TaskDecision {
  outcome: string;
  decidedBy: string;
  onBehalfOf: string | null;
  delegationId: string | null;
  comment: string | null;
  data: Record<string, unknown>;
  at: Date;
}

export interface Task {
  id: string;
  processId: string;
  nodeId: string;
  name: { en: string; zh: string };
  state: TaskState;
  candidateIds: string[];
  delegateIds: string[];
  outcomes: string[];
  dueAt: Date | null;
  createdAt: Date;
  completedAt: Date | null;
  decision: TaskDecision | null;
  process: { key: string; version: number; businessKey: string | null; initiatorId: string };
}

interface TaskRow {
  id: string;
  process_id: string;
  node_id: string;
  name: string;
  name_zh: string;
  state: TaskState;
  candidate_ids: string[];
  delegate_ids: string[];
  outcomes: string[];
  due_at: Date | null;
  outcome: string | null;
  decided_by: string | null;
  on_behalf_of: string | null;
  delegation_id: string | null;
  comment: string | null;
  data: Record<string, unknown> | null;
  created_at: Date;
  completed_at: Date | null;
  definition_key: string;
  definition_version: number;
  business_key: string | null;
  initiator_id: string;
}

function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    processId: row.process_id,
    nodeId: row.node_id,
    name: { en: row.name, zh: row.name_zh },
    state: row.state,
    candidateIds: row.candidate_ids,
    delegateIds: row.delegate_ids,
    outcomes: row.outcomes,
    dueAt: row.due_at,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    decision:
      row.outcome !== null && row.decided_by !== null
        ? {
            outcome: row.outcome,
            decidedBy: row.decided_by,
            onBehalfOf: row.on_behalf_of,
            delegationId: row.delegation_id,
            comment: row.comment,
            data: row.data ?? {},
            at: row.completed_at ?? row.created_at,
          }
        : null,
    process: { key: row.definition_key, version: row.definition_version, businessKey: row.business_key, initiatorId: row.initiator_id },
  };
}

/**
 * Where a page of "my tasks" ended. The time is kept as PostgreSQL printed it, so microseconds
 * survive the round trip and the next page starts exactly after the last row.
 */
export interface TaskCursor {
  state: 'open' | 'completed';
  sort: TaskSort;
  at: string;
  id: string;
}

/** default: open tasks the longest-waiting first, completed ones the latest first; due: the soonest due first, undated last. */
export type TaskSort = 'default' | 'due';

/** What narrows "my tasks" and their counts (issue 16.2). */
export interface InboxFilters {
  processKey?: string | undefined;
  businessKey?: string | undefined;
  /** The initiator of the task's process. */
  requesterId?: string | undefined;
  dueBefore?: Date | undefined;
  /** Open: past due now; completed: decided after it was due. */
  overdue?: boolean | undefined;
  /** direct: as a candidate; delegation: only as a delegate (BOR-7). */
  via?: 'direct' | 'delegation' | undefined;
}

export interface MyTasksQuery {
  state: 'open' | 'completed';
  limit: number;
  sort?: TaskSort;
  filters?: InboxFilters;
  cursor?: TaskCursor | undefined;
  /** What "overdue" is measured against. */
  now?: Date;
}

/** A piece of SQL. */
type Fragment = PendingQuery<Row[]>;

/** An undated task sorts after every dated one, as this time (a cursor can carry it). */
const UNDATED = '9999-12-31 00:00:00+00';

/** The filters as SQL over tasks `t` joined to process_instances `p`, for the tasks of `state`. */
export function inboxFilterSql(sql: Sql, userId: string, state: 'open' | 'completed', filters: InboxFilters, now: Date) {
  const me = [userId];
  const f = filters;
  const via =
    f.via === undefined
      ? sql``
      : state === 'open'
        ? f.via === 'direct'
          ? sql`and t.candidate_ids @> ${me}::text[]`
          : sql`and not t.candidate_ids @> ${me}::text[]`
        : f.via === 'direct'
          ? sql`and t.on_behalf_of is null`
          : sql`and t.on_behalf_of is not null`;
  const late = state === 'open' ? sql`t.due_at < ${now}` : sql`t.due_at < t.completed_at`;
  return sql`
    ${f.processKey === undefined ? sql`` : sql`and p.definition_key = ${f.processKey}`}
    ${f.businessKey === undefined ? sql`` : sql`and p.business_key = ${f.businessKey}`}
    ${f.requesterId === undefined ? sql`` : sql`and p.initiator_id = ${f.requesterId}`}
    ${f.dueBefore === undefined ? sql`` : sql`and t.due_at < ${f.dueBefore}`}
    ${f.overdue === undefined ? sql`` : f.overdue ? sql`and ${late}` : sql`and not coalesce(${late}, false)`}
    ${via}`;
}

/**
 * "My tasks". Open: tasks I may decide as a candidate or a delegate (the GIN index on inbox_ids),
 * the longest-waiting first. Completed: tasks I decided, the latest first (tasks_decided_by).
 * Sorted by due date: the soonest first (tasks_open_due), undated last. Narrowed by `filters`.
 * `columns`: what each row holds besides `sort_at`, the cursor's time; `direct` says whether I
 * decide (or decided) the task in my own right, not as a delegate (BOR-7).
 */
function myTasksRows<R extends object>(sql: Sql, userId: string, query: MyTasksQuery, columns: (direct: Fragment) => Fragment) {
  const me = [userId];
  const sort = query.sort ?? 'default';
  const after = query.cursor?.state === query.state && query.cursor.sort === sort ? query.cursor : undefined;
  const open = query.state === 'open';
  const key = sort === 'due' ? sql`coalesce(t.due_at, ${UNDATED}::timestamptz)` : open ? sql`t.created_at` : sql`t.completed_at`;
  const descending = sort === 'default' && !open;
  const direct = open ? sql`t.candidate_ids @> ${me}::text[]` : sql`t.on_behalf_of is null`;
  // One row more than asked tells whether another page follows. The cursor's time is sent as text
  // and cast by PostgreSQL: a parameter typed timestamptz would pass through a JavaScript Date
  // and lose its microseconds, and the page would repeat its last row.
  const rows = sql<(R & { sort_at: string; id: string })[]>`
    select ${columns(direct)}, ${key}::text as sort_at
    from tasks t join process_instances p on p.id = t.process_id
    where ${open ? sql`t.state = 'open' and t.inbox_ids @> ${me}::text[]` : sql`t.decided_by = ${userId} and t.completed_at is not null`}
      ${inboxFilterSql(sql, userId, query.state, query.filters ?? {}, query.now ?? new Date())}
      ${after ? (descending ? sql`and (${key}, t.id) < (${after.at}::text::timestamptz, ${after.id})` : sql`and (${key}, t.id) > (${after.at}::text::timestamptz, ${after.id})`) : sql``}
    order by ${descending ? sql`${key} desc, t.id desc` : sql`${key}, t.id`}
    limit ${query.limit + 1}`;
  return { rows, sort };
}

/** A time as the API shows it (engine/http/bodies.ts iso): UTC, milliseconds, `Z`. */
const isoSql = (sql: Sql, column: Fragment) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A page of "my tasks" as the API's JSON (a MyTask each), built by PostgreSQL (issue 20): the rows
 * are not parsed, mapped and serialised again in JavaScript. Each element is what
 * engine/http/task-routes.ts taskBody makes of the same task read by `findTask`, with `via`
 * (direct, or delegation: BOR-7); tests/api/inbox-json.test.ts holds the two equal.
 */
export async function listMyTasksJson(sql: Sql, userId: string, query: MyTasksQuery): Promise<{ tasksJson: string; nextCursor: TaskCursor | null }> {
  const { rows, sort } = myTasksRows<{ task: string }>(
    sql,
    userId,
    query,
    (direct) => sql`t.id, json_build_object(
      'id', t.id, 'processId', t.process_id, 'nodeId', t.node_id, 'name', json_build_object('en', t.name, 'zh', t.name_zh),
      'state', t.state, 'candidateIds', t.candidate_ids, 'delegateIds', t.delegate_ids, 'outcomes', t.outcomes,
      'dueAt', ${isoSql(sql, sql`t.due_at`)}, 'createdAt', ${isoSql(sql, sql`t.created_at`)}, 'completedAt', ${isoSql(sql, sql`t.completed_at`)},
      'decision', case when t.outcome is not null and t.decided_by is not null then json_build_object(
        'outcome', t.outcome, 'decidedBy', t.decided_by, 'onBehalfOf', t.on_behalf_of, 'delegationId', t.delegation_id,
        'comment', t.comment, 'data', coalesce(t.data, '{}'::jsonb), 'at', ${isoSql(sql, sql`coalesce(t.completed_at, t.created_at)`)}) end,
      'process', json_build_object('key', p.definition_key, 'version', p.definition_version, 'businessKey', p.business_key, 'initiatorId', p.initiator_id),
      'via', case when ${direct} then 'direct' else 'delegation' end)::text as task`,
  );
  const { page, nextCursor } = keysetPage(await rows, query.limit, (last) => ({ state: query.state, sort, at: last.sort_at, id: last.id }));
  return { tasksJson: `[${page.map((row) => row.task).join(',')}]`, nextCursor };
}

export async function findTask(sql: Sql, id: string): Promise<Task | undefined> {
  const [row] = await sql<TaskRow[]>`
    select t.*, p.definition_key, p.definition_version, p.business_key, p.initiator_id
    from tasks t join process_instances p on p.id = t.process_id
    where t.id = ${id}`;
  return row && toTask(row);
}

/** Who may see a task: its candidates and delegates, whoever decided it, and the process's initiator. */
export function mayViewTask(task: Task, userId: string): boolean {
  return (
    task.candidateIds.includes(userId) ||
    task.delegateIds.includes(userId) ||
    task.decision?.decidedBy === userId ||
    task.process.initiatorId === userId
  );
}

/** The open tasks of an instance, in the order they opened. */
export async function openTasksOf(sql: Sql, processId: string): Promise<Task[]> {
  const rows = await sql<TaskRow[]>`
    select t.*, p.definition_key, p.definition_version, p.business_key, p.initiator_id
    from tasks t join process_instances p on p.id = t.process_id
    where t.process_id = ${processId} and t.state = 'open'
    order by t.created_at, t.id`;
  return rows.map(toTask);
}

/** Where a page of an instance's tasks ended: the sort time as PostgreSQL printed it (microseconds kept), then id. */
export interface ProcessTaskCursor {
  at: string;
  id: string;
}

/**
 * A page of an instance's tasks after `after`: `open`, its open tasks in the order they opened;
 * `decided`, its decided tasks in the order they were decided. `next` is where the following
 * page starts, null on the last.
 */
export async function processTaskPage(
  sql: Sql,
  processId: string,
  page: { kind: 'open' | 'decided'; after?: ProcessTaskCursor | undefined; limit: number },
): Promise<{ tasks: Task[]; next: ProcessTaskCursor | null }> {
  const sortAt = page.kind === 'open' ? sql`t.created_at` : sql`coalesce(t.completed_at, t.created_at)`;
  const which = page.kind === 'open' ? sql`t.state = 'open'` : sql`t.outcome is not null and t.decided_by is not null`;
  // One row more than asked tells whether another page follows.
  const rows = await sql<(TaskRow & { sort_at: string })[]>`
    select t.*, ${sortAt}::text as sort_at, p.definition_key, p.definition_version, p.business_key, p.initiator_id
    from tasks t join process_instances p on p.id = t.process_id
    where t.process_id = ${processId} and ${which}
      ${page.after ? sql`and (${sortAt}, t.id) > (${page.after.at}::text::timestamptz, ${page.after.id})` : sql``}
    order by ${sortAt}, t.id
    limit ${page.limit + 1}`;
  const last = rows[page.limit - 1];
  return { tasks: rows.slice(0, page.limit).map(toTask), next: rows.length > page.limit && last ? { at: last.sort_at, id: last.id } : null };
}

/** The nodes where an instance has a task open, by id. */
export async function openNodesOf(sql: Sql, processId: string): Promise<string[]> {
  const rows = await sql<{ nodeId: string }[]>`select distinct node_id as "nodeId" from tasks where process_id = ${processId} and state = 'open' order by 1`;
  return rows.map((row) => row.nodeId);
}

export interface ProcessInstance {
  id: string;
  key: string;
  version: number;
  businessKey: string | null;
  initiatorId: string;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
}

export async function findProcessInstance(sql: Sql, id: string): Promise<ProcessInstance | undefined> {
  const [row] = await sql<
    { id: string; definition_key: string; definition_version: number; business_key: string | null; initiator_id: string; status: string; started_at: Date; ended_at: Date | null }[]
  >`
    select id, definition_key, definition_version, business_key, initiator_id, status, started_at, ended_at
    from process_instances where id = ${id}`;
  return (
    row && {
      id: row.id,
      key: row.definition_key,
      version: row.definition_version,
      businessKey: row.business_key,
      initiatorId: row.initiator_id,
      status: row.status,
      startedAt: row.started_at,
      endedAt: row.ended_at,
    }
  );
}

/**
 * Whether a user takes or took part in an instance's tasks: a candidate or delegate now, the
 * decider, or a candidate before an escalation reassigned the task (kept in the audit trail,
 * since the task row holds only its current candidates), or someone copied in on it (#16).
 */
export async function isProcessParticipant(sql: Sql, processId: string, userId: string): Promise<boolean> {
  const me = [userId];
  const [row] = await sql<{ participant: boolean }[]>`
    select exists (
      select 1 from tasks
      where process_id = ${processId}
        and (candidate_ids @> ${me}::text[] or delegate_ids @> ${me}::text[] or decided_by = ${userId})
    ) or exists (
      select 1 from audit_log
      where process_id = ${processId} and task_id is not null
        and (actor_id = ${userId} or detail->'candidateIds' @> ${sql.json(me)})
    ) or exists (
      -- copied in (#16): a watcher reads, and decides nothing
      select 1 from process_watchers where process_id = ${processId} and user_id = ${userId}
    ) as participant`;
  return row?.participant ?? false;
}

export interface AuditEvent {
  seq: number;
  at: Date;
  event: string;
  taskId: string | null;
  actorId: string | null;
  onBehalfOf: string | null;
  delegationId: string | null;
  ruleId: string | null;
  detail: Record<string, unknown>;
}

/** A page of an instance's audit trail, oldest first, after `afterSeq`; `next` is where the following page starts. */
export async function auditTrailOf(sql: Sql, processId: string, page: { afterSeq?: number; limit: number }): Promise<{ events: AuditEvent[]; next: number | null }> {
  const rows = await sql<
    { seq: string; at: Date; event: string; task_id: string | null; actor_id: string | null; on_behalf_of: string | null; delegation_id: string | null; rule_id: string | null; detail: Record<string, unknown> }[]
  >`
    select seq, at, event, task_id, actor_id, on_behalf_of, delegation_id, rule_id, detail
    from audit_log where process_id = ${processId} and seq > ${page.afterSeq ?? 0}
    order by seq
    limit ${page.limit + 1}`;
  const events = rows.slice(0, page.limit).map((row) => ({
    // bigserial arrives as a string; a process's trail stays far below 2^53 rows
    seq: Number(row.seq),
    at: row.at,
    event: row.event,
    taskId: row.task_id,
    actorId: row.actor_id,
    onBehalfOf: row.on_behalf_of,
    delegationId: row.delegation_id,
    ruleId: row.rule_id,
    detail: row.detail,
  }));
  return { events, next: rows.length > page.limit ? events.at(-1)!.seq : null };
}
