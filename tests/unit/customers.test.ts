// The customer rules that need no database or engine: card keepers, the protection calendar, the
// reclaim block, which month a report counts for, who sees which customers, hand-over checks, and
// the customer process definitions as the registry validates them.
import { describe, expect, it } from 'vitest';
import {
  checkCardKeeper,
  customerScope,
  customerSettings,
  customerVisible,
  formatReassignment,
  handOverProblems,
  keepsCard,
  monthNodes,
  parseReassignments,
  protectionMonths,
  reassignmentForm,
  reclaimBlockedUntil,
  reportMessage,
  reportTarget,
} from '../../areas/customers/rules.ts';
import { PolicyViolation } from '../../platform/errors.ts';
import type { Role, RoleGrant } from '../../platform/organisation/model.ts';
import { validateDefinition } from '../../engine/definition/validate.ts';
import { customerProcesses, departureDefinition, departureDefinitionV1, departureNodes, protectionDefinition, protectionDefinitionV1 } from '../../areas/customers/definitions.ts';
import { formValidator } from '../../engine/definition/forms.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

const grants = (...roles: Role[]): RoleGrant[] => roles.map((role) => ({ role, departmentId: null }));
const manager = (departmentId: string): RoleGrant[] => [{ role: 'department_manager', departmentId }];
const iso = (ms: number) => new Date(ms).toISOString();

describe('card types (CUS-4)', () => {
  it('CUS-4 distributor cards are kept by the regions, terminal-customer cards by the Business and Sales Floor Depts', () => {
    expect(keepsCard('market', 'distributor')).toBe(true);
    expect(keepsCard('business', 'terminal')).toBe(true);
    expect(keepsCard('sales-floor', 'terminal')).toBe(true);
    expect(keepsCard('business', 'distributor')).toBe(false);
    expect(keepsCard('market', 'terminal')).toBe(false);
    expect(keepsCard('finance', 'terminal')).toBe(false);
  });

  it('CUS-4 refuses a card the department does not keep, citing the rule', () => {
    expect(() => checkCardKeeper('business', 'terminal')).not.toThrow();
    const refusal = (() => {
      try {
        checkCardKeeper('business', 'distributor');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(PolicyViolation);
    expect(refusal).toMatchObject({ code: 'CARD_NOT_KEPT_BY_DEPARTMENT', ruleId: 'CUS-4' });
    expect((refusal as Error).message).toContain('经销商客户档案卡');
  });
});

describe('the protection period (OVL-8)', () => {
  it('OVL-8 protection lasts four calendar months, each counted from the start, not from the previous end', () => {
    const start = Date.parse('2026-01-31T02:00:00Z'); // 31 Jan, 10:00 in Shanghai
    const months = protectionMonths(start);
    expect(months).toHaveLength(customerSettings.protectionMonths);
    expect(months.map((m) => iso(m.endsAt))).toEqual([
      '2026-02-28T02:00:00.000Z',
      '2026-03-31T02:00:00.000Z',
      '2026-04-30T02:00:00.000Z',
      '2026-05-31T02:00:00.000Z',
    ]);
    // contiguous: each month starts where the one before ended
    expect(months.map((m) => m.startsAt)).toEqual([start, ...months.slice(0, -1).map((m) => m.endsAt)]);
  });

  it('OVL-8 calendar months are counted in Asia/Shanghai, not UTC', () => {
    // 17:00Z on 30 March is already 31 March in Shanghai: a month later is 30 April there (clamped), 29 April 17:00Z.
    const [first] = protectionMonths(Date.parse('2026-03-30T17:00:00Z'));
    expect(iso(first!.endsAt)).toBe('2026-04-29T17:00:00.000Z');
  });

  it('OVL-8 the previous owner may not reclaim a released customer for 30 days', () => {
    expect(customerSettings.reclaimBlockDays).toBe(30);
    expect(reclaimBlockedUntil(new Date('2026-05-31T02:00:00Z')).toISOString()).toBe('2026-06-30T02:00:00.000Z');
  });

  it('OVL-8 a report counts for the month the instance is in; later ones in a reported month are recorded only', () => {
    expect(reportTarget(['intentOrder', 'month1'])).toEqual({ month: 1, forward: true });
    expect(reportTarget(['month2Reminder', 'intentOrder'])).toEqual({ month: 2, forward: true });
    expect(reportTarget(['month3LastDays'])).toEqual({ month: 3, forward: true });
    expect(reportTarget(['month1Reported', 'intentOrder'])).toEqual({ month: 1, forward: false });
    // while the manager decides on a missed month 2, month 3 is under way
    expect(reportTarget(['month2Missed', 'intentOrder'])).toEqual({ month: 3, forward: true });
    expect(reportTarget(['intentOrder', 'expire'])).toBeUndefined();
    expect(reportTarget(['approval'])).toBeUndefined();
    expect(reportMessage(2)).toBe('report.month2');
  });
});

describe('who sees which customers (SEC-1, CUS-2)', () => {
  const pool = { ownerId: null, departmentId: 'business', status: 'open' as const };
  const mine = { ownerId: 'biz-sales-1', departmentId: 'business', status: 'protected' as const };
  const colleagues = { ownerId: 'biz-sales-2', departmentId: 'business', status: 'owned' as const };
  const otherDepartment = { ownerId: 'floor-sales-1', departmentId: 'sales-floor', status: 'protected' as const };

  it('SEC-1 the GM, the Marketing Director and the Marketing VP see every customer', () => {
    for (const role of ['gm', 'marketing_director', 'marketing_vp'] as const) {
      const scope = customerScope({ id: role, roles: grants(role), departmentId: 'marketing' });
      expect(scope).toEqual({ all: true });
      expect([pool, mine, colleagues, otherDepartment].every((c) => customerVisible(scope, c))).toBe(true);
    }
  });

  it("SEC-1 a Department Manager sees their department's customers, its open pool among them", () => {
    const scope = customerScope({ id: 'biz-manager', roles: manager('business'), departmentId: 'business' });
    expect([pool, mine, colleagues, otherDepartment].map((c) => customerVisible(scope, c))).toEqual([true, true, true, false]);
  });

  it("SEC-1 a salesperson sees their own customers, those they co-develop and their department's open pool", () => {
    const scope = customerScope({ id: 'biz-sales-1', roles: grants('salesperson'), departmentId: 'business' });
    expect([pool, mine, colleagues, otherDepartment].map((c) => customerVisible(scope, c))).toEqual([true, true, false, false]);
    expect(customerVisible(scope, colleagues, ['biz-sales-1'])).toBe(true);
    // the pool is confidential too: another department's pool customer is not theirs to see
    expect(customerVisible(scope, { ...pool, departmentId: 'sales-floor' })).toBe(false);
  });

  it('SEC-1 anyone else sees no customer, not even the pool', () => {
    const scope = customerScope({ id: 'finance-clerk', roles: grants('staff'), departmentId: 'finance' });
    expect([pool, mine].map((c) => customerVisible(scope, c))).toEqual([false, false]);
  });
});

describe('hand-overs (SEC-5)', () => {
  const leaver = { id: 'biz-sales-1', departmentId: 'business' };
  const customer = { id: 'c1', ownerId: 'biz-sales-1' };
  const salesperson = (overrides: Partial<{ id: string; departmentId: string; active: boolean; leaving: boolean; roles: RoleGrant[] }> = {}) => ({
    id: 'biz-sales-2',
    departmentId: 'business',
    active: true,
    leaving: false,
    roles: grants('salesperson'),
    ...overrides,
  });

  it('SEC-5 a customer goes to an active salesperson of the same department', () => {
    expect(handOverProblems(leaver, customer, salesperson())).toEqual([]);
  });

  it('SEC-5 refuses another department, an inactive or leaving salesperson, a non-salesperson, the leaver, and a customer that is not theirs', () => {
    expect(handOverProblems(leaver, customer, salesperson({ id: 'floor-sales-1', departmentId: 'sales-floor' }))).toEqual(['floor-sales-1 is not in department business']);
    expect(handOverProblems(leaver, customer, salesperson({ active: false }))).toEqual(['biz-sales-2 is not an active salesperson']);
    expect(handOverProblems(leaver, customer, salesperson({ leaving: true }))).toEqual(['biz-sales-2 is not an active salesperson']);
    expect(handOverProblems(leaver, customer, salesperson({ id: 'biz-manager', roles: manager('business') }))).toEqual(['biz-manager is not a salesperson']);
    expect(handOverProblems(leaver, customer, salesperson({ id: 'biz-sales-1' }))).toEqual(["the customer is biz-sales-1's already"]);
    expect(handOverProblems(leaver, { id: 'c2', ownerId: 'biz-sales-2' }, salesperson())).toEqual(["customer c2 is not biz-sales-1's"]);
    expect(handOverProblems(leaver, undefined, undefined)).toEqual(['names no customer', 'names no user']);
  });

  it("SEC-5 the reassignment task's form of customer.departure@1 carries customerId=salespersonId pairs", () => {
    const pairs = [{ customerId: 'c1', salespersonId: 'biz-sales-2' }];
    expect(pairs.map(formatReassignment)).toEqual(['c1=biz-sales-2']);
    expect(parseReassignments(['c1=biz-sales-2', ' c2=biz-sales-2 ', 'c3', 'a=b=c', '=x'])).toEqual({
      pairs: [...pairs, { customerId: 'c2', salespersonId: 'biz-sales-2' }],
      malformed: ['c3', 'a=b=c', '=x'],
    });
  });
});

describe('the customer process definitions', () => {
  it('are valid definitions (graph, services, every FEEL expression)', () => {
    for (const definition of customerProcesses) expect(() => validateDefinition(definition, { services: serviceSpecs })).not.toThrow();
  });

  it('OVL-8 the protection has, for each of its four months, a report wait, a reminder, a last-days wait and a wait for the month end', () => {
    const ids = new Set(protectionDefinition.nodes.map((node) => node.id));
    for (let n = 1; n <= customerSettings.protectionMonths; n += 1) {
      const month = monthNodes(n);
      for (const node of [month.report, month.reminder, month.lastDays, month.reported]) expect(ids.has(node)).toBe(true);
      // the last month needs no keep-or-release decision: the protection ends with it
      expect(ids.has(month.missed)).toBe(n < customerSettings.protectionMonths);
    }
    const first = protectionDefinition.nodes.find((node) => node.id === 'month1') as { deadline: { after: string }; message: string };
    expect(first.message).toBe('report.month1');
    expect(first.deadline.after).toBe('date and time(protection.month1EndsAt) - duration("P5D") - now()');
    expect(protectionDefinition.businessKey).toBe('customerId');
  });

  it('OVL-8 the protection is published as version 2: a missed month is recorded and the 4 months run on unless early release is allowed; version 1 stays valid for its running instances', () => {
    expect(protectionDefinition.version).toBe(2);
    expect(protectionDefinitionV1.version).toBe(1);
    expect(customerProcesses).toContain(protectionDefinition);
    expect(customerProcesses).not.toContain(protectionDefinitionV1);
    expect(() => validateDefinition(protectionDefinitionV1, { services: serviceSpecs })).not.toThrow();
    expect(customerSettings.earlyReleaseOnMissedReport).toBe(false);
    const node = (definition: typeof protectionDefinition, id: string) => definition.nodes.find((candidate) => candidate.id === id) as Record<string, unknown> | undefined;
    for (let n = 1; n <= customerSettings.protectionMonths; n += 1) {
      const month = monthNodes(n);
      const last = n === customerSettings.protectionMonths;
      const following = last ? 'expire' : monthNodes(n + 1).report;
      // version 1: the month's end without a report goes straight to the manager's keep-or-release task
      expect(node(protectionDefinitionV1, month.lastDays)).toMatchObject({ deadline: { to: last ? 'expire' : month.missed } });
      expect(node(protectionDefinitionV1, month.recordMissed)).toBeUndefined();
      // version 2: it is recorded first; the manager decides only where the company allows early release
      expect(node(protectionDefinition, month.lastDays)).toMatchObject({ deadline: { to: month.recordMissed } });
      expect(node(protectionDefinition, month.recordMissed)).toMatchObject({ type: 'serviceTask', ruleId: 'OVL-8', activity: 'recordMissedReport', next: last ? 'expire' : month.earlyReleaseCheck });
      if (!last) {
        expect(node(protectionDefinition, month.earlyReleaseCheck)).toEqual({
          id: month.earlyReleaseCheck,
          type: 'exclusiveGateway',
          branches: [{ when: 'missedReport.earlyRelease', to: month.missed }],
          default: following,
        });
      }
    }
  });

  it('SEC-5 the reassignment is decided by the Department Manager (the Marketing Director if none) and the leaver is the initiator', () => {
    const reassign = departureDefinition.nodes.find((node) => node.id === 'reassign') as { candidates: unknown; form: unknown };
    expect(reassign.candidates).toEqual({ anyOf: [{ role: 'department_manager', department: 'departmentId' }], fallback: { anyOf: [{ role: 'marketing_director' }] } });
    expect(reassign.form).toMatchObject({ assignments: { type: 'recordList', fields: { customerId: { type: 'string' }, salespersonId: { type: 'string' } } } });
    expect(departureDefinition.cancellableAt).toEqual([]);
  });

  it('SEC-5 the departure is published as version 2 with a list of records; version 1 (strings) stays valid for its running instances', () => {
    expect(departureDefinition.version).toBe(2);
    expect(customerProcesses).toContain(departureDefinition);
    expect(customerProcesses).not.toContain(departureDefinitionV1);
    expect(() => validateDefinition(departureDefinitionV1, { services: serviceSpecs })).not.toThrow();
    const formOf = (definition: typeof departureDefinition) => (definition.nodes.find((node) => node.id === departureNodes.reassign) as { form: unknown }).form;
    expect(formOf(departureDefinitionV1)).toEqual({ assignments: { type: 'stringList' } });
    // The form each version's task takes: what the API sends for an instance of that version.
    const pairs = [{ customerId: 'c1', salespersonId: 'biz-sales-1' }];
    expect(reassignmentForm(1, pairs)).toEqual({ assignments: ['c1=biz-sales-1'] });
    expect(reassignmentForm(2, pairs)).toEqual({ assignments: pairs });
    const reassign = validateDefinition(departureDefinition, { services: serviceSpecs }).nodes.find((node) => node.id === departureNodes.reassign);
    if (reassign?.type !== 'userTask') throw new Error('the reassignment is a user task');
    const v2 = formValidator(reassign.form ?? {});
    expect(v2.safeParse(reassignmentForm(2, pairs)).success).toBe(true);
    expect(v2.safeParse(reassignmentForm(1, pairs)).success).toBe(false);
    expect(v2.safeParse({ assignments: [] }).success).toBe(false);
  });
});
