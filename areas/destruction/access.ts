// Who may call the retention and destruction routes (docs/access.md), and the separation of duties
// its decisions keep. The service decides through these permissions (service.ts: demand(...)).
import { permission, type AccessDeclaration, type DutyRule } from '../../platform/access.ts';
import { destructionRoles, holdsRole, mayViewDestructionRequest } from './rules.ts';

const roles = (id: string, ruleIds: string[], who: string, wanted: keyof typeof destructionRoles) => permission({ id, ruleIds, who, allows: (subject) => holdsRole(subject, destructionRoles[wanted]) });

export const holdKeepers = roles('destruction.hold', ['DES-2'], 'the Office Director', 'holds');
export const retentionReviewers = roles('destruction.candidates', ['DES-2'], 'the Archivist and the Office Director', 'retentionReview');
export const destructionFilers = roles('destruction.file', ['DES-1', 'DES-4'], 'the Archivist', 'archivist');
export const registerReaders = roles('destruction.register', ['DES-4'], 'the Archivist, the Office Director, the GM and the Deputy GMs', 'archiveReaders');

/** What the request's viewers are decided on. */
export type DestructionFacts = Parameters<typeof mayViewDestructionRequest>[1];

export const destructionViewers = permission<DestructionFacts>({
  id: 'destruction.request.view',
  ruleIds: ['DES-4', 'ACC-3'],
  who: 'the Archivist, the Office Director, the GM and the Deputy GMs, its requester, supervisors and deciders (Top Secret titles and references withheld from all but the archive\'s roles)',
  allows: (subject, request) => mayViewDestructionRequest(subject, request),
});

export const destructionVerifiers = permission<DestructionFacts>({
  id: 'destruction.verify',
  ruleIds: ['DES-4'],
  who: 'the Archivist',
  allows: (subject, request) => mayViewDestructionRequest(subject, request) && holdsRole(subject, destructionRoles.archivist),
});

export const destructionDuties: readonly DutyRule[] = [
  {
    id: 'SOD-2',
    ruleIds: ['SOD-2', 'DES-5'],
    rule: 'The supervisor of a destruction is neither its final approver (nor the principal a delegate approved for), nor any other approver of it, nor an Archivist (the requesting one included).',
    enforcedBy: 'areas/destruction/decision-guards.ts (at the decision, 422 INVALID_DESIGNATION) and designateSupervisors in the process',
  },
];

export const destructionAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/documents/{id}/holds', permission: holdKeepers },
    { method: 'POST', path: '/api/v1/documents/{id}/holds/{holdId}/release', permission: holdKeepers },
    { method: 'GET', path: '/api/v1/destruction-candidates', permission: retentionReviewers },
    { method: 'POST', path: '/api/v1/destruction-requests', permission: destructionFilers },
    { method: 'GET', path: '/api/v1/destruction-requests/{id}', permission: destructionViewers, knownTo: destructionViewers },
    { method: 'POST', path: '/api/v1/destruction-requests/{id}/verification', permission: destructionVerifiers, knownTo: destructionViewers },
    { method: 'GET', path: '/api/v1/destruction-register', permission: registerReaders },
  ],
  duties: destructionDuties,
};
