// What a request that waits on a workflow answers when the workflow is slow or Temporal refuses:
// a deadline (API_WORKFLOW_WAIT_MS) instead of an open connection, 202 once a decision is
// accepted, and Temporal's errors mapped by their gRPC status, on the real Temporal dev server
// (the time-skipping test server does not enforce the frontend's limits).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, issueToken } from '../../platform/http/auth.ts';
import type { EngineClient } from '../../engine/client.ts';
import { grpcStatusOf, toProblem } from '../../platform/http/problem.ts';
import { testApp, unreachableEngine } from '../support/app.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

const secret = 'workflow-answers-secret-of-at-least-32-characters';

let engine: EngineHarness;

/** A review, then a notice sent by a service task (an ordinary activity writing `notifications`). */
const reviewThenNotice: ProcessDefinitionInput = {
  key: 'test.review-then-notice',
  version: 1,
  name: { en: 'Review then notice', zh: 'Review then notice' },
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'review' },
    {
      id: 'review',
      type: 'userTask',
      name: { en: 'Review', zh: '审核' },
      candidates: { anyOf: [{ role: 'department_manager', department: 'initiator.departmentId' }] },
      outcomes: ['approve'],
      next: { approve: 'tell' },
    },
    { id: 'tell', type: 'serviceTask', activity: 'notify', input: { userIds: '[initiator.id]', text: '"reviewed"' }, next: 'done' },
    { id: 'done', type: 'endEvent', status: 'done' },
  ],
};

beforeAll(async () => {
  engine = await startEngine({ server: 'dev' });
  await engine.publish(reviewThenNotice);
}, 120_000);
afterAll(() => engine?.teardown());

function appWaiting(waitMs: number) {
  const client: EngineClient = { client: engine.client, taskQueue: engine.taskQueue, waitMs };
  return testApp({ sql: engine.db.sql, engine: client, authenticator: createAuthenticator({ secret }) });
}

async function decide(waitMs: number, taskId: string, userId: string, key: string) {
  const response = await appWaiting(waitMs).request(`/api/v1/tasks/${encodeURIComponent(taskId)}/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await issueToken(secret, userId)}`, 'idempotency-key': key },
    body: JSON.stringify({ outcome: 'approve' }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** A process at its first task, with the task in the inbox. */
async function processAtFirstTask(): Promise<{ processId: string; taskId: string }> {
  const processId = await engine.start({ key: 'test.review-then-notice', version: 1 }, 'finance-clerk');
  const [task] = await openTasks(engine, processId);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const [row] = await engine.db.sql`select 1 from tasks where id = ${task!.id}`;
    if (row) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { processId, taskId: task!.id };
}

describe('a decision waits at most API_WORKFLOW_WAIT_MS', () => {
  it('a decision the workflow accepted but has not finished acting on is a 202 with links to poll, and is carried out', async () => {
    const { processId, taskId } = await processAtFirstTask();
    // The notice's write blocks (a long transaction holds the table), so the workflow accepts the
    // decision but cannot finish acting on it: a slow database or service, as in production.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const lock = engine.db.sql.begin(async (tx) => {
      await tx`lock table notifications in exclusive mode`;
      locked();
      await held;
    });
    await isLocked;
    let answer;
    try {
      const started = Date.now();
      answer = await decide(1_500, taskId, 'finance-manager', randomUUID());
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      release();
      await lock;
    }
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      status: 'accepted',
      processId,
      taskId,
      links: { process: `/api/v1/processes/${processId}`, task: `/api/v1/tasks/${encodeURIComponent(taskId)}` },
    });
    expect(answer.headers.get('location')).toBe(`/api/v1/processes/${processId}`);
    // Durable once accepted: the decision is carried out without being sent again.
    let row: { state: string; decided_by: string } | undefined;
    for (let attempt = 0; attempt < 200 && row?.state !== 'completed'; attempt += 1) {
      [row] = await engine.db.sql<{ state: string; decided_by: string }[]>`select state, decided_by from tasks where id = ${taskId}`;
      if (row?.state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(row).toEqual({ state: 'completed', decided_by: 'finance-manager' });
    expect((await engine.client.workflow.getHandle(processId).result()) as { status: string }).toMatchObject({ status: 'done' });
  }, 60_000);

  it('a decision no worker takes up in time is a 503 with Retry-After, not an open connection', async () => {
    // A real instance on a task queue no worker polls: Temporal is up, nobody runs the workflow.
    const processId = `unattended-${randomUUID()}`;
    await engine.client.workflow.start('runProcess', { workflowId: processId, taskQueue: `nobody-${randomUUID()}`, args: [] });
    await engine.db.sql`insert into process_instances (id, definition_key, definition_version, initiator_id, status, started_at)
                        values (${processId}, 'test.review-then-notice', 1, 'finance-clerk', 'running', now())`;
    const taskId = `${processId}:review`;
    await engine.db.sql`insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, outcomes, created_at)
                        values (${taskId}, ${processId}, 'review', 'Review', '审核', 'open', '{finance-manager}', '{approve}', now())`;
    const started = Date.now();
    const refused = await decide(1_000, taskId, 'finance-manager', randomUUID());
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    await engine.client.workflow.getHandle(processId).terminate();
  }, 30_000);
});

describe('Temporal errors are mapped by their gRPC status', () => {
  const namespace = 'default';

  it('NOT_FOUND from the server is a 404', async () => {
    const error = await engine.client.workflowService
      .describeWorkflowExecution({ namespace, execution: { workflowId: `missing-${randomUUID()}` } })
      .then(() => expect.fail('expected NOT_FOUND'), (e: unknown) => e);
    expect(grpcStatusOf(error)?.code).toBe(5);
    expect(toProblem(error)).toMatchObject({ body: { status: 404, code: 'PROCESS_NOT_FOUND' }, headers: {} });
  });

  it('ALREADY_EXISTS from the server is a 409', async () => {
    const start = () =>
      engine.client.workflowService.startWorkflowExecution({
        namespace,
        workflowId: 'already-exists-1',
        workflowType: { name: 'runProcess' },
        taskQueue: { name: `nobody-polls-${engine.taskQueue}` },
        requestId: randomUUID(),
      });
    await start();
    const error = await start().then(() => expect.fail('expected ALREADY_EXISTS'), (e: unknown) => e);
    expect(grpcStatusOf(error)?.code).toBe(6);
    expect(toProblem(error)).toMatchObject({ body: { status: 409, code: 'PROCESS_ALREADY_EXISTS' }, headers: {} });
  });

  it('INVALID_ARGUMENT from the server is a 400, and never asks for a retry', async () => {
    const error = await engine.client.workflowService
      .startWorkflowExecution({ namespace, workflowId: 'x'.repeat(2_000), workflowType: { name: 'runProcess' }, taskQueue: { name: 'nobody' }, requestId: randomUUID() })
      .then(() => expect.fail('expected INVALID_ARGUMENT'), (e: unknown) => e);
    expect(grpcStatusOf(error)?.code).toBe(3);
    const { body, headers } = toProblem(error);
    expect(body).toMatchObject({ status: 400, code: 'PROCESS_REFUSED_INPUT' });
    expect(headers['retry-after']).toBeUndefined();
  });

  it('a message larger than the server takes is a 413', async () => {
    const error = await engine.client.workflowService
      .signalWorkflowExecution({
        namespace,
        workflowExecution: { workflowId: 'already-exists-1' }, // started by the test above
        signalName: 'x',
        requestId: randomUUID(),
        input: { payloads: [{ metadata: { encoding: new TextEncoder().encode('binary/plain') }, data: new Uint8Array(3 * 1024 * 1024) }] },
      })
      .then(() => expect.fail('expected the size to be refused'), (e: unknown) => e);
    expect(toProblem(error)).toMatchObject({ body: { status: 413, code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('UNAVAILABLE and DEADLINE_EXCEEDED (a server that does not answer) are a 503 with Retry-After', async () => {
    // A closed port: nothing answers.
    const { client } = unreachableEngine();
    const error = await client
      .withDeadline(Date.now() + 300, () => client.workflowService.getSystemInfo({}))
      .then(() => expect.fail('expected the call to fail'), (e: unknown) => e);
    expect([4, 14]).toContain(grpcStatusOf(error)?.code);
    const { body, headers } = toProblem(error);
    expect(body).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    expect(Number(headers['retry-after'])).toBeGreaterThan(0);
  });
});
