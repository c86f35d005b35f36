// How the votes of a multi-instance user task combine into one outcome.

export type Completion = 'all' | 'any' | 'veto' | { ratio: number };

export interface Tally {
  total: number;
  approvals: number;
  rejections: number;
}

/**
 * The outcome once it is decided, or undefined while more votes are needed.
 * all 会签: everyone votes; approved only if all approve · any 或签: the first vote decides ·
 * veto: the first rejection decides, otherwise all must approve · ratio: approved once the share
 * of approvals reaches it, rejected once it no longer can.
 */
export function multiInstanceOutcome(completion: Completion, tally: Tally): 'approve' | 'reject' | undefined {
  const { total, approvals, rejections } = tally;
  const decided = approvals + rejections;
  if (completion === 'any') {
    if (decided === 0) return undefined;
    return approvals > 0 ? 'approve' : 'reject';
  }
  if (completion === 'veto') {
    if (rejections > 0) return 'reject';
    return approvals === total ? 'approve' : undefined;
  }
  if (completion === 'all') {
    if (decided < total) return undefined;
    return approvals === total ? 'approve' : 'reject';
  }
  const needed = Math.ceil(completion.ratio * total - 1e-9);
  if (approvals >= needed) return 'approve';
  if (total - rejections < needed) return 'reject';
  return undefined;
}

export interface VoteResult {
  verdict: 'approve' | 'reject';
  /** The index of the deciding vote: the one that carries the verdict (#22.5). */
  deciding: number;
}

/**
 * The verdict of votes in the order they were accepted, reached at the first vote after which
 * the completion rule decides; later votes do not change it. 或签 (`any`): the first vote decides.
 * The deciding vote is the one that reached the verdict or, when that vote went the other way
 * (会签 closed by a late approval after a rejection), the latest earlier vote for the verdict.
 */
export function voteResult(completion: Completion, total: number, votes: ('approve' | 'reject')[]): VoteResult | undefined {
  const tally = { total, approvals: 0, rejections: 0 };
  for (const [index, vote] of votes.entries()) {
    if (vote === 'approve') tally.approvals += 1;
    else tally.rejections += 1;
    const verdict = multiInstanceOutcome(completion, tally);
    if (!verdict) continue;
    let deciding = index;
    while (votes[deciding] !== verdict && deciding > 0) deciding -= 1;
    return { verdict, deciding };
  }
  return undefined;
}

/** The outcome of a task with one instance per item, once its completion rule is met. */
export const ITEMS_COMPLETED = 'completed';

/**
 * Whether the instances of a task with one instance per item are complete: `all` once every
 * item's task is decided (whatever each outcome), `any` at the first decision. No items: at once.
 */
export function itemsComplete(completion: 'all' | 'any', total: number, decided: number): boolean {
  if (total === 0) return true;
  return completion === 'all' ? decided >= total : decided > 0;
}
