// The pure rules of archiving campaigns (CYC-1/2) and held originals (ARC-3).
import { describe, expect, it } from 'vitest';
import { campaignPeriod, checkProblems, departmentReport, reportTotals, scheduledCampaignKind, type HandOverSummary, type ListedItem } from '../../areas/campaigns/rules.ts';

const shanghai = (text: string) => Date.parse(`${text}+08:00`);

describe('campaign periods', () => {
  it('CYC-1 a quarterly campaign collects the last quarter that has ended, in Shanghai time', () => {
    expect(campaignPeriod('quarterly', shanghai('2026-04-01T09:00:00'))).toBe('2026-Q1');
    expect(campaignPeriod('quarterly', shanghai('2026-07-01T09:00:00'))).toBe('2026-Q2');
    expect(campaignPeriod('quarterly', shanghai('2026-10-01T09:00:00'))).toBe('2026-Q3');
    // January: Q4 of the year before, also when UTC still says December.
    expect(campaignPeriod('quarterly', shanghai('2027-01-01T01:00:00'))).toBe('2026-Q4');
  });

  it('CYC-1 the annual campaign in February collects the year before', () => {
    expect(campaignPeriod('annual', shanghai('2027-02-01T09:00:00'))).toBe('2026');
  });

  it('CYC-1 the kind of a scheduled run comes from its instance id', () => {
    expect(scheduledCampaignKind('campaign-quarterly-2026-04-01T01:00:00Z')).toBe('quarterly');
    expect(scheduledCampaignKind('campaign-annual-2027-02-01T01:00:00Z')).toBe('annual');
    expect(scheduledCampaignKind('campaign-3f6c')).toBeUndefined();
  });
});

describe("the Archivist's check", () => {
  const items: ListedItem[] = [
    { item: 1, title: 'Minutes', secrecy: 'none', original: true, heldOriginalId: null },
    { item: 2, title: 'Audit copy', secrecy: 'confidential', original: false, heldOriginalId: null },
    { item: 3, title: 'Loan agreement', secrecy: 'top_secret', original: true, heldOriginalId: 'held-1' },
  ];

  it('CYC-2 every item gets one verdict, a returned one a reason', () => {
    expect(checkProblems(items, [{ item: 1, verdict: 'accepted' }, { item: 1, verdict: 'returned', reason: ' ' }, { item: 7, verdict: 'accepted' }], new Set(['held-1']))).toEqual([
      'item 1 has more than one verdict',
      'item 1 is returned without a reason',
      'item 7 is not on the list',
      'no verdict for item(s) 2, 3',
    ]);
  });

  it('ARC-3 a copy at Confidential and above cannot be accepted, nor a held original the department does not hold', () => {
    const verdicts = [
      { item: 1, verdict: 'accepted' as const },
      { item: 2, verdict: 'accepted' as const },
      { item: 3, verdict: 'accepted' as const },
    ];
    expect(checkProblems(items, verdicts, new Set())).toEqual([
      'ARC-3: item 2 is a copy at confidential; only the original may be deposited, return it',
      'ARC-3: item 3 names held original held-1, which the department does not hold',
    ]);
    expect(checkProblems(items, [verdicts[0]!, { item: 2, verdict: 'returned', reason: 'bring the original' }, verdicts[2]!], new Set(['held-1']))).toEqual([]);
  });
});

describe('the campaign report', () => {
  const due = new Date('2026-04-16T01:00:00Z');
  const summary = (overrides: Partial<HandOverSummary>): HandOverSummary => ({
    handOverId: 'h',
    departmentId: 'finance',
    departmentName: 'Finance',
    departmentNameZh: '财务部',
    status: 'checked',
    dueAt: due,
    submittedAt: null,
    received: 0,
    accepted: 0,
    returned: 0,
    originalsOutstanding: 0,
    ...overrides,
  });

  it('CYC-2 a list is late when it came after the due time, or has not come once it has passed', () => {
    const now = due.getTime() + 3.5 * 86_400_000;
    expect(departmentReport(summary({ submittedAt: new Date(due.getTime() - 1) }), now)).toMatchObject({ late: false, daysLate: 0 });
    expect(departmentReport(summary({ submittedAt: new Date(due.getTime() + 30 * 3_600_000) }), now)).toMatchObject({ late: true, daysLate: 1 });
    expect(departmentReport(summary({ status: 'pending' }), now)).toMatchObject({ late: true, daysLate: 3 });
    expect(departmentReport(summary({ status: 'pending' }), due.getTime() - 1)).toMatchObject({ late: false, daysLate: 0 });
  });

  it('CYC-2 the totals add up the departments', () => {
    const now = due.getTime() + 86_400_000;
    const rows = [
      departmentReport(summary({ submittedAt: due, received: 3, accepted: 2, returned: 1 }), now),
      departmentReport(summary({ status: 'pending', originalsOutstanding: 2 }), now),
    ];
    expect(reportTotals(rows)).toEqual({ departments: 2, listsReceived: 1, late: 1, received: 3, accepted: 2, returned: 1, originalsOutstanding: 2 });
  });
});
