// The one codec for keyset page cursors: base64url JSON of the key's parts. A cursor is only
// handed back to the database once every part has been checked against the type its column
// has, so a cursor that decodes but would not cast is a 400 INVALID_CURSOR, never a failed query.
import { z } from '@hono/zod-openapi';
import { hasForbiddenText, isCalendarDate } from './schemas.ts';

/** What a part of a key is: the column type it is compared with. */
export type CursorPart = 'date' | 'timestamp' | 'text' | 'int' | readonly string[];

/** The code the validation hook (api/router.ts) answers a refused cursor with. */
export const INVALID_CURSOR = 'INVALID_CURSOR';

// As PostgreSQL prints a timestamptz (`2026-03-01 10:00:00.123456+08`) or as toISOString does.
const timestampPattern = /^(\d{4}-\d{2}-\d{2})[ T]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;

function partIsValid(kind: CursorPart, value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 500 || hasForbiddenText(value)) return false;
  if (Array.isArray(kind)) return kind.includes(value);
  switch (kind) {
    case 'date':
      return isCalendarDate(value);
    case 'timestamp': {
      const match = timestampPattern.exec(value);
      return match !== null && isCalendarDate(match[1]!);
    }
    case 'int':
      return /^(0|[1-9]\d{0,14})$/.test(value);
    default:
      return true;
  }
}

export interface KeysetCursor<Parts extends readonly CursorPart[]> {
  /** The `cursor` query parameter: absent, or a cursor `format` made. */
  query: z.ZodType<string | undefined>;
  format(parts: { [K in keyof Parts]: string }): string;
  /** The parts of a cursor the query schema accepted; undefined for anything else. */
  parse(text: string): { [K in keyof Parts]: string } | undefined;
}

/** A cursor over a key of `parts` (in order). */
export function keysetCursor<const Parts extends readonly CursorPart[]>(...parts: Parts): KeysetCursor<Parts> {
  type Values = { [K in keyof Parts]: string };
  const parse = (text: string): Values | undefined => {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!Array.isArray(value) || value.length !== parts.length || !parts.every((kind, index) => partIsValid(kind, value[index]))) return undefined;
    return value as Values;
  };
  return {
    query: z
      .string()
      .optional()
      .superRefine((text, ctx) => {
        if (text !== undefined && (text.length > 1_000 || !/^[A-Za-z0-9_-]+$/.test(text) || parse(text) === undefined)) {
          ctx.addIssue({ code: 'custom', message: 'not a cursor this API handed out', params: { problem: INVALID_CURSOR } });
        }
      })
      .openapi({ description: 'The `nextCursor` of the previous page, as it was handed out.', pattern: '^[A-Za-z0-9_-]+$', maxLength: 1_000 }),
    format: (values) => Buffer.from(JSON.stringify(values)).toString('base64url'),
    parse,
  };
}
