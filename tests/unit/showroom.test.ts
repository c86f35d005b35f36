// The showroom's pure rules: which cities are Linyi (REG-1), when a hand-over is due (REG-1), and
// how a sale closed on a visit is split (OVL-5..7).
import { describe, expect, it } from 'vitest';
import { attributeSale, handoverDueAt, isInLinyi, isRegionalCustomer, type VisitFacts } from '../../areas/showroom/rules.ts';

const facts = (overrides: Partial<VisitFacts> = {}): VisitFacts => ({
  receivedBy: 'floor-sales-1',
  named: null,
  namedOutcome: null,
  askedForSalesperson: false,
  attempts: [],
  customer: { departmentId: 'sales-floor', ownerId: null, status: 'open' },
  ...overrides,
});
const receiver = { id: 'floor-sales-1', departmentId: 'sales-floor' };

describe('showroom rules', () => {
  it('REG-1 Linyi is the city and its districts and counties, in Chinese or pinyin, with or without the suffix', () => {
    for (const city of ['临沂', '临沂市', '临沂市兰山区', '兰山区', '罗庄', '费县', '沂南县', 'Linyi', 'Linyi City', ' linyi ', 'Lanling County', '山东省临沂市']) expect(isInLinyi(city), city).toBe(true);
    for (const city of ['济南市', '青岛', 'Shanghai', '日照市', '临清市']) expect(isInLinyi(city), city).toBe(false);
  });

  it('REG-1 only a gift trade from outside Linyi is a regional customer', () => {
    expect(isRegionalCustomer('tea', '济南')).toBe(true);
    expect(isRegionalCustomer('tea', '临沂')).toBe(false);
    expect(isRegionalCustomer('other', '济南')).toBe(false);
    expect(isRegionalCustomer(null, '济南')).toBe(false);
  });

  it('REG-1 the hand-over is due one working day later: Friday afternoon is due on Monday afternoon', () => {
    expect(handoverDueAt(new Date('2026-12-04T15:00:00+08:00')).toISOString()).toBe(new Date('2026-12-07T15:00:00+08:00').toISOString());
    expect(handoverDueAt(new Date('2026-12-01T09:30:00+08:00')).toISOString()).toBe(new Date('2026-12-02T09:30:00+08:00').toISOString());
    expect(handoverDueAt(new Date('2026-12-05T10:00:00+08:00')).toISOString()).toBe(new Date('2026-12-07T10:00:00+08:00').toISOString());
  });

  it('OVL-5 OVL-7 the split by rule; shares add up to 1', () => {
    const named = { id: 'floor-sales-2', departmentId: 'sales-floor' };
    expect(attributeSale(facts({ named, namedOutcome: 'absent' }), receiver)).toEqual({
      rule: 'OVL-5',
      credits: [
        { userId: 'floor-sales-2', share: 0.5, rateDepartmentId: 'sales-floor' },
        { userId: 'floor-sales-1', share: 0.5, rateDepartmentId: 'sales-floor' },
      ],
      fined: null,
    });
    expect(attributeSale(facts({ named, namedOutcome: 'not_handed_over' }), receiver)).toMatchObject({ credits: [{ userId: 'floor-sales-2', share: 1 }], fined: 'floor-sales-1' });
    expect(attributeSale(facts({ customer: { departmentId: 'business', ownerId: 'biz-sales-2', status: 'protected' } }), receiver)).toMatchObject({
      rule: 'OVL-7',
      credits: [
        { userId: 'biz-sales-2', share: 0.5, rateDepartmentId: 'business' },
        { userId: 'floor-sales-1', share: 0.5, rateDepartmentId: 'business' },
      ],
    });
    expect(attributeSale(facts(), receiver)).toEqual({ rule: null, credits: [{ userId: 'floor-sales-1', share: 1, rateDepartmentId: 'sales-floor' }], fined: null });
  });

  it('OVL-6 a Business Dept colleague who serves after the salesperson could not shares 5:5 on the Business Dept rate', () => {
    const named = { id: 'biz-sales-1', departmentId: 'business' };
    const colleague = { id: 'biz-sales-2', departmentId: 'business' };
    const attempts = [
      { seq: 1, step: 'salesperson', userId: 'biz-sales-1', outcome: 'unavailable' },
      { seq: 2, step: 'colleague', userId: 'biz-sales-2', outcome: 'serves' },
    ] as const;
    expect(attributeSale(facts({ named, askedForSalesperson: true, attempts }), colleague).credits).toEqual([
      { userId: 'biz-sales-1', share: 0.5, rateDepartmentId: 'business' },
      { userId: 'biz-sales-2', share: 0.5, rateDepartmentId: 'business' },
    ]);
    // The showroom itself may not close while a colleague serves.
    expect(() => attributeSale(facts({ named, askedForSalesperson: true, attempts }), receiver)).toThrow(/OVL-6/);
  });
});
