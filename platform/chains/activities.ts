// The checkpoint workflow's one activity: reads each chain's head and signs it with
// CHAIN_CHECKPOINT_KEY. The signed heads become the workflow's result, kept in Temporal's history.
import { ApplicationFailure } from '@temporalio/activity';
import { readChainHead, signCheckpoint } from './sql.ts';
import type { Sql } from '../db/client.ts';
import { chainNames, type ChainCheckpoint } from './rules.ts';

export function createCheckpointActivities(deps: { sql: Sql; checkpointKey?: string }) {
  return {
    async checkpointChainHeads(): Promise<ChainCheckpoint[]> {
      const key = deps.checkpointKey;
      if (key === undefined) {
        throw ApplicationFailure.nonRetryable('CHAIN_CHECKPOINT_KEY is not set on this worker: the chain heads cannot be signed', 'CHAIN_CHECKPOINT_KEY_MISSING');
      }
      // Read in one transaction, so the heads are of one moment; nothing else is awaited inside it.
      const heads = await deps.sql.begin('isolation level repeatable read read only', async (tx) => {
        const at = new Date();
        const read = [];
        for (const chain of chainNames) read.push(await readChainHead(tx, chain, at));
        return read;
      });
      return heads.map((head) => signCheckpoint(key, head));
    },
  };
}

export type CheckpointActivities = ReturnType<typeof createCheckpointActivities>;
