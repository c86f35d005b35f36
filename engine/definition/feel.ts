// FEEL evaluation shared by definition checks (at registration) and the interpreter (in the
// workflow sandbox, where `now()` reads workflow time, so evaluation stays deterministic).
import { evaluate, FeelDate, FeelDateTime, FeelDuration, FeelFunction, SyntaxError as FeelSyntaxError } from 'feelin';
import { Temporal } from 'temporal-polyfill';

/** Calendar arithmetic (months, working days) happens in the company's zone. */
export const POLICY_TIME_ZONE = 'Asia/Shanghai';

/** The calendar day of an instant in the company's zone, as YYYY-MM-DD. */
export function policyDate(atMs: number): string {
  return Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(POLICY_TIME_ZONE).toPlainDate().toString();
}

export class ExpressionError extends Error {
  override name = 'ExpressionError';
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(`${detail} in FEEL expression \`${expression}\``);
  }
}

/**
 * How an expression reads the calendar. `policy` (the default): `today()` and `now()` are in
 * the policy zone, a date-time without a zone is a Shanghai wall-clock time, and every date-time
 * is carried with Shanghai's offset, so comparisons and differences (feelin subtracts wall-clock
 * times when zones differ) mean the same on every host (#22.12). `host`: feelin's own reading
 * (the host's zone; zone-less means UTC in comparisons), kept only for instances started before
 * that fix, so they replay unchanged.
 */
export type FeelZone = 'policy' | 'host';

/** The same instant as Shanghai wall-clock time with Shanghai's offset; a zone-less value is read as Shanghai time. */
function inPolicyZone(value: FeelDateTime): FeelDateTime {
  const local = value.unwrap();
  const zoned = value.zone === null ? local.toZonedDateTime(POLICY_TIME_ZONE) : local.toZonedDateTime(value.zone).withTimeZone(POLICY_TIME_ZONE);
  return new FeelDateTime(zoned.toPlainDateTime(), zoned.offset);
}

/** The built-ins that read the calendar, shadowed by context entries of the same names. */
const policyZoneBuiltins: Record<string, FeelFunction> = {
  today: new FeelFunction(() => new FeelDate(Temporal.Now.zonedDateTimeISO(POLICY_TIME_ZONE).toPlainDate()), []),
  now: new FeelFunction(() => {
    const zoned = Temporal.Now.zonedDateTimeISO(POLICY_TIME_ZONE);
    return new FeelDateTime(zoned.toPlainDateTime(), zoned.offset);
  }, []),
  // feelin's own `date and time` does the parsing; only a zone-less result is placed in the zone.
  'date and time': new FeelFunction(
    (...args: unknown[]) => {
      const names = ['a', 'b'].slice(0, args.length);
      const value = evaluate(`date and time(${names.join(', ')})`, Object.fromEntries(names.map((name, i) => [name, args[i]]))).value;
      return value instanceof FeelDateTime ? inPolicyZone(value) : value;
    },
    ['from', 'time'],
  ),
};

const fatalWarnings = new Set(['NO_VARIABLE_FOUND', 'NO_CONTEXT_ENTRY_FOUND', 'NO_FUNCTION_FOUND', 'FUNCTION_INVOCATION_FAILURE', 'INVALID_ARGUMENTS']);

/** Evaluates an expression; an unknown name or a failed function call is an error, not null. */
export function evaluateFeel(expression: string, context: Record<string, unknown>, zone: FeelZone = 'policy'): unknown {
  let result;
  try {
    result = evaluate(expression, zone === 'policy' ? { ...policyZoneBuiltins, ...context } : context);
  } catch (error) {
    if (error instanceof FeelSyntaxError) throw new ExpressionError(expression, `syntax error: ${error.message}`);
    throw new ExpressionError(expression, error instanceof Error ? error.message : String(error));
  }
  const fatal = result.warnings.find((warning) => fatalWarnings.has(warning.type));
  if (fatal) throw new ExpressionError(expression, fatal.message);
  return result.value;
}

export function evaluateCondition(expression: string, context: Record<string, unknown>, zone?: FeelZone): boolean {
  const value = evaluateFeel(expression, context, zone);
  if (typeof value !== 'boolean' && value !== null) throw new ExpressionError(expression, `a condition must be true or false, not ${describe(value)}`);
  return value === true;
}

/** A duration as milliseconds from `fromMs`; calendar durations (P4M) count real calendar months. */
export function evaluateDurationMs(expression: string, context: Record<string, unknown>, fromMs: number, zone?: FeelZone): number {
  const value = evaluateFeel(expression, context, zone);
  if (!(value instanceof FeelDuration)) throw new ExpressionError(expression, `expected a duration, got ${describe(value)}`);
  return durationMs(value, fromMs);
}

export function durationMs(value: FeelDuration, fromMs: number): number {
  const start = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(POLICY_TIME_ZONE);
  return start.add(value.unwrap()).epochMilliseconds - fromMs;
}

/** A date and time as epoch milliseconds; a local date-time or a date is read in the policy zone. */
export function evaluateInstantMs(expression: string, context: Record<string, unknown>, zone?: FeelZone): number {
  const value = evaluateFeel(expression, context, zone);
  if (value instanceof FeelDateTime) return value.unwrap().toZonedDateTime(value.zone ?? POLICY_TIME_ZONE).epochMilliseconds;
  if (value instanceof FeelDate) return value.unwrap().toZonedDateTime({ timeZone: POLICY_TIME_ZONE }).epochMilliseconds;
  throw new ExpressionError(expression, `expected a date and time, got ${describe(value)}`);
}

/** Evaluates to plain JSON (dates and durations as ISO strings), for variables and activity input. */
export function evaluateValue(expression: string, context: Record<string, unknown>, zone?: FeelZone): unknown {
  return JSON.parse(JSON.stringify(evaluateFeel(expression, context, zone) ?? null));
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
