// Who may call the adjudication routes (docs/access.md). The service decides with the same rules
// (rules.ts): mayRaiseDispute and mayReadAdjudication.
import { permission, type AccessDeclaration } from '../../platform/access.ts';
import { mayRaiseDispute, mayReadAdjudication } from './rules.ts';

export const disputeRaisers = permission<{ partyDepartmentIds: readonly string[] }>({
  id: 'overlap.dispute',
  ruleIds: ['OVL-7', 'OVL-1'],
  who: "the Marketing Director and the Department Manager of a party's department",
  allows: (subject, dispute) => mayRaiseDispute(subject, dispute.partyDepartmentIds),
});

export type AdjudicationFacts = Parameters<typeof mayReadAdjudication>[1];

export const adjudicationReaders = permission<AdjudicationFacts>({
  id: 'overlap.adjudication.view',
  ruleIds: ['OVL-1', 'SEC-1'],
  who: "its parties, its raiser, the parties' Department Managers, the Deputy GMs, the GM, the Marketing Director and the Marketing VP",
  allows: (subject, adjudication) => mayReadAdjudication(subject, adjudication),
});

export const adjudicationScorers = permission<AdjudicationFacts>({
  id: 'overlap.adjudication.score',
  ruleIds: ['OVL-2', 'OVL-3'],
  who: 'whoever reads it; only a committee member with a scoring task open scores (anyone else: 409 NO_SCORE_TASK, as for a task decision)',
  allows: (subject, adjudication) => adjudicationReaders.allows(subject, adjudication),
});

export const overlapAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/customers/{id}/adjudications', permission: disputeRaisers },
    { method: 'GET', path: '/api/v1/adjudications/{id}', permission: adjudicationReaders, knownTo: adjudicationReaders },
    { method: 'POST', path: '/api/v1/adjudications/{id}/scores', permission: adjudicationScorers, knownTo: adjudicationReaders },
  ],
};
