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
