// The lock that orders delegation changes against the tasks that read them: a delegation starting
// or ending for a principal, and a task opening for that principal, take it in the same order.
import type { TransactionSql } from '../../platform/db/client.ts';

/**
 * Serialises, per principal, opening a task for them with reading who stands in for them: a task
 * opened just before a delegation starts is either committed before the delegation's
 * announcement lists the waiting instances, or sees the delegation as started.
 */
export async function lockPrincipals(tx: TransactionSql, userIds: string[]): Promise<void> {
  // In one order, so two transactions locking several principals cannot deadlock.
  for (const userId of [...userIds].sort()) await tx`select pg_advisory_xact_lock(hashtext(${`delegation-principal:${userId}`}))`;
}
