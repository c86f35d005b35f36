// The Temporal dev server that scripts/temporal-tools.ts provides (the CLI built with Go) starts
// within the SDK's window and runs a workflow with a real timer.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devServerExecutable, toolsOptionsFromEnv } from '../../scripts/temporal-tools.ts';
import type { sleepWorkflow } from '../workflows/fixtures/sleep-workflow.ts';

const workflowsPath = fileURLToPath(new URL('../workflows/fixtures/sleep-workflow.ts', import.meta.url));
/** On a fresh machine the first run builds the Temporal CLI with Go: several minutes on 2 cores. */
const SETUP_TIMEOUT_MS = 15 * 60_000;

describe('Temporal dev server', () => {
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    const executable = await devServerExecutable({ ...toolsOptionsFromEnv(), log: (message) => console.log(message) });
    const started = performance.now();
    env = await TestWorkflowEnvironment.createLocal({ server: { executable } });
    console.log(`dev server (${executable.type}) started in ${Math.round(performance.now() - started)} ms`);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow with a one-second timer', async () => {
    const { client, nativeConnection } = env!;
    const taskQueue = `dev-server-${randomUUID()}`;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath });

    const started = performance.now();
    const result = await worker.runUntil(
      client.workflow.execute<typeof sleepWorkflow>('sleepWorkflow', {
        args: ['1 second'],
        taskQueue,
        workflowId: `sleep-${randomUUID()}`,
      }),
    );
    const wallMs = performance.now() - started;
    console.log(`a 1 s timer took ${Math.round(wallMs)} ms`);

    expect(result.finishedAt - result.startedAt).toBeGreaterThanOrEqual(1000);
    expect(wallMs).toBeGreaterThanOrEqual(1000);
    expect(wallMs).toBeLessThan(30_000);
  }, 120_000);
});
