// The head of each hash chain as the daily checkpoint records it, and the checkpoint's HMAC under
// CHAIN_CHECKPOINT_KEY (domain/chain-checkpoint.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { chainTables, GENESIS_HASH, type ChainCheckpoint, type ChainHead, type ChainName } from './rules.ts';
import type { Queryable } from '../db/client.ts';

/** One snapshot: the count, the last number and its hash are read together. */
export async function readChainHead(sql: Queryable, chain: ChainName, checkedAt: Date): Promise<ChainHead> {
  const table = sql(chainTables[chain]);
  const [row] = await sql<{ lastSeq: string | null; rowCount: number; headHash: string | null }[]>`
    select (select seq::text from ${table} order by seq desc limit 1) as "lastSeq",
           (select count(*)::int from ${table}) as "rowCount",
           (select hash from ${table} order by seq desc limit 1) as "headHash"`;
  return { chain, lastSeq: row!.lastSeq ?? '0', rowCount: row!.rowCount, headHash: row!.headHash ?? GENESIS_HASH, checkedAt: checkedAt.toISOString() };
}

function hmacOf(key: string, head: ChainHead): Buffer {
  return createHmac('sha256', key).update([head.chain, head.lastSeq, head.rowCount, head.headHash, head.checkedAt].join('|'), 'utf8').digest();
}

export function signCheckpoint(key: string, head: ChainHead): ChainCheckpoint {
  const { chain, lastSeq, rowCount, headHash, checkedAt } = head;
  return { chain, lastSeq, rowCount, headHash, checkedAt, hmac: hmacOf(key, head).toString('hex') };
}

/** Whether the checkpoint was signed under `key`, i.e. written by the checkpoint workflow and not altered. */
export function checkpointIsAuthentic(key: string, checkpoint: ChainCheckpoint): boolean {
  const given = Buffer.from(checkpoint.hmac, 'hex');
  const expected = hmacOf(key, checkpoint);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
