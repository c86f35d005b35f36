// The daily chain checkpoint (issue 17; started by the Schedule in api/chain-checkpoints.ts). Its
// result, the signed head of each hash chain, stays in Temporal's history: a witness the database
// owner cannot rewrite. `npm run verify:register` and `verify:audit` compare the chains with it.
import { proxyActivities } from '@temporalio/workflow';
import type { CheckpointActivities } from './activities.ts';
import type { ChainCheckpoint } from './rules.ts';

const { checkpointChainHeads } = proxyActivities<CheckpointActivities>({
  startToCloseTimeout: '5 minutes',
  // A database that is down is waited for; a missing key fails at once (non-retryable).
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', maximumAttempts: 50 },
});

export async function chainCheckpoint(): Promise<ChainCheckpoint[]> {
  return checkpointChainHeads();
}
