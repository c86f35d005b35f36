// Who may call the archiving campaigns' routes (docs/access.md).
import { permission, type AccessDeclaration } from '../../platform/access.ts';
import { keepsHeldOriginals, managedDepartments, managesDepartment, mayOpenCampaign, mayOverseeCampaigns } from './rules.ts';

export const campaignOpeners = permission({ id: 'campaigns.open', ruleIds: ['CYC-1', 'CYC-3'], who: 'the Archivist and the Office Director', allows: (subject) => mayOpenCampaign(subject.roles) });

export const campaignOverseers = permission({
  id: 'campaigns.oversee',
  ruleIds: ['CYC-2'],
  who: 'the Archivist, the Office Director, the GM and the Deputy GMs',
  allows: (subject) => mayOverseeCampaigns(subject.roles),
});

export const handOverFilers = permission({ id: 'campaigns.hand-over', ruleIds: ['CYC-3'], who: 'a Department Manager, for their department', allows: (subject) => managedDepartments(subject.roles).length > 0 });

export const handOverViewers = permission<{ departmentId: string }>({
  id: 'campaigns.hand-over.view',
  ruleIds: ['CYC-2'],
  who: "the department's manager and those who oversee campaigns",
  allows: (subject, handOver) => managesDepartment(subject.roles, handOver.departmentId) || mayOverseeCampaigns(subject.roles),
});

export const heldOriginalKeepers = permission({ id: 'campaigns.held-originals.record', ruleIds: ['ARC-3'], who: 'the Archivist', allows: (subject) => keepsHeldOriginals(subject.roles) });

export const campaignsAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/campaigns', permission: campaignOpeners },
    { method: 'GET', path: '/api/v1/campaigns', permission: campaignOverseers },
    { method: 'GET', path: '/api/v1/campaigns/{id}/report', permission: campaignOverseers, knownTo: campaignOverseers },
    { method: 'POST', path: '/api/v1/hand-overs', permission: handOverFilers },
    { method: 'GET', path: '/api/v1/hand-overs/{id}', permission: handOverViewers, knownTo: handOverViewers },
    { method: 'POST', path: '/api/v1/held-originals', permission: heldOriginalKeepers },
    { method: 'GET', path: '/api/v1/held-originals', permission: campaignOverseers },
  ],
};
