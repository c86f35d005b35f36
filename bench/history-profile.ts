// `npx tsx bench/history-profile.ts`: what one decision costs in Temporal's terms. Runs a chain of
// ten decisions (bench.chain's shape) on a dev server with an in-process worker, then counts the
// history's events per decision: workflow tasks, local-activity markers, updates. A profile, not a
// timing: the figures are the same on a busy machine.
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { completeTask, startProcess } from '../engine/client.ts';
import { publishDefinition } from '../engine/sql/definitions.ts';
import { loadDemoOrganisation } from '../platform/organisation/sql.ts';
import { registerSearchAttributes } from '../platform/worker/search-attributes.ts';
import { bundleWorkflows, createWorker } from '../platform/worker/worker.ts';
import { devServerExecutable, toolsOptionsFromEnv } from '../scripts/temporal-tools.ts';
import { createTestDatabase } from '../tests/support/postgres.ts';
import { serviceSpecs } from '../areas/catalogue.ts';
import { chain } from './definitions.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

const steps = 10; // bench.chain's user tasks

const env = await TestWorkflowEnvironment.createLocal({ server: { executable: await devServerExecutable(toolsOptionsFromEnv()) } });
await registerSearchAttributes(env.connection, env.namespace ?? 'default');
const db = await createTestDatabase({ max: 4 });
try {
  await loadDemoOrganisation(db.sql);
  const { definition } = await publishDefinition(db.sql, chain, serviceSpecs);
  const taskQueue = 'history-profile';
  const worker = await createWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, sql: db.sql, workflowBundle: await bundleWorkflows() });
  const engine = { client: env.client, taskQueue };
  const processId = `history-profile-${randomUUID()}`;
  await worker.runUntil(async () => {
    await startProcess(engine, { processId, definition, library: {}, initiator: { id: 'office-director', departmentId: 'gm-office' }, variables: { approver: 'gm' } });
    let open: { id: string }[] = [];
    while (open.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      open = await db.sql<{ id: string }[]>`select id from tasks where process_id = ${processId} and state = 'open'`;
    }
    let taskId = open[0]!.id;
    for (let i = 0; i < steps; i += 1) {
      const result = await completeTask(engine, processId, { taskId, actorId: 'gm', outcome: 'done' });
      taskId = result.openTasks[0]?.id ?? '';
    }
    await env.client.workflow.getHandle(processId).result();
  });
  const history = await env.client.workflow.getHandle(processId).fetchHistory();
  const type = proto.temporal.api.enums.v1.EventType;
  const counts = new Map<string, { events: number; bytes: number }>();
  for (const event of history.events ?? []) {
    const label = type[event.eventType ?? 0] ?? String(event.eventType);
    const bytes = proto.temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
    const seen = counts.get(label) ?? { events: 0, bytes: 0 };
    counts.set(label, { events: seen.events + 1, bytes: seen.bytes + bytes });
  }
  const total = [...counts.values()].reduce((sum, c) => sum + c.bytes, 0);
  console.log(`history of ${steps} decisions (${history.events?.length} events, ${total} bytes encoded):`);
  console.log(`  ${'event'.padEnd(40)} count  per decision   bytes per decision`);
  for (const [label, count] of [...counts].sort((a, b) => b[1].bytes - a[1].bytes)) {
    console.log(`  ${label.replace('EVENT_TYPE_', '').padEnd(40)} ${String(count.events).padStart(5)}  ${(count.events / steps).toFixed(2).padStart(12)}  ${String(Math.round(count.bytes / steps)).padStart(19)}`);
  }
} finally {
  await env.teardown();
  await db.drop();
}
