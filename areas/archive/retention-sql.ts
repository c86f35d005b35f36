// The retention schedule (DES-2): how long each ARC-1 category is kept before it may be
// destroyed. The policy gives no periods, so the Office Director keeps them; every change is in
// the audit trail, and a category without a period is kept permanently.
import { randomUUID } from 'node:crypto';
import type { DocumentCategory } from './rules.ts';
import { insertAudit } from '../../platform/db/audit.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';

export interface RetentionPeriod {
  category: DocumentCategory;
  /** null: kept permanently. */
  retentionYears: number | null;
  setBy: string;
  setAt: Date;
}

export async function listRetentionPeriods(sql: Sql | TransactionSql): Promise<RetentionPeriod[]> {
  return sql<RetentionPeriod[]>`
    select category, retention_years as "retentionYears", set_by as "setBy", set_at as "setAt" from retention_periods order by category`;
}

/** Sets a category's period and audits the change (with the period it replaces); a period set to what it is changes nothing. */
export async function setRetentionPeriod(
  tx: TransactionSql,
  change: { category: DocumentCategory; retentionYears: number | null; setBy: string; at: Date },
): Promise<{ period: RetentionPeriod; changed: boolean }> {
  // Serialises changes to one category, so the audit entry names the period really replaced.
  const [previous] = await tx<{ retentionYears: number | null }[]>`
    select retention_years as "retentionYears" from retention_periods where category = ${change.category} for update`;
  const before = previous ? previous.retentionYears : undefined;
  const changed = before !== change.retentionYears;
  if (changed) {
    await tx`
      insert into retention_periods (category, retention_years, set_by, set_at)
      values (${change.category}, ${change.retentionYears}, ${change.setBy}, ${change.at})
      on conflict (category) do update set retention_years = excluded.retention_years, set_by = excluded.set_by, set_at = excluded.set_at`;
    await insertAudit(tx, [
      {
        key: `retention-period:${change.category}:${randomUUID()}`,
        at: change.at.getTime(),
        processId: null,
        event: 'retention.period_set',
        actorId: change.setBy,
        ruleId: 'DES-2',
        detail: { category: change.category, retentionYears: change.retentionYears, previous: before === undefined ? 'unset' : before },
      },
    ]);
  }
  const [period] = await tx<RetentionPeriod[]>`
    select category, retention_years as "retentionYears", set_by as "setBy", set_at as "setAt" from retention_periods where category = ${change.category}`;
  return { period: period!, changed };
}
