// The pure borrowing rules: which process a request runs (every requester of the demo
// organisation against every secrecy level), the limits, the due times and the definitions.
import { describe, expect, it } from 'vitest';
import { borrowDueAt, borrowRoute, dueReminder, mayKnowDocument, readingRoomClosesOn, type BorrowMode } from '../../areas/borrowing/rules.ts';
import { PolicyViolation } from '../../platform/errors.ts';
import { demoOrganisation } from '../../platform/organisation/model.ts';
import { validateDefinition } from '../../engine/definition/validate.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import { borrowingProcesses } from '../../areas/borrowing/definitions.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

const userOf = (id: string) => {
  const user = demoOrganisation.users.find((u) => u.id === id);
  if (!user) throw new Error(`no demo user ${id}`);
  return user;
};

/** What a route is called in the table: who approves, or the rule that refuses. */
function outcome(requesterId: string, secrecy: SecrecyLevel, mode: BorrowMode, hours?: number): string {
  const route = borrowRoute(userOf(requesterId), { secrecy }, mode, hours);
  if (route instanceof PolicyViolation) return `refused ${route.ruleId}`;
  return {
    direct: 'direct',
    department: 'dept manager → office director',
    secret: 'GM or DGM in charge',
    confidential: 'GM or DGM in charge (reading)',
  }[route.approval];
}

const D = 'direct';
const M = 'dept manager → office director';
const G = 'GM or DGM in charge';
const R = 'GM or DGM in charge (reading)';
const X = 'refused BOR-3';

// requester: none, secret (a 2-hour loan), confidential (a reading), top_secret
const table: [string, string, string, string, string][] = [
  ['gm', D, G, R, X],
  ['dgm-sales', D, G, R, X],
  ['finance-director', D, G, R, X],
  ['office-director', D, G, R, X],
  ['archivist', M, G, R, X],
  ['finance-clerk', M, G, R, X],
  ['biz-sales-1', M, G, R, X],
  ['finance-manager', M, G, R, X],
];

describe('borrowRoute over the demo organisation', () => {
  it.each(table)('BOR-1..6 %s: none → %s, secret → %s, confidential → %s, top secret → %s', (requester, none, secret, confidential, topSecret) => {
    expect(outcome(requester, 'none', 'loan', 24)).toBe(none);
    expect(outcome(requester, 'none', 'reading')).toBe(none);
    expect(outcome(requester, 'secret', 'loan', 2)).toBe(secret);
    expect(outcome(requester, 'confidential', 'reading')).toBe(confidential);
    expect(outcome(requester, 'top_secret', 'reading')).toBe(topSecret);
    expect(outcome(requester, 'top_secret', 'loan', 1)).toBe(topSecret);
  });

  it('BOR-1 the executives are the GM, Deputy GMs, Directors (the Marketing Director too) and the Office Director', () => {
    const direct = demoOrganisation.users.filter((u) => outcome(u.id, 'none', 'loan') === D).map((u) => u.id);
    expect(direct.sort()).toEqual(['dgm-admin', 'dgm-sales', 'finance-director', 'gm', 'marketing-director', 'office-director']);
  });

  it('BOR-3 top secret is refused for every requester, in every mode', () => {
    for (const user of demoOrganisation.users) {
      for (const mode of ['loan', 'reading'] as const) {
        const route = borrowRoute(user, { secrecy: 'top_secret' }, mode, 1);
        expect(route).toBeInstanceOf(PolicyViolation);
        expect(route).toMatchObject({ code: 'TOP_SECRET_NOT_BORROWABLE', ruleId: 'BOR-3' });
      }
    }
  });

  it('BOR-4 confidential is read in the archive room only: a loan is refused, for the GM too', () => {
    expect(borrowRoute(userOf('gm'), { secrecy: 'confidential' }, 'loan', 1)).toMatchObject({ code: 'CONFIDENTIAL_READING_ONLY', ruleId: 'BOR-4' });
    expect(borrowRoute(userOf('biz-sales-1'), { secrecy: 'confidential' }, 'reading', undefined)).toEqual({
      approval: 'confidential',
      processKey: 'archive.borrow.confidential',
      ruleIds: ['BOR-4'],
    });
  });

  it('BOR-5 a secret loan lasts at most 4 hours and says how long', () => {
    expect(borrowRoute(userOf('biz-sales-1'), { secrecy: 'secret' }, 'loan', 4)).toMatchObject({ approval: 'secret', ruleIds: ['BOR-5', 'BOR-6'] });
    expect(borrowRoute(userOf('biz-sales-1'), { secrecy: 'secret' }, 'loan', 5)).toMatchObject({ code: 'SECRET_BORROW_TOO_LONG', ruleId: 'BOR-5' });
    expect(borrowRoute(userOf('gm'), { secrecy: 'secret' }, 'loan', 4.5)).toMatchObject({ code: 'SECRET_BORROW_TOO_LONG', ruleId: 'BOR-5' });
    expect(borrowRoute(userOf('gm'), { secrecy: 'secret' }, 'loan', undefined)).toMatchObject({ code: 'SECRET_LOAN_HOURS_REQUIRED', ruleId: 'BOR-5' });
  });

  it('BOR-5 a secret reading session is capped at 4 hours too (借阅 covers reading)', () => {
    expect(borrowRoute(userOf('gm'), { secrecy: 'secret' }, 'reading', undefined)).toMatchObject({ approval: 'secret', ruleIds: ['BOR-5', 'BOR-6'] });
    expect(borrowRoute(userOf('gm'), { secrecy: 'secret' }, 'reading', 4)).toMatchObject({ approval: 'secret' });
    expect(borrowRoute(userOf('biz-sales-1'), { secrecy: 'secret' }, 'reading', 5)).toMatchObject({ code: 'SECRET_BORROW_TOO_LONG', ruleId: 'BOR-5' });
    const at = (iso: string) => Date.parse(iso);
    // Handed over at 10:00 Shanghai: a reading that names no length ends at 14:00, not at 17:30.
    expect(borrowDueAt({ secrecy: 'secret', mode: 'reading', hours: null }, at('2026-03-02T02:00:00Z'))).toBe(at('2026-03-02T06:00:00Z'));
    // Handed over at 15:00 Shanghai: the room still closes at 17:30.
    expect(borrowDueAt({ secrecy: 'secret', mode: 'reading', hours: null }, at('2026-03-02T07:00:00Z'))).toBe(at('2026-03-02T09:30:00Z'));
    expect(borrowDueAt({ secrecy: 'secret', mode: 'reading', hours: 1 }, at('2026-03-02T02:00:00Z'))).toBe(at('2026-03-02T03:00:00Z'));
  });

  it('a non-classified loan lasts at most the loan length setting (7 days)', () => {
    expect(borrowRoute(userOf('finance-clerk'), { secrecy: 'none' }, 'loan', 168)).toMatchObject({ approval: 'department' });
    expect(borrowRoute(userOf('finance-clerk'), { secrecy: 'none' }, 'loan', 169)).toMatchObject({ code: 'LOAN_TOO_LONG', ruleId: undefined });
  });
});

describe('due times', () => {
  const at = (iso: string) => Date.parse(iso);

  it('BOR-5 a secret loan is due the requested hours after the hand-over', () => {
    expect(borrowDueAt({ secrecy: 'secret', mode: 'loan', hours: 4 }, at('2026-03-02T02:00:00Z'))).toBe(at('2026-03-02T06:00:00Z'));
  });

  it('a non-classified loan is due after 7 days unless asked for less', () => {
    expect(borrowDueAt({ secrecy: 'none', mode: 'loan', hours: null }, at('2026-03-02T02:00:00Z'))).toBe(at('2026-03-09T02:00:00Z'));
    expect(borrowDueAt({ secrecy: 'none', mode: 'loan', hours: 24 }, at('2026-03-02T02:00:00Z'))).toBe(at('2026-03-03T02:00:00Z'));
  });

  it('BOR-4 a reading session ends when the archive room closes, 17:30 in Shanghai, at the latest', () => {
    // 10:00 in Shanghai
    expect(borrowDueAt({ secrecy: 'confidential', mode: 'reading', hours: null }, at('2026-03-02T02:00:00Z'))).toBe(at('2026-03-02T09:30:00Z'));
    expect(borrowDueAt({ secrecy: 'confidential', mode: 'reading', hours: 2 }, at('2026-03-02T02:00:00Z'))).toBe(at('2026-03-02T04:00:00Z'));
    expect(borrowDueAt({ secrecy: 'confidential', mode: 'reading', hours: 12 }, at('2026-03-02T02:00:00Z'))).toBe(at('2026-03-02T09:30:00Z'));
    // 17:30 and 23:00 in Shanghai: the room has closed; 00:30 is a new day
    expect(borrowDueAt({ secrecy: 'confidential', mode: 'reading', hours: null }, at('2026-03-02T09:30:00Z'))).toBe('closed');
    expect(borrowDueAt({ secrecy: 'none', mode: 'reading', hours: null }, at('2026-03-02T15:00:00Z'))).toBe('closed');
    expect(readingRoomClosesOn(at('2026-03-02T16:30:00Z'))).toBe(at('2026-03-03T09:30:00Z'));
  });

  it('the borrower is reminded a day before a long loan is due and half an hour before anything shorter', () => {
    expect(dueReminder({ secrecy: 'none', mode: 'loan', hours: undefined })).toBe('P1D');
    expect(dueReminder({ secrecy: 'none', mode: 'loan', hours: 24 })).toBe('PT30M');
    expect(dueReminder({ secrecy: 'secret', mode: 'loan', hours: 4 })).toBe('PT30M');
    expect(dueReminder({ secrecy: 'confidential', mode: 'reading', hours: undefined })).toBe('PT30M');
  });
});

describe('borrowing definitions', () => {
  it('are valid, one per route, and cite the rules they enforce', () => {
    expect(borrowingProcesses.map((d) => d.key)).toEqual(['archive.borrow.direct', 'archive.borrow.department', 'archive.borrow.secret', 'archive.borrow.confidential', 'archive.borrow.imported']);
    for (const definition of borrowingProcesses) expect(() => validateDefinition(definition, { services: serviceSpecs })).not.toThrow();
    const rules = (key: string) => new Set(borrowingProcesses.find((d) => d.key === key)!.nodes.flatMap((n) => (n.ruleId ? [n.ruleId] : [])));
    expect([...rules('archive.borrow.direct')]).toEqual(expect.arrayContaining(['BOR-1', 'BOR-8']));
    expect([...rules('archive.borrow.department')]).toEqual(expect.arrayContaining(['BOR-2', 'BOR-8']));
    expect([...rules('archive.borrow.secret')]).toEqual(expect.arrayContaining(['BOR-6', 'BOR-8']));
    expect([...rules('archive.borrow.confidential')]).toEqual(expect.arrayContaining(['BOR-4', 'BOR-8']));
    // An imported loan (issue 21.2) starts at the loan and ends with the return check.
    expect([...rules('archive.borrow.imported')]).toEqual(['BOR-8']);
    expect(borrowingProcesses.find((d) => d.key === 'archive.borrow.imported')!.nodes.some((n) => n.id === 'handOver')).toBe(false);
  });

  it('BOR-6 a secret loan (and BOR-4 a confidential reading) is approved by the GM or the Deputy GM in charge only: no other Deputy GM stands in', () => {
    for (const key of ['archive.borrow.secret', 'archive.borrow.confidential']) {
      const approval = borrowingProcesses.find((d) => d.key === key)!.nodes.find((n) => n.id === 'approval')!;
      expect(approval).toMatchObject({ type: 'userTask', candidates: { anyOf: [{ role: 'gm' }, { role: 'deputy_gm_in_charge', department: 'initiator.departmentId' }] } });
      expect((approval as { candidates: { fallback?: unknown } }).candidates.fallback).toBeUndefined();
      // it waits for them, reminding them daily
      expect((approval as { reminders?: unknown[] }).reminders).toHaveLength(1);
    }
  });
});

describe('who may know a document exists', () => {
  it('ARC-2 [interpretation] a top secret document is known to the Archivist, the Office Director and the GM only', () => {
    const knowers = demoOrganisation.users.filter((u) => mayKnowDocument(u.roles, 'top_secret')).map((u) => u.id);
    expect(knowers.sort()).toEqual(['archivist', 'gm', 'office-director']);
    expect(demoOrganisation.users.every((u) => mayKnowDocument(u.roles, 'confidential'))).toBe(true);
  });
});
