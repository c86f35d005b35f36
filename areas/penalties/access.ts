// Who may call the penalty ledger's routes (docs/access.md).
import { permission, signedIn, type AccessDeclaration } from '../../platform/access.ts';
import { decidesPenalties, mayPropose, readsWholeLedger } from './rules.ts';

export const ledgerReaders = permission({ id: 'penalties.ledger', ruleIds: ['CUS-2'], who: 'HR, the Marketing Director and the GM', allows: (subject) => readsWholeLedger(subject) });

export const penaltyViewers = permission<{ personId: string }>({
  id: 'penalties.view',
  ruleIds: ['CUS-2'],
  who: 'the person fined, HR, the Marketing Director and the GM',
  allows: (subject, penalty) => readsWholeLedger(subject) || penalty.personId === subject.id,
});

export const penaltyProposers = permission<{ personId: string; departmentId: string }>({
  id: 'penalties.propose',
  ruleIds: ['CUS-2'],
  who: "HR for anyone; a Department Manager for the people of their department; never for oneself",
  allows: (subject, person) => mayPropose(subject, person) && person.personId !== subject.id,
});

export const penaltyDeciders = permission<{ personId: string }>({
  id: 'penalties.decide',
  ruleIds: ['CUS-2', 'SOD-3'],
  who: 'HR, never on their own fine',
  allows: (subject, penalty) => decidesPenalties(subject) && penalty.personId !== subject.id,
});

export const penaltiesAccess: AccessDeclaration = {
  routes: [
    { method: 'GET', path: '/api/v1/penalties', permission: signedIn },
    { method: 'POST', path: '/api/v1/penalties', permission: penaltyProposers },
    { method: 'GET', path: '/api/v1/penalties/totals', permission: ledgerReaders },
    { method: 'GET', path: '/api/v1/penalties/{id}', permission: penaltyViewers, knownTo: penaltyViewers },
    { method: 'POST', path: '/api/v1/penalties/{id}/decision', permission: penaltyDeciders },
  ],
};
