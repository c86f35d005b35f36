// What separation of duties (SOD-1) needs to know: the approval steps a person has decided in an
// instance, in their own right or as the principal a delegate acted for.
import type { Sql } from '../../platform/db/client.ts';

/** The nodes of the instance's decided approval steps (user tasks with an "approve" outcome) that `userId` decided or was decided for. */
export async function approvalStepsDecidedBy(sql: Sql, processId: string, userId: string): Promise<string[]> {
  const rows = await sql<{ node_id: string }[]>`
    select distinct node_id from tasks
    where process_id = ${processId} and state = 'completed' and 'approve' = any(outcomes)
      and (decided_by = ${userId} or on_behalf_of = ${userId})
    order by node_id`;
  return rows.map((row) => row.node_id);
}
