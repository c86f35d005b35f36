// Who may call the delegation routes (docs/access.md).
import { permission, signedIn, type AccessDeclaration } from '../../platform/access.ts';
import { holdsRole } from '../../platform/organisation/model.ts';
import { isDelegationOverseer, principalRoles } from './rules.ts';

export interface DelegationFacts {
  principalId: string;
  delegateId: string;
}

export const delegationPrincipals = permission({ id: 'delegation.give', ruleIds: ['BOR-7'], who: 'the GM', allows: (subject) => holdsRole(subject.roles, principalRoles) });

export const delegationViewers = permission<DelegationFacts>({
  id: 'delegation.view',
  ruleIds: ['BOR-7'],
  who: 'its principal, its delegate, the GM and the Office Director',
  allows: (subject, delegation) => delegation.principalId === subject.id || delegation.delegateId === subject.id || isDelegationOverseer(subject.roles),
});

export const delegationRevokers = permission<DelegationFacts>({ id: 'delegation.revoke', ruleIds: ['BOR-7'], who: 'its principal', allows: (subject, delegation) => delegation.principalId === subject.id });

export const delegationAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/delegations', permission: delegationPrincipals },
    { method: 'GET', path: '/api/v1/delegations', permission: signedIn },
    { method: 'GET', path: '/api/v1/delegations/{id}', permission: delegationViewers, knownTo: delegationViewers },
    { method: 'POST', path: '/api/v1/delegations/{id}/revoke', permission: delegationRevokers, knownTo: delegationViewers },
  ],
};
