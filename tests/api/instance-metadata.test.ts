// Operators see what an instance waits for (issue 16.4): the Temporal UI lists each instance by
// its static summary and shows its current details, read here as the UI reads them, through the
// describe API and the __temporal_workflow_metadata query, on the dev server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUser } from '../../platform/organisation/sql.ts';
import { borrowingProcesses } from '../../areas/borrowing/definitions.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';

let api: EngineApiSuite;

beforeAll(async () => {
  api = await startApiSuite({ definitions: borrowingProcesses, engine: { server: 'dev' } });
});

afterAll(() => api?.teardown());

/** What the Temporal UI shows of an instance: its summary (describe) and current details (metadata query). */
async function shown(processId: string): Promise<{ summary: string | undefined; staticDetails: string | undefined; details: string }> {
  const handle = api.engine.client.workflow.getHandle(processId);
  const description = await handle.describe();
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return { summary: await description.staticSummary(), staticDetails: await description.staticDetails(), details: metadata.currentDetails ?? '' };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('what an instance waits for, in the Temporal UI', () => {
  it('lists a borrow request as 借阅 <document> — <requester> and says whose decision it waits for, and since when', async () => {
    const document = await api.request('archivist', 'POST', '/api/v1/documents', {
      json: { reference: 'META-1', title: '2025 年度审计报告', category: 'contract', secrecy: 'none', departmentId: 'finance', original: true, location: 'Archive room' },
    });
    expect(document.status).toBe(201);
    const request = await api.request('biz-sales-1', 'POST', '/api/v1/borrow-requests', { json: { documentId: document.body.id, mode: 'loan', purpose: 'audit preparation' } });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    const processId = request.body.processId as string;
    const requester = (await findUser(api.engine.db.sql, 'biz-sales-1'))!;

    const first = await eventually(() => shown(processId), (s) => s.details.includes('waiting for'));
    expect(first.summary).toBe(`借阅 2025 年度审计报告 — ${requester.displayNameZh}`);
    const { definition } = (await api.request('biz-sales-1', 'GET', `/api/v1/processes/${processId}`)).body;
    expect(first.staticDetails).toBe(`Borrowing application (${definition.key}@${definition.version}), started by biz-sales-1`);
    const [task] = (await api.request('biz-manager', 'GET', '/api/v1/tasks')).body.tasks.filter((t: { processId: string }) => t.processId === processId);
    expect(first.details).toContain(`waiting for ${task.name.en} (${task.name.zh}) by biz-manager since ${task.createdAt}`);

    const decided = await api.request('biz-manager', 'POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/complete`, { json: { outcome: task.outcomes[0] } });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const next = decided.body.nextTasks[0];
    const second = await eventually(() => shown(processId), (s) => s.details.includes(next.name.en));
    expect(second.details).toContain(`waiting for ${next.name.en} (${next.name.zh}) by ${next.candidateIds.join(', ')} since ${next.createdAt}`);
    expect(second.details).not.toContain(task.name.en);
    // The summary stays what the instance was started with.
    expect(second.summary).toBe(first.summary);
  });
});
