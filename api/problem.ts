// Every error the API returns is application/problem+json (RFC 9457). This module is the one
// place that maps errors to HTTP status.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../domain/errors.ts';

export interface FieldProblem {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  ruleId?: string;
  errors?: FieldProblem[];
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error that already knows its HTTP status. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    detail: string,
    readonly extra: { ruleId?: string; errors?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
  }
}

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: { ruleId?: string; errors?: FieldProblem[] } = {},
): Problem {
  return {
    type: `/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    code,
    ...(extra.ruleId ? { ruleId: extra.ruleId } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

export function fieldProblems(error: ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

export function sendProblem(c: Context, body: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...headers,
  });
}

/** True for errors that mean PostgreSQL or Temporal cannot be reached right now. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P03'].includes(code)) {
    return true;
  }
  // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4) from the Temporal client
  return error.name === 'ServiceError' || code === 14 || code === 4 || error.name === 'TransportError';
}

export function toProblem(error: unknown): { body: Problem; headers: Record<string, string> } {
  if (error instanceof HttpProblem) {
    const headers: Record<string, string> = error.extra.retryAfterSeconds
      ? { 'retry-after': String(error.extra.retryAfterSeconds) }
      : {};
    return { body: problem(error.status, error.code, error.message, error.extra), headers };
  }
  if (error instanceof PolicyViolation) {
    return { body: problem(422, error.code, error.message, { ruleId: error.ruleId, errors: error.errors }), headers: {} };
  }
  if (error instanceof StateConflict) {
    return { body: problem(409, error.code, error.message, { ruleId: error.ruleId }), headers: {} };
  }
  if (error instanceof Forbidden) {
    return { body: problem(403, error.code, error.message, { ruleId: error.ruleId }), headers: {} };
  }
  if (error instanceof NotFound) {
    return { body: problem(404, error.code, error.message), headers: {} };
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = status === 400 ? 'MALFORMED_REQUEST' : `HTTP_${status}`;
    return { body: problem(status, code, error.message || titles[status] || 'Error'), headers: {} };
  }
  if (isUnavailable(error)) {
    return {
      body: problem(503, 'DEPENDENCY_UNAVAILABLE', 'A service Custodian depends on is unreachable; try again shortly.'),
      headers: { 'retry-after': '5' },
    };
  }
  return { body: problem(500, 'INTERNAL_ERROR', 'An unexpected error occurred; it has been logged.'), headers: {} };
}
