// The time-skipping test server (the Java one that scripts/temporal-tools.ts provides) really skips
// time: a workflow sleeping 120 days finishes in seconds, and sees its clock move by 120 days.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServerExecutable, toolsOptionsFromEnv } from '../../scripts/temporal-tools.ts';
import type { sleepWorkflow } from './fixtures/sleep-workflow.ts';

const workflowsPath = fileURLToPath(new URL('./fixtures/sleep-workflow.ts', import.meta.url));
const DAY_MS = 24 * 60 * 60 * 1000;
/** On a fresh machine the first run resolves the server with Maven before starting it. */
const SETUP_TIMEOUT_MS = 10 * 60_000;

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    const executable = await testServerExecutable({ ...toolsOptionsFromEnv(), log: (message) => console.log(message) });
    const started = performance.now();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
    console.log(`time-skipping server (${executable.type}) started in ${Math.round(performance.now() - started)} ms`);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow that sleeps 120 days in seconds', async () => {
    const { client, nativeConnection } = env!;
    const taskQueue = `time-skipping-${randomUUID()}`;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath });

    const started = performance.now();
    const result = await worker.runUntil(
      client.workflow.execute<typeof sleepWorkflow>('sleepWorkflow', {
        args: ['120 days'],
        taskQueue,
        workflowId: `sleep-${randomUUID()}`,
      }),
    );
    const wallMs = performance.now() - started;
    console.log(`120 days of workflow time took ${Math.round(wallMs)} ms`);

    expect(result.finishedAt - result.startedAt).toBeGreaterThanOrEqual(120 * DAY_MS);
    expect(wallMs).toBeLessThan(60_000);
  }, 120_000);
});
