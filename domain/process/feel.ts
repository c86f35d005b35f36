// FEEL evaluation shared by definition checks (at registration) and the interpreter (in the
// workflow sandbox, where `now()` reads workflow time, so evaluation stays deterministic).
import { evaluate, FeelDate, FeelDateTime, FeelDuration, SyntaxError as FeelSyntaxError } from 'feelin';
import { Temporal } from 'temporal-polyfill';

/** Calendar arithmetic (months, working days) happens in the company's zone. */
export const POLICY_TIME_ZONE = 'Asia/Shanghai';

export class ExpressionError extends Error {
  override name = 'ExpressionError';
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(`${detail} in FEEL expression \`${expression}\``);
  }
}

const fatalWarnings = new Set(['NO_VARIABLE_FOUND', 'NO_CONTEXT_ENTRY_FOUND', 'NO_FUNCTION_FOUND', 'FUNCTION_INVOCATION_FAILURE', 'INVALID_ARGUMENTS']);

/** Evaluates an expression; an unknown name or a failed function call is an error, not null. */
export function evaluateFeel(expression: string, context: Record<string, unknown>): unknown {
  let result;
  try {
    result = evaluate(expression, context);
  } catch (error) {
    if (error instanceof FeelSyntaxError) throw new ExpressionError(expression, `syntax error: ${error.message}`);
    throw new ExpressionError(expression, error instanceof Error ? error.message : String(error));
  }
  const fatal = result.warnings.find((warning) => fatalWarnings.has(warning.type));
  if (fatal) throw new ExpressionError(expression, fatal.message);
  return result.value;
}

export function evaluateCondition(expression: string, context: Record<string, unknown>): boolean {
  const value = evaluateFeel(expression, context);
  if (typeof value !== 'boolean' && value !== null) throw new ExpressionError(expression, `a condition must be true or false, not ${describe(value)}`);
  return value === true;
}

/** A duration as milliseconds from `fromMs`; calendar durations (P4M) count real calendar months. */
export function evaluateDurationMs(expression: string, context: Record<string, unknown>, fromMs: number): number {
  const value = evaluateFeel(expression, context);
  if (!(value instanceof FeelDuration)) throw new ExpressionError(expression, `expected a duration, got ${describe(value)}`);
  return durationMs(value, fromMs);
}

export function durationMs(value: FeelDuration, fromMs: number): number {
  const start = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(POLICY_TIME_ZONE);
  return start.add(value.unwrap()).epochMilliseconds - fromMs;
}

/** A date and time as epoch milliseconds; a local date-time or a date is read in the policy zone. */
export function evaluateInstantMs(expression: string, context: Record<string, unknown>): number {
  const value = evaluateFeel(expression, context);
  if (value instanceof FeelDateTime) return value.unwrap().toZonedDateTime(value.zone ?? POLICY_TIME_ZONE).epochMilliseconds;
  if (value instanceof FeelDate) return value.unwrap().toZonedDateTime({ timeZone: POLICY_TIME_ZONE }).epochMilliseconds;
  throw new ExpressionError(expression, `expected a date and time, got ${describe(value)}`);
}

/** Evaluates to plain JSON (dates and durations as ISO strings), for variables and activity input. */
export function evaluateValue(expression: string, context: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(evaluateFeel(expression, context) ?? null));
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
