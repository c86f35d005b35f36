// Who may call the order and 7P analysis routes (docs/access.md). The services decide with the same
// rules (rules.ts): mayFileOrder, orderVisible and readsAnalysis over salesScope.
import type { Oversight } from '../../platform/organisation/model.ts';
import { permission, signedIn, type AccessDeclaration } from '../../platform/access.ts';
import type { AnalysisName } from './analysis-service.ts';
import { mayFileOrder, orderVisible, readsAnalysis, salesScope } from './rules.ts';

/** Which Deputy GM oversees (分管) which department: what salesScope reads of the organisation. */
export interface OversightFacts {
  oversight: readonly Oversight[];
}

const scopeOf = (subject: Parameters<typeof salesScope>[0], facts: OversightFacts) =>
  salesScope(subject, facts.oversight.filter((row) => row.deputyGmId === subject.id).map((row) => row.departmentId));

export const orderFilers = permission<{ customer: { ownerId: string | null; departmentId: string }; channel: string }>({
  id: 'sales.order.file',
  ruleIds: ['OVL-8', 'REG-2'],
  who: "the customer's owner or protector, its Department Manager, and (at the showroom) the showroom staff",
  allows: (subject, filing) => mayFileOrder(subject, filing.customer, filing.channel),
});

export type OrderFacts = OversightFacts & Parameters<typeof orderVisible>[2];

export const orderViewers = permission<OrderFacts>({
  id: 'sales.order.view',
  ruleIds: ['CUS-2', 'REG-2'],
  who: "whoever filed it or is credited in it; the GM and the Marketing Director; a Deputy GM the departments in their charge; the Department Manager their department's; the Showroom Manager the showroom's",
  allows: (subject, order) => orderVisible(scopeOf(subject, order), subject, order),
});

export const analysisReaders = permission<OversightFacts>({
  id: 'sales.analysis',
  ruleIds: ['CRM-1'],
  who: 'the GM and the Marketing Director (the whole company), the Deputy GMs (the departments in their charge) and the Department Managers (their department)',
  allows: (subject, facts) => readsAnalysis(subject, scopeOf(subject, facts)),
});

export const analysisNames = ['profiling', 'persistency', 'profitability', 'performance', 'prospecting', 'product', 'promotion'] as const satisfies readonly AnalysisName[];

export const salesAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/orders', permission: orderFilers },
    { method: 'GET', path: '/api/v1/orders', permission: signedIn },
    { method: 'GET', path: '/api/v1/orders/{id}', permission: orderViewers, knownTo: orderViewers },
    ...analysisNames.map((name) => ({ method: 'GET' as const, path: `/api/v1/analysis/7p/${name}`, permission: analysisReaders })),
  ],
};
