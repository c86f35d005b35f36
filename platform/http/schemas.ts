// Request and response pieces that every router declares the same way.
import { z } from '@hono/zod-openapi';

/**
 * The optional Idempotency-Key header of a request that creates something; `effect` says what a
 * retry with the same key gets. HTTP header names are case-insensitive; Hono hands them over in
 * lower case.
 */
export function idempotencyHeaders(effect: string) {
  return z.object({
    'idempotency-key': z.string().min(1).max(200).optional().openapi({ description: `Idempotency-Key: ${effect}` }),
  });
}

/**
 * What every identifier the API hands out or names looks like: UUIDs, `borrow-<uuid>`, a task's
 * `<process>:<node>:<n>`, a child process's `<parent>.<node>.<n>`, `biz-sales-1`, `gm-office`,
 * an outcome such as `handed_over`. Documented, so a generated id reaches the handler; anything
 * else is a 400 rather than a look-up.
 */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

/** An identifier (IDENTIFIER_PATTERN) of 1 to `max` characters, trimmed first when `trim`. */
export function identifier(max = 200, options: { trim?: boolean } = {}) {
  const text = options.trim ? z.string().trim() : z.string();
  return text.min(1).max(max).regex(IDENTIFIER_PATTERN, 'an identifier: letters, digits, _ . : -');
}

/** The path parameter `{name}`: an identifier of 1 to `max` characters. */
export function idParam<const Name extends string = 'id'>(name: Name = 'id' as Name, options: { max?: number; example?: string } = {}) {
  const { max = 200, example } = options;
  const schema = identifier(max).openapi({ param: { name, in: 'path' }, ...(example === undefined ? {} : { example }) });
  return z.object({ [name]: schema } as { [K in Name]: typeof schema });
}

/** 401 on every route behind requireUser. */
export const unauthorized = { description: 'No token, or a token that is invalid, expired, or names no active user (problem+json)' };

/** 400 from the routers' validation hook (api/router.ts), when the route says nothing more specific. */
export const invalidInput = { description: 'INVALID_INPUT (problem+json)' };

// ------------------------------------------------------------------ what every input may hold

/**
 * NUL, and UTF-16 surrogates that do not form a pair: PostgreSQL stores neither in text or
 * jsonb, and no person types them. The validation hook (api/router.ts) refuses them in every
 * string of every body, query, path parameter and header, so each route need not.
 */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const forbiddenText = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasForbiddenText(text: string): boolean {
  return forbiddenText.test(text);
}

/** Where in a parsed input (keys included) a string holds forbidden text; [] when none does. */
export function forbiddenTextPaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return hasForbiddenText(value) ? [path.join('.') || '(value)'] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => forbiddenTextPaths(item, [...path, String(index)]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      hasForbiddenText(key) ? [[...path, key].join('.')] : forbiddenTextPaths(item, [...path, key]),
    );
  }
  return [];
}

/** PostgreSQL's integer (int4): a larger number in a path or query cannot name anything. */
export const INT4_MAX = 2_147_483_647;

/**
 * The years a date the API accepts may fall in. PostgreSQL has no year 0 and the policies
 * speak of nothing before the company's archive or after its retention periods; a date
 * outside is a typing mistake, refused with 400 rather than stored.
 */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 2999;
const yearPattern = '(19[0-9]{2}|2[0-9]{3})';
/** The accepted range in words, for the OpenAPI descriptions of date fields. */
export const acceptedDates = `from ${EARLIEST_YEAR}-01-01 to ${LATEST_YEAR}-12-31`;
const inRange = (year: number) => year >= EARLIEST_YEAR && year <= LATEST_YEAR;

/** True when `text` is YYYY-MM-DD naming a day that exists. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const datePattern = `^${yearPattern}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`;

/** A calendar date input (YYYY-MM-DD) within the accepted years. */
export const dateInput = z
  .string()
  .max(10)
  .refine((text) => new RegExp(datePattern).test(text) && isCalendarDate(text), `a day that exists, YYYY-MM-DD, from ${EARLIEST_YEAR} to ${LATEST_YEAR}`)
  .openapi({ format: 'date', pattern: datePattern, description: `A date (YYYY-MM-DD) ${acceptedDates}.`, example: '2026-03-01' });

/** A point in time input (ISO 8601 with an offset) within the accepted years. */
export const dateTimeInput = z.iso
  .datetime({ offset: true })
  .max(40)
  .refine((text) => isCalendarDate(text.slice(0, 10)) && inRange(Number(text.slice(0, 4))), `a time from ${EARLIEST_YEAR} to ${LATEST_YEAR}`)
  .openapi({
    pattern: `^${yearPattern}-`,
    description: `A time with its offset (ISO 8601), ${acceptedDates}.`,
    example: '2026-03-02T00:00:00+08:00',
  });

// ------------------------------------------------------------------ 202: accepted, still working

/** The answer when a workflow accepted a request but had not acted on it by API_WORKFLOW_WAIT_MS. */
export const stillWorking = z
  .object({
    status: z.literal('accepted'),
    detail: z.string(),
    processId: z.string(),
    taskId: z.string().optional(),
    links: z.object({ process: z.string(), task: z.string().optional() }).openapi({ description: 'Poll these for the outcome.' }),
  })
  .openapi('StillWorking');

export const accepted = {
  description:
    'Accepted: the process has recorded the request (it will be carried out) but had not finished acting on it within API_WORKFLOW_WAIT_MS; poll the links. Location names the process.',
  content: { 'application/json': { schema: stillWorking } },
};

export function stillWorkingBody(error: { processId: string; taskId?: string | undefined }): z.infer<typeof stillWorking> {
  const process = `/api/v1/processes/${encodeURIComponent(error.processId)}`;
  const task = error.taskId === undefined ? undefined : `/api/v1/tasks/${encodeURIComponent(error.taskId)}`;
  return {
    status: 'accepted',
    detail: 'The process accepted the request and is still acting on it; it will be carried out. Poll the links for the outcome.',
    processId: error.processId,
    ...(error.taskId === undefined ? {} : { taskId: error.taskId }),
    links: { process, ...(task === undefined ? {} : { task }) },
  };
}
