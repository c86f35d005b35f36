import { roles, type Role } from '../../platform/organisation/model.ts';

/** Roles a candidate rule may name: the organisation's roles, and the Deputy GM in charge of a department. */
export type CandidateRole = Role | 'deputy_gm_in_charge';

export function isCandidateRole(value: string): value is CandidateRole {
  return value === 'deputy_gm_in_charge' || (roles as readonly string[]).includes(value);
}

/** A candidate spec with its FEEL already evaluated by the workflow. */
export type ResolvedSpec = { user: string } | { role: string; department?: string };
export interface ResolvedRule {
  anyOf: ResolvedSpec[];
  fallback?: ResolvedRule | undefined;
}
