// The overlap rules without I/O: the suggested score (OVL-1), the members' scores and the verdict
// (OVL-2), the committee (OVL-3), deference (OVL-4) and who raises a dispute (OVL-7).
import { describe, expect, it } from 'vitest';
import { checkDeference, committee, mayRaiseDispute, scoreProblems, suggestedScores, verdict } from '../../areas/overlap/rules.ts';

describe('the suggested score (OVL-1)', () => {
  it('OVL-1 trade earns up to 50 relative to the best party, follow-ups up to 25 (6 for full marks), card fields up to 25', () => {
    const [best, other, none] = suggestedScores(
      [
        { tradeAmount: '14000.00', tradeOrders: 2, contacts: 3, cardFields: 30 },
        { tradeAmount: '7000.00', tradeOrders: 1, contacts: 9, cardFields: 6 },
        { tradeAmount: '0.00', tradeOrders: 0, contacts: 0, cardFields: 0 },
      ],
      30,
    );
    expect(best).toEqual({ trade: 50, contacts: 12.5, card: 25, suggested: 87.5 });
    expect(other).toEqual({ trade: 25, contacts: 25, card: 5, suggested: 55 });
    expect(none).toEqual({ trade: 0, contacts: 0, card: 0, suggested: 0 });
  });

  it('OVL-1 nobody traded: no party earns trade points', () => {
    expect(suggestedScores([{ tradeAmount: '0.00', tradeOrders: 0, contacts: 6, cardFields: 0 }], 30)[0]).toMatchObject({ trade: 0, contacts: 25, suggested: 25 });
  });
});

describe("the members' scores and the verdict (OVL-2)", () => {
  const suggestions = new Map([
    ['a', 60],
    ['b', 40.95],
  ]);

  it('OVL-2 every party once, 0 to 100; a score changed from the suggestion needs a reason', () => {
    expect(scoreProblems([{ party: 'a', score: 60 }, { party: 'b', score: 40.95 }], suggestions)).toEqual([]);
    expect(scoreProblems([{ party: 'a', score: 70, reason: 'Most trade is ours.' }, { party: 'b', score: 40.95 }], suggestions)).toEqual([]);
    expect(scoreProblems([{ party: 'a', score: 70 }, { party: 'b', score: 40.95, reason: ' ' }], suggestions).map((p) => p.path)).toEqual(['scores.0.reason']);
    expect(scoreProblems([{ party: 'a', score: 60 }], suggestions)).toEqual([{ path: 'scores', message: 'b is not scored' }]);
    expect(scoreProblems([{ party: 'a', score: 60 }, { party: 'a', score: 60 }, { party: 'c', score: 1, reason: 'x' }, { party: 'b', score: 101, reason: 'x' }], suggestions).map((p) => p.path)).toEqual([
      'scores.1.party',
      'scores.2.party',
      'scores.3.score',
    ]);
  });

  it('OVL-2 the average per party decides; equal averages are a tie (for the GM)', () => {
    const { averages, leaders } = verdict([
      { party: 'a', score: 60 },
      { party: 'a', score: 40 },
      { party: 'b', score: 41 },
      { party: 'b', score: 70 },
    ]);
    expect(Object.fromEntries(averages)).toEqual({ a: 50, b: 55.5 });
    expect(leaders).toEqual(['b']);
    expect(verdict([{ party: 'b', score: 10 }, { party: 'a', score: 10 }]).leaders).toEqual(['a', 'b']);
  });
});

describe('the committee (OVL-3), deference (OVL-4) and disputes (OVL-7)', () => {
  it('OVL-3 the chair, the Marketing Director and the parties\' Department Managers, each once', () => {
    expect(committee('dgm-sales', ['marketing-director'], ['biz-manager', 'biz-manager', 'floor-manager'])).toEqual(['dgm-sales', 'marketing-director', 'biz-manager', 'floor-manager']);
  });

  it('OVL-4 only a Business Dept claimant defers, and only to a customer trading with the Sales Floor', () => {
    expect(() => checkDeference({ id: 'biz-sales-1', departmentId: 'business' }, '临沂礼品城', ['floor-sales-1'])).toThrow(expect.objectContaining({ code: 'DEFER_TO_SALES_FLOOR', ruleId: 'OVL-4' }));
    expect(() => checkDeference({ id: 'biz-sales-1', departmentId: 'business' }, '临沂礼品城', [])).not.toThrow();
    expect(() => checkDeference({ id: 'market-sales-1', departmentId: 'market' }, '临沂礼品城', ['floor-sales-1'])).not.toThrow();
  });

  it("OVL-7 a party's Department Manager or the Marketing Director raises a dispute; nobody else", () => {
    const manager = (departmentId: string) => ({ roles: [{ role: 'department_manager' as const, departmentId }] });
    expect(mayRaiseDispute(manager('business'), ['business', 'sales-floor'])).toBe(true);
    expect(mayRaiseDispute(manager('market'), ['business', 'sales-floor'])).toBe(false);
    expect(mayRaiseDispute({ roles: [{ role: 'marketing_director', departmentId: null }] }, ['business'])).toBe(true);
    expect(mayRaiseDispute({ roles: [{ role: 'salesperson', departmentId: null }] }, ['business'])).toBe(false);
  });
});
