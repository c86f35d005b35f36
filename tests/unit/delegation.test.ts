import { describe, expect, it } from 'vitest';
import {
  archiveDate,
  checkDelegation,
  delegationsClash,
  delegationStatus,
  scopesIntersect,
  validitiesOverlap,
  type DelegationRequest,
  type RecordedDelegation,
} from '../../areas/delegation/rules.ts';
import { PolicyViolation } from '../../platform/errors.ts';
import { evaluateDurationMs } from '../../engine/definition/feel.ts';
import { validateDefinition } from '../../engine/definition/validate.ts';
import { powerOfAttorneyDefinition } from '../../areas/delegation/definitions.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

const HOUR = 3_600_000;
const now = new Date('2026-03-02T02:00:00Z');
const at = (hours: number) => new Date(now.getTime() + hours * HOUR);

const gm = { id: 'gm', roles: [{ role: 'gm' as const }] };
const dgm = { id: 'dgm-admin', active: true, roles: [{ role: 'deputy_gm' as const }] };
const request = (overrides: Partial<DelegationRequest> = {}): DelegationRequest => ({
  principal: gm,
  delegate: dgm,
  validFrom: at(1),
  validTo: at(49),
  processKeys: null,
  ...overrides,
});
const recorded = (overrides: Partial<RecordedDelegation> = {}): RecordedDelegation => ({
  id: 'earlier',
  validFrom: at(0),
  validTo: at(24),
  processKeys: null,
  revokedAt: null,
  ...overrides,
});
const none = { given: [], held: [] };

function refusal(run: () => void): { code: string; ruleId: string | undefined } {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyViolation) return { code: error.code, ruleId: error.ruleId };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('delegation status', () => {
  it('BOR-7 a delegation is scheduled before validFrom, active from validFrom, expired from validTo, and revoked once revoked', () => {
    const delegation = { validFrom: at(1), validTo: at(2), revokedAt: null };
    expect(delegationStatus(delegation, at(1 - 1 / 3600))).toBe('scheduled');
    expect(delegationStatus(delegation, at(1))).toBe('active');
    expect(delegationStatus(delegation, at(2 - 1 / 3600))).toBe('active');
    expect(delegationStatus(delegation, at(2))).toBe('expired');
    expect(delegationStatus({ ...delegation, revokedAt: at(0) }, at(1.5))).toBe('revoked');
  });
});

describe('overlap and scope', () => {
  it('BOR-7 validity periods are half-open: one ending when the next starts does not overlap it', () => {
    expect(validitiesOverlap({ validFrom: at(0), validTo: at(2) }, { validFrom: at(1), validTo: at(3) })).toBe(true);
    expect(validitiesOverlap({ validFrom: at(0), validTo: at(2) }, { validFrom: at(2), validTo: at(3) })).toBe(false);
    expect(validitiesOverlap({ validFrom: at(0), validTo: at(10) }, { validFrom: at(2), validTo: at(3) })).toBe(true);
  });

  it('BOR-7 scopes intersect when either covers every process or they share a process key', () => {
    expect(scopesIntersect(null, ['archive.borrow'])).toBe(true);
    expect(scopesIntersect(['archive.borrow'], null)).toBe(true);
    expect(scopesIntersect(['archive.borrow', 'archive.destroy'], ['archive.destroy'])).toBe(true);
    expect(scopesIntersect(['archive.borrow'], ['archive.destroy'])).toBe(false);
  });

  it('BOR-7 two delegations clash only when both the period and the scope intersect', () => {
    const a = { validFrom: at(0), validTo: at(2), processKeys: ['archive.borrow'] };
    expect(delegationsClash(a, { validFrom: at(1), validTo: at(3), processKeys: null })).toBe(true);
    expect(delegationsClash(a, { validFrom: at(1), validTo: at(3), processKeys: ['archive.destroy'] })).toBe(false);
    expect(delegationsClash(a, { validFrom: at(2), validTo: at(3), processKeys: null })).toBe(false);
  });
});

describe('who may delegate to whom', () => {
  it('BOR-7 the GM may delegate to a Deputy GM or to the Office Director', () => {
    expect(() => checkDelegation(request(), none, now)).not.toThrow();
    const officeDirector = { id: 'office-director', active: true, roles: [{ role: 'office_director' as const }] };
    expect(() => checkDelegation(request({ delegate: officeDirector }), none, now)).not.toThrow();
  });

  it('BOR-7 nobody but the GM may delegate approval', () => {
    const deputy = { id: 'dgm-sales', roles: [{ role: 'deputy_gm' as const }] };
    expect(refusal(() => checkDelegation(request({ principal: deputy }), none, now))).toEqual({ code: 'PRINCIPAL_NOT_GM', ruleId: 'BOR-7' });
  });

  it('BOR-7 the GM may not delegate to anyone but a Deputy GM or the Office Director', () => {
    for (const role of ['director', 'archivist', 'department_manager', 'marketing_vp'] as const) {
      const delegate = { id: `a-${role}`, active: true, roles: [{ role }] };
      expect(refusal(() => checkDelegation(request({ delegate }), none, now))).toEqual({ code: 'DELEGATE_NOT_ELIGIBLE', ruleId: 'BOR-7' });
    }
    expect(refusal(() => checkDelegation(request({ delegate: { ...dgm, active: false } }), none, now))).toEqual({ code: 'DELEGATE_INACTIVE', ruleId: 'BOR-7' });
  });

  it('BOR-7 nobody delegates to themselves', () => {
    expect(refusal(() => checkDelegation(request({ delegate: { id: 'gm', active: true, roles: gm.roles } }), none, now))).toEqual({ code: 'SELF_DELEGATION', ruleId: 'BOR-7' });
  });

  it('BOR-7 a delegate may not delegate further while their power of attorney is in force or for a period overlapping it', () => {
    const delegate = { id: 'office-director', active: true, roles: [{ role: 'office_director' as const }] };
    const asDelegate = request({ principal: { id: 'dgm-admin', roles: dgm.roles }, delegate });
    // in force now, though the requested period starts after it
    const inForce = recorded({ validFrom: at(-1), validTo: at(1) });
    expect(refusal(() => checkDelegation({ ...asDelegate, validFrom: at(2), validTo: at(3) }, { given: [], held: [inForce] }, now))).toEqual({ code: 'REDELEGATION_FORBIDDEN', ruleId: 'BOR-7' });
    // scheduled, overlapping the requested period
    const upcoming = recorded({ validFrom: at(10), validTo: at(20) });
    expect(refusal(() => checkDelegation(asDelegate, { given: [], held: [upcoming] }, now))).toEqual({ code: 'REDELEGATION_FORBIDDEN', ruleId: 'BOR-7' });
    // a revoked one is no power to pass on: the request fails on BOR-7's principal rule instead
    expect(refusal(() => checkDelegation(asDelegate, { given: [], held: [{ ...upcoming, revokedAt: at(0) }] }, now)).code).toBe('PRINCIPAL_NOT_GM');
  });

  it('refuses a period that is empty, reversed, or already over', () => {
    expect(refusal(() => checkDelegation(request({ validFrom: at(2), validTo: at(2) }), none, now)).code).toBe('VALID_FROM_NOT_BEFORE_VALID_TO');
    expect(refusal(() => checkDelegation(request({ validFrom: at(3), validTo: at(2) }), none, now)).code).toBe('VALID_FROM_NOT_BEFORE_VALID_TO');
    expect(refusal(() => checkDelegation(request({ validFrom: at(-3), validTo: at(0) }), none, now)).code).toBe('VALIDITY_IN_PAST');
    // a period that has begun but not ended starts at once
    expect(() => checkDelegation(request({ validFrom: at(-3), validTo: at(1) }), none, now)).not.toThrow();
  });

  it('BOR-7 two live delegations of the GM may not cover the same process at the same moment', () => {
    const given = [recorded({ processKeys: ['archive.borrow'] })];
    expect(refusal(() => checkDelegation(request(), { given, held: [] }, now))).toEqual({ code: 'DELEGATION_OVERLAP', ruleId: 'BOR-7' });
    expect(refusal(() => checkDelegation(request({ processKeys: ['archive.borrow', 'x.y'] }), { given, held: [] }, now)).code).toBe('DELEGATION_OVERLAP');
    expect(() => checkDelegation(request({ processKeys: ['archive.destroy'] }), { given, held: [] }, now)).not.toThrow();
    expect(() => checkDelegation(request({ validFrom: at(24) }), { given, held: [] }, now)).not.toThrow();
    expect(() => checkDelegation(request(), { given: [{ ...given[0]!, revokedAt: at(0) }], held: [] }, now)).not.toThrow();
  });
});

describe('the power of attorney process and document', () => {
  it('BOR-7 the process definition is valid, and its deadlines fire at validFrom, or at once when validFrom has passed', () => {
    expect(validateDefinition(powerOfAttorneyDefinition, { services: serviceSpecs }).key).toBe('delegation.power-of-attorney');
    const awaitStart = powerOfAttorneyDefinition.nodes.find((node) => node.id === 'awaitStart');
    const after = awaitStart?.type === 'receiveTask' ? awaitStart.deadline!.after : '';
    const nowMs = Date.now();
    expect(evaluateDurationMs(after, { validFrom: new Date(nowMs + HOUR).toISOString() }, nowMs)).toBeCloseTo(HOUR, -3);
    expect(evaluateDurationMs(after, { validFrom: new Date(nowMs - HOUR).toISOString() }, nowMs)).toBeLessThan(0);
  });

  it('ARC-1 a power of attorney is archived on the date in the company zone', () => {
    expect(archiveDate(new Date('2026-03-01T16:30:00Z'))).toBe('2026-03-02');
    expect(archiveDate(new Date('2026-03-01T15:30:00Z'))).toBe('2026-03-01');
  });
});
