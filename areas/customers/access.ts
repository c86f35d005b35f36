// Who may call the customer routes (docs/access.md): SEC-1's tiers, OVL-8's protections and
// co-development, SEC-5's departures. The services decide with the same rules (rules.ts).
import { permission, signedIn, type AccessDeclaration } from '../../platform/access.ts';
import {
  customerProcessKeys,
  customerScope,
  customerVisible,
  isSalesperson,
  managesDepartment,
  mayCreateCustomer,
  mayReportDeparture,
  mayViewDeparture,
  mayViewProtection,
  type CustomerStatus,
} from './rules.ts';

export interface CustomerFacts {
  ownerId: string | null;
  departmentId: string;
  status: CustomerStatus;
  coDeveloperIds: readonly string[];
}

export const customerViewers = permission<CustomerFacts>({
  id: 'customers.view',
  ruleIds: ['SEC-1'],
  who: 'the GM, the Marketing Director and the Marketing VP; the Department Manager their department\'s; a salesperson their own, those they co-develop and the open pool',
  allows: (subject, customer) => customerVisible(customerScope(subject), customer, customer.coDeveloperIds),
});

export const customerCreators = permission({ id: 'customers.create', ruleIds: ['CUS-1', 'CUS-2', 'CUS-4'], who: 'salespeople and Department Managers', allows: (subject) => mayCreateCustomer(subject) });

export const customerTransferers = permission<CustomerFacts>({
  id: 'customers.transfer',
  ruleIds: ['SEC-5', 'CUS-2'],
  who: 'the Department Manager of its department (never a leaver)',
  allows: (subject, customer) => customerViewers.allows(subject, customer) && managesDepartment(subject, customer.departmentId),
});

export const salespeople = permission({
  id: 'customers.claim',
  ruleIds: ['OVL-8', 'SEC-5', 'ACC-4'],
  who: 'salespeople who are not leaving (a refusal names the customer only to whoever may see it)',
  allows: (subject) => isSalesperson(subject),
});

export const customerAssigners = permission<{ salespersonDepartmentId: string }>({
  id: 'customers.assign',
  ruleIds: ['OVL-8', 'CUS-2'],
  who: "the salesperson's Department Manager",
  allows: (subject, assignment) => managesDepartment(subject, assignment.salespersonDepartmentId),
});

export type ProtectionFacts = Parameters<typeof mayViewProtection>[1];

export const protectionViewers = permission<ProtectionFacts>({
  id: 'customers.protection.view',
  ruleIds: ['SEC-1', 'ACC-5'],
  who: 'its protector, its requester while pending, the Department Manager and the company-level viewers (not a former protector)',
  allows: (subject, protection) => mayViewProtection(subject, protection),
});

export const protectionReporters = permission<ProtectionFacts>({ id: 'customers.protection.report', ruleIds: ['OVL-8'], who: 'its protector', allows: (subject, protection) => protection.protectorId === subject.id });

export const intentOrderFilers = permission<ProtectionFacts>({
  id: 'customers.protection.intent-order',
  ruleIds: ['OVL-8', 'SEC-5'],
  who: 'its protector (unless leaving) and the Department Manager',
  allows: (subject, protection) => protection.protectorId === subject.id || managesDepartment(subject, protection.departmentId),
});

export const departureReporters = permission<{ leaverDepartmentId: string }>({
  id: 'customers.departure.report',
  ruleIds: ['SEC-5'],
  who: "HR and the leaver's Department Manager",
  allows: (subject, leaver) => mayReportDeparture(subject, leaver.leaverDepartmentId),
});

export type DepartureFacts = Parameters<typeof mayViewDeparture>[1];

export const departureViewers = permission<DepartureFacts>({
  id: 'customers.departure.view',
  ruleIds: ['SEC-5'],
  who: "the leaver, the reporter, HR, the department's manager and the company-level viewers",
  allows: (subject, departure) => mayViewDeparture(subject, departure),
});

export const reassigners = permission<DepartureFacts>({
  id: 'customers.departure.reassign',
  ruleIds: ['SEC-5'],
  who: "the leaver's Department Manager (the reassignment task's candidate), never the leaver",
  allows: (subject, departure) => departure.userId !== subject.id && managesDepartment(subject, departure.departmentId),
});

export const customersAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/customers', permission: customerCreators },
    { method: 'GET', path: '/api/v1/customers', permission: signedIn },
    { method: 'GET', path: '/api/v1/customers/{id}', permission: customerViewers, knownTo: customerViewers },
    { method: 'POST', path: '/api/v1/customers/{id}/transfers', permission: customerTransferers, knownTo: customerViewers },
    { method: 'POST', path: '/api/v1/customers/{id}/protection-requests', permission: salespeople },
    { method: 'POST', path: '/api/v1/customers/{id}/assignments', permission: customerAssigners },
    { method: 'GET', path: '/api/v1/protections/{id}', permission: protectionViewers, knownTo: protectionViewers },
    { method: 'POST', path: '/api/v1/protections/{id}/reports', permission: protectionReporters, knownTo: protectionViewers },
    { method: 'POST', path: '/api/v1/protections/{id}/intent-orders', permission: intentOrderFilers, knownTo: protectionViewers },
    { method: 'POST', path: '/api/v1/customers/{id}/co-development-requests', permission: salespeople },
    { method: 'POST', path: '/api/v1/users/{id}/departure', permission: departureReporters },
    { method: 'GET', path: '/api/v1/departures/{id}', permission: departureViewers, knownTo: departureViewers },
    { method: 'POST', path: '/api/v1/departures/{id}/reassignments', permission: reassigners, knownTo: departureViewers },
  ],
  // ACC-2: customer archives are confidential (SEC-1); their processes are not the Office Director's to oversee.
  confidentialProcesses: Object.values(customerProcessKeys),
};
