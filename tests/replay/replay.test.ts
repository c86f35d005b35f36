// Histories recorded from the engine's own suites (tests/replay/histories) are replayed against
// the current workflow code: a change that would break running instances fails here.
// Refresh them deliberately, with `RECORD_REPLAY_HISTORIES=tests/replay/histories npm test`,
// only when a change is guarded with patched() or no instance of the old code can be running.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { sharedBundle } from '../support/engine.ts';

// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
const { temporal } = proto;

const root = fileURLToPath(new URL('./histories/', import.meta.url));

async function historyFiles(): Promise<string[]> {
  const suites = await readdir(root);
  const files = await Promise.all(suites.map(async (suite) => (await readdir(path.join(root, suite))).map((file) => path.join(suite, file))));
  return files.flat().sort();
}

/** The instance's id, which the interpreter reads from workflowInfo(): the one in the recorded input. */
function recordedWorkflowId(history: proto.temporal.api.history.v1.IHistory): string {
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input = JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as { processId: string };
  return input.processId;
}

describe('replay of recorded histories', async () => {
  const files = await historyFiles();

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('replays %s deterministically', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(await readFile(path.join(root, file), 'utf8')));
    await Worker.runReplayHistory({ workflowBundle: await sharedBundle() }, history, recordedWorkflowId(history));
  });
});
