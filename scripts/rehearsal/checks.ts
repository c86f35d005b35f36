// What the rehearsal verifies once the flows are through the faults: every instance ended as its
// flow expected, in Custodian's database and in Temporal; every decision sent was applied exactly
// once, and nothing else was; the audit trail and the destruction register chains verify.
import { Connection, WorkflowClient } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import type { Sql } from '../../platform/db/client.ts';
import type { SentDecision } from '../../tests/support/api-client.ts';
import { chainNames, verifyChain } from '../verify-chain.ts';
import type { Instance } from './flows.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Each instance's process ended in its expected status, once, in the projection and in Temporal. */
export async function checkInstances(sql: Sql, temporalAddress: string, instances: Instance[], timeoutMs: number): Promise<CheckResult> {
  const problems: string[] = [];
  const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 10_000 });
  try {
    const client = new WorkflowClient({ connection });
    for (const instance of instances) {
      const deadline = Date.now() + timeoutMs;
      let row: { status: string; ended: boolean } | undefined;
      for (;;) {
        [row] = await sql<{ status: string; ended: boolean }[]>`select status, ended_at is not null as ended from process_instances where id = ${instance.processId}`;
        if (row?.ended || Date.now() > deadline) break;
        await delay(250);
      }
      if (!row?.ended) {
        problems.push(`${instance.processId} has not ended (${row?.status ?? 'no projection row'})`);
        continue;
      }
      if (row.status !== instance.expectedEnd) problems.push(`${instance.processId} ended ${row.status}, expected ${instance.expectedEnd}`);
      // The projection records the end just before the workflow completes: wait for Temporal too.
      let status = (await client.getHandle(instance.processId).describe()).status.name;
      while (status === 'RUNNING' && Date.now() < deadline) {
        await delay(250);
        status = (await client.getHandle(instance.processId).describe()).status.name;
      }
      if (status !== 'COMPLETED') problems.push(`${instance.processId} is ${status} in Temporal`);
      const events = await sql<{ event: string; n: number }[]>`
        select event, count(*)::int as n from audit_log
        where process_id = ${instance.processId} and event in ('process.started', 'process.ended') group by event`;
      for (const event of ['process.started', 'process.ended']) {
        const n = events.find((e) => e.event === event)?.n ?? 0;
        if (n !== 1) problems.push(`${instance.processId}: ${event} ${n} times in the audit trail`);
      }
    }
  } finally {
    await connection.close();
  }
  return {
    name: 'every instance reached its expected end',
    ok: problems.length === 0 && instances.length > 0,
    detail: problems.length > 0 ? problems.join('; ') : `${instances.length} instances ended as expected (projection, audit trail and Temporal)`,
  };
}

/** Every decision sent is one task.completed in the audit trail, with its actor and outcome; there are no others. */
export async function checkDecisions(sql: Sql, instances: Instance[], sent: SentDecision[]): Promise<CheckResult> {
  const rows = await sql<{ taskId: string; actorId: string; outcome: string }[]>`
    select task_id as "taskId", actor_id as "actorId", detail->>'outcome' as outcome from audit_log
    where event = 'task.completed' and process_id = any(${instances.map((i) => i.processId)})`;
  const problems: string[] = [];
  for (const decision of sent) {
    const applied = rows.filter((row) => row.taskId === decision.taskId);
    if (applied.length !== 1) {
      problems.push(`${decision.nodeId} of ${decision.processId} by ${decision.actorId}: applied ${applied.length} times`);
    } else if (applied[0]!.actorId !== decision.actorId || applied[0]!.outcome !== decision.outcome) {
      problems.push(`${decision.nodeId} of ${decision.processId}: applied as ${applied[0]!.outcome} by ${applied[0]!.actorId}, sent ${decision.outcome} by ${decision.actorId}`);
    }
  }
  const sentTasks = new Set(sent.map((decision) => decision.taskId));
  for (const row of rows) if (!sentTasks.has(row.taskId)) problems.push(`task ${row.taskId} completed (${row.outcome} by ${row.actorId}) but no such decision was sent`);
  return {
    name: 'every decision applied exactly once',
    ok: problems.length === 0 && sent.length > 0,
    detail: problems.length > 0 ? problems.join('; ') : `${sent.length} decisions sent, ${rows.length} task.completed entries, one each`,
  };
}

/** `npm run verify:register` and `npm run verify:audit`, on the rehearsal's database. */
export async function checkChains(sql: Sql): Promise<CheckResult[]> {
  return Promise.all(
    chainNames.map(async (name) => {
      const report = await verifyChain(sql, name);
      return {
        name: `verify:${name}`,
        ok: report.broken === undefined && report.rows > 0,
        detail: report.broken?.reason ?? `${report.table}: ${report.rows} rows, chain intact`,
      };
    }),
  );
}
