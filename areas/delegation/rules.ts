// Powers of attorney 委托书 (BOR-7): who may delegate approval to whom, when a delegation is in
// force, and when two delegations would cover the same decision. Pure: no I/O.
import { PolicyViolation } from '../../platform/errors.ts';
import { holdsRole, type Role, type RoleGrant } from '../../platform/organisation/model.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';

export const delegationStatuses = ['scheduled', 'active', 'expired', 'revoked'] as const;
export type DelegationStatus = (typeof delegationStatuses)[number];

/** BOR-3: Top Secret archives are never accessed, so no power of attorney reaches them. */
export const delegableSecrecyLevels = ['none', 'secret', 'confidential'] as const satisfies readonly SecrecyLevel[];
export type DelegableSecrecy = (typeof delegableSecrecyLevels)[number];

/** BOR-7: only the GM delegates approval. */
export const principalRoles: readonly Role[] = ['gm'];
/** BOR-7: ... to a Deputy GM or the Office Director. */
export const delegateRoles: readonly Role[] = ['deputy_gm', 'office_director'];

/** A validity period, [validFrom, validTo): in force from its first instant, no longer at its last. */
export interface Validity {
  validFrom: Date;
  validTo: Date;
}

/** The processes a delegation covers: null means every process. */
export type ProcessScope = readonly string[] | null;

/** What the rules need to know about a delegation already on record. */
export interface RecordedDelegation extends Validity {
  id: string;
  processKeys: ProcessScope;
  revokedAt: Date | null;
}

export function delegationStatus(delegation: Validity & { revokedAt: Date | null }, at: Date): DelegationStatus {
  if (delegation.revokedAt !== null) return 'revoked';
  if (at < delegation.validFrom) return 'scheduled';
  if (at < delegation.validTo) return 'active';
  return 'expired';
}

export function validitiesOverlap(a: Validity, b: Validity): boolean {
  return a.validFrom < b.validTo && b.validFrom < a.validTo;
}

export function scopesIntersect(a: ProcessScope, b: ProcessScope): boolean {
  return a === null || b === null || a.some((key) => b.includes(key));
}

/**
 * BOR-7: the delegate acts within the power of attorney's scope and validity, so two live
 * delegations of one principal may not cover the same process at the same moment (the database
 * enforces the same, see 0004_delegations.sql).
 */
export function delegationsClash(a: Validity & { processKeys: ProcessScope }, b: Validity & { processKeys: ProcessScope }): boolean {
  return validitiesOverlap(a, b) && scopesIntersect(a.processKeys, b.processKeys);
}

export interface DelegationRequest extends Validity {
  principal: { id: string; roles: readonly Pick<RoleGrant, 'role'>[] };
  delegate: { id: string; active: boolean; roles: readonly Pick<RoleGrant, 'role'>[] };
  processKeys: ProcessScope;
}

/**
 * Refuses a delegation the policy does not allow, with the first reason found; returns nothing
 * when it is allowed. `given` are the principal's own delegations, `held` those the principal
 * holds as a delegate; `now` is the time of the request.
 */
export function checkDelegation(
  request: DelegationRequest,
  records: { given: readonly RecordedDelegation[]; held: readonly RecordedDelegation[] },
  now: Date,
): void {
  if (request.validFrom >= request.validTo) {
    throw new PolicyViolation('VALID_FROM_NOT_BEFORE_VALID_TO', undefined, 'validFrom must be before validTo.', [{ path: 'validTo', message: 'must be after validFrom' }]);
  }
  if (request.validTo <= now) {
    throw new PolicyViolation('VALIDITY_IN_PAST', undefined, 'A power of attorney that has already ended cannot be given.', [
      { path: 'validTo', message: 'must be in the future' },
    ]);
  }
  if (request.principal.id === request.delegate.id) {
    throw new PolicyViolation('SELF_DELEGATION', 'BOR-7', 'Nobody delegates approval to themselves.', [{ path: 'delegateId', message: 'is the principal' }]);
  }
  // [interpretation] The delegate acts within the power of attorney; passing it on is not within
  // it. A delegate may not delegate while their power of attorney is in force, nor for a period
  // that overlaps it.
  const holding = records.held.find((held) => held.revokedAt === null && (delegationStatus(held, now) === 'active' || validitiesOverlap(held, request)));
  if (holding) {
    throw new PolicyViolation('REDELEGATION_FORBIDDEN', 'BOR-7', `A delegate may not delegate further: ${request.principal.id} holds delegation ${holding.id}.`);
  }
  if (!holdsRole(request.principal.roles, principalRoles)) {
    throw new PolicyViolation('PRINCIPAL_NOT_GM', 'BOR-7', 'Only the GM may delegate approval.');
  }
  if (!holdsRole(request.delegate.roles, delegateRoles)) {
    throw new PolicyViolation('DELEGATE_NOT_ELIGIBLE', 'BOR-7', 'Approval may be delegated only to a Deputy GM or the Office Director.', [
      { path: 'delegateId', message: 'is neither a Deputy GM nor the Office Director' },
    ]);
  }
  if (!request.delegate.active) {
    throw new PolicyViolation('DELEGATE_INACTIVE', 'BOR-7', `${request.delegate.id} no longer works here.`, [{ path: 'delegateId', message: 'is not an active user' }]);
  }
  const clash = records.given.find((given) => given.revokedAt === null && delegationsClash(given, request));
  if (clash) {
    throw new PolicyViolation('DELEGATION_OVERLAP', 'BOR-7', `Delegation ${clash.id} already covers part of this period for some of these processes.`);
  }
}

export function isDelegationOverseer(grants: readonly Pick<RoleGrant, 'role'>[]): boolean {
  // The GM gives powers of attorney and the Office Director keeps the GM Office's records.
  return holdsRole(grants, ['gm', 'office_director']);
}

/** The power of attorney's title in the archive register (ARC-1), in the policy's two languages. */
export function powerOfAttorneyTitle(principal: { displayName: string; displayNameZh: string }, delegate: { displayName: string; displayNameZh: string }, validity: Validity): string {
  const period = `${validity.validFrom.toISOString()} – ${validity.validTo.toISOString()}`;
  return `委托书 ${principal.displayNameZh} → ${delegate.displayNameZh} / Power of attorney ${principal.displayName} → ${delegate.displayName}, ${period}`;
}

// The day a document is archived is the archive's rule (customers reads it here until it moves to the archive's index).
export { archiveDate } from '../archive/index.ts';

/** The process instance that lives a delegation (its start and end): `delegation-<id>`. */
export function delegationProcessId(delegationId: string): string {
  return `delegation-${delegationId}`;
}

/** Where the archive keeps powers of attorney (ARC-2: the GM Office's archive room). */
export const POWER_OF_ATTORNEY_LOCATION = 'GM Office archive room';

/** The document of a delegation has a natural id, so a retried registration finds the same row. */
export function powerOfAttorneyDocumentId(delegationId: string): string {
  return `poa-${delegationId}`;
}
