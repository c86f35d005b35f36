// Anchored chains (issue 17). The hash chains of the destruction register (DES-4) and the audit
// trail prove that no row was changed in place, but whoever may rewrite the tables may also
// delete their tail, or recompute every hash. So each day a checkpoint workflow records each
// chain's head (its last number, its row count, its last hash) as its result in Temporal's
// history, which the database's owner cannot rewrite, with an HMAC under CHAIN_CHECKPOINT_KEY, a
// key the database never holds. The verifiers compare the chain with the latest checkpoint. The
// heads are read and signed in db/chain-checkpoints.ts.
export const chainNames = ['register', 'audit'] as const;
export type ChainName = (typeof chainNames)[number];

/** The prev_hash of a chain's first row, and the head of an empty chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The table each chain lives in. */
export const chainTables: Record<ChainName, string> = { register: 'destruction_register', audit: 'audit_log' };

/** The checkpoint workflow's type, as Temporal lists it (workflows/checkpoint.ts). */
export const chainCheckpointWorkflowType = 'chainCheckpoint';

/** A chain's head as the checkpoint recorded it. */
export interface ChainHead {
  chain: ChainName;
  /** The highest number in the chain ('0' when it is empty), as text: seq is a bigint. */
  lastSeq: string;
  rowCount: number;
  /** The hash of the row numbered lastSeq (the genesis hash for an empty chain). */
  headHash: string;
  /** When the head was read (ISO 8601). */
  checkedAt: string;
}

export interface ChainCheckpoint extends ChainHead {
  /** HMAC-SHA256 (hex) of the fields above under CHAIN_CHECKPOINT_KEY. */
  hmac: string;
}
