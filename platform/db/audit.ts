// Writes to the tables people read: the append-only audit trail and their notices. Keyed, so a
// retried activity writes each row once.
import type { Sql, TransactionSql } from './client.ts';

export interface AuditEntry {
  /** Workflow id + step: the same entry written twice is stored once. */
  key: string;
  at: number;
  /** null for an entry about no process (an organisation or schedule change). */
  processId: string | null;
  taskId?: string;
  event: string;
  actorId?: string | null;
  onBehalfOf?: string | null;
  delegationId?: string | null;
  ruleId?: string | null;
  detail?: Record<string, unknown>;
}

export interface NotifyInput {
  key: string;
  /** null for a notice about no process (a fine proposed, an organisation change). */
  processId: string | null;
  taskId?: string;
  userIds: string[];
  kind: string;
  /** The English text; with `params`, the kind's entry in platform/notifications/texts.ts renders it in either language. */
  text: string;
  params?: unknown;
  at: number;
}

export async function insertAudit(sql: Sql | TransactionSql, entries: AuditEntry[]): Promise<void> {
  for (const entry of entries) {
    await sql`
      insert into audit_log (at, process_id, task_id, event, actor_id, on_behalf_of, delegation_id, rule_id, detail, idempotency_key, prev_hash, hash)
      values (${new Date(entry.at)}, ${entry.processId}, ${entry.taskId ?? null}, ${entry.event}, ${entry.actorId ?? null},
              ${entry.onBehalfOf ?? null}, ${entry.delegationId ?? null}, ${entry.ruleId ?? null},
              ${sql.json((entry.detail ?? {}) as never)}, ${entry.key}, '', '')
      on conflict (idempotency_key) do nothing`;
  }
}

export async function insertNotices(sql: Sql | TransactionSql, input: NotifyInput): Promise<void> {
  for (const userId of new Set(input.userIds)) {
    await sql`
      insert into notifications (key, user_id, process_id, task_id, kind, text, params, created_at)
      values (${`${input.key}:${userId}`}, ${userId}, ${input.processId}, ${input.taskId ?? null}, ${input.kind}, ${input.text},
              ${input.params === undefined ? null : sql.json(input.params as never)}, ${new Date(input.at)})
      on conflict (key) do nothing`;
  }
}
