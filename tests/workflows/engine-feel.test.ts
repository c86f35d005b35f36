// Issue #22.12: FEEL reads the calendar in the policy zone (Asia/Shanghai), whatever the
// worker host's zone, and a date-time without a zone means Shanghai time everywhere.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluateCondition, evaluateDurationMs, evaluateFeel, evaluateInstantMs, evaluateValue } from '../../engine/definition/feel.ts';

describe('FEEL in the policy zone (#22.12)', () => {
  const hostZone = process.env.TZ;
  afterEach(() => {
    vi.useRealTimers();
    if (hostZone === undefined) delete process.env.TZ;
    else process.env.TZ = hostZone;
  });

  it.each(['UTC', 'Asia/Shanghai', 'America/Los_Angeles'])('#22.12 today() is the Shanghai date at 20:00Z on a host in %s', (zone) => {
    process.env.TZ = zone;
    vi.useFakeTimers({ now: Date.parse('2026-01-01T20:00:00Z'), toFake: ['Date'] });
    expect(String(evaluateFeel('today()', {}))).toBe('2026-01-02');
    expect(evaluateCondition('today() = date("2026-01-02")', {})).toBe(true);
    expect(evaluateCondition('now() > date and time("2026-01-02T03:59:00")', {})).toBe(true);
    expect(evaluateCondition('now() < date and time("2026-01-02T04:01:00")', {})).toBe(true);
  });

  it('#22.12 a date-time without a zone compares as Shanghai time, as timers read it', () => {
    const local = 'date and time("2026-01-02T09:00:00")';
    expect(evaluateInstantMs(local, {})).toBe(Date.parse('2026-01-02T01:00:00Z'));
    expect(evaluateCondition(`${local} = date and time("2026-01-02T01:00:00Z")`, {})).toBe(true);
    expect(evaluateCondition(`${local} < date and time("2026-01-02T02:00:00Z")`, {})).toBe(true);
    expect(evaluateCondition('date and time(at) > date and time("2026-01-02T00:30:00Z")', { at: '2026-01-02T09:00:00' })).toBe(true);
    // As a variable or activity input it is plain ISO 8601 with Shanghai's offset.
    expect(evaluateValue(local, {})).toBe('2026-01-02T09:00:00+08:00');
    // A zoned value keeps its instant, carried in Shanghai time.
    expect(evaluateInstantMs('date and time("2026-01-02T09:00:00Z")', {})).toBe(Date.parse('2026-01-02T09:00:00Z'));
    expect(evaluateValue('date and time("2026-01-02T09:00:00Z")', {})).toBe('2026-01-02T17:00:00+08:00');
  });

  it.each(['UTC', 'Asia/Shanghai'])('#22.12 the time until a UTC date-time is the same on a host in %s', (zone) => {
    process.env.TZ = zone;
    vi.useFakeTimers({ now: Date.parse('2026-01-01T20:00:00Z'), toFake: ['Date'] });
    // feelin subtracts wall-clock times when zones differ: both sides are carried in Shanghai time.
    expect(evaluateDurationMs('date and time(dueAt) - now()', { dueAt: '2026-01-01T21:00:00.000Z' }, Date.now())).toBe(60 * 60 * 1000);
    expect(evaluateDurationMs('date and time(dueAt) - now()', { dueAt: '2026-01-02T05:00:00+08:00' }, Date.now())).toBe(60 * 60 * 1000);
  });
});
