// Every error the API returns is application/problem+json (RFC 9457). This module is the one
// place that maps errors to HTTP status.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../errors.ts';
import { languageOf, localizeProblem } from './messages.ts';

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
  /** The request's id (X-Request-Id), added when the problem is sent. */
  requestId?: string;
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
  429: 'Too Many Requests',
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

/** Sends a problem in the caller's language (api/messages.ts): the code and rule ID read the same in all. */
export function sendProblem(c: Context, body: Problem, headers: Record<string, string> = {}): Response {
  // The request id (request-context.ts), so that a problem a user reports can be found in the logs;
  // title and detail in the caller's language (messages.ts), the code and rule ID the same in all.
  const requestId = c.get('requestId');
  const language = languageOf(c);
  const localized = localizeProblem(body, language);
  return c.body(JSON.stringify(requestId ? { ...localized, requestId } : localized), body.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    'content-language': language,
    vary: 'Accept-Language',
    ...headers,
  });
}

// ------------------------------------------------------------------ errors from below

const RETRY_AFTER_SECONDS = 5;

const unavailable = (detail: string) => ({
  body: problem(503, 'DEPENDENCY_UNAVAILABLE', detail),
  headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
});

// Connection failures of the postgres driver and of Node's sockets; 57P01/57P03: the server is
// shutting down or starting up; 53300: too many connections.
const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P03', '53300']);

/** gRPC status codes (grpc/status.proto) that the Temporal frontend answers with. */
export const grpcStatus = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
} as const;

/**
 * The gRPC status of a Temporal client error: the SDK wraps the transport's error (code,
 * details, metadata) in ServiceError and friends as `cause`, so the chain is walked.
 */
export function grpcStatusOf(error: unknown): { code: number; details: string } | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    const { code, details, metadata } = current as { code?: unknown; details?: unknown; metadata?: unknown };
    if (typeof code === 'number' && typeof details === 'string' && typeof metadata === 'object' && metadata !== null) return { code, details };
  }
  return undefined;
}

// The frontend's blob size limit ("Blob data size exceeds limit") and gRPC's message size limit
// ("Received message larger than max").
const tooLarge = /size exceeds|larger than max|too large/i;

/**
 * A Temporal error by its gRPC status. Only real unavailability (UNAVAILABLE, DEADLINE_EXCEEDED,
 * a rate limit) asks the client to retry; a refusal is the client's, a NOT_FOUND or
 * ALREADY_EXISTS is about the thing named; anything else is a fault of ours (undefined: 500).
 */
function temporalProblem(error: unknown): { body: Problem; headers: Record<string, string> } | undefined {
  // The SDK's names for an update the workflow did not accept before the request's deadline
  // (the transport reports DEADLINE_EXCEEDED or CANCELLED), and for a start that found its id taken.
  if (error instanceof Error && error.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return unavailable('The process did not take the request up in time; try again shortly.');
  if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError') return { body: problem(409, 'PROCESS_ALREADY_EXISTS', error.message), headers: {} };
  const status = grpcStatusOf(error);
  if (!status) return undefined;
  switch (status.code) {
    case grpcStatus.INVALID_ARGUMENT:
      return tooLarge.test(status.details)
        ? { body: problem(413, 'PAYLOAD_TOO_LARGE', 'The request carries more data than a process accepts.'), headers: {} }
        : { body: problem(400, 'PROCESS_REFUSED_INPUT', `The process engine refused the request: ${status.details}`), headers: {} };
    case grpcStatus.RESOURCE_EXHAUSTED:
      return tooLarge.test(status.details)
        ? { body: problem(413, 'PAYLOAD_TOO_LARGE', 'The request carries more data than a process accepts.'), headers: {} }
        : unavailable('The process engine is over its request rate; try again shortly.');
    case grpcStatus.NOT_FOUND:
      return { body: problem(404, 'PROCESS_NOT_FOUND', 'No such process.'), headers: {} };
    case grpcStatus.ALREADY_EXISTS:
      return { body: problem(409, 'PROCESS_ALREADY_EXISTS', 'That process already exists.'), headers: {} };
    case grpcStatus.UNAVAILABLE:
      return unavailable('The process engine (Temporal) is unreachable; try again shortly.');
    case grpcStatus.DEADLINE_EXCEEDED:
      return unavailable('The process engine (Temporal) did not answer in time; try again shortly.');
    default:
      return undefined;
  }
}

/**
 * Unique constraints a request can run into when it races another one that asked the same (a
 * second departure of the same person, a co-development request made twice, ...): each has its
 * stable 409 code, the one the route's own check answers with when it sees the first one. A
 * constraint not listed is still a 409, ALREADY_EXISTS.
 */
const uniqueConflicts: Record<string, string> = {
  user_departures_open: 'DEPARTURE_OPEN',
  co_development_requests_pending: 'CO_DEVELOPMENT_PENDING',
  customer_co_developers_pkey: 'ALREADY_CO_DEVELOPER',
  protections_one_per_customer: 'PROTECTION_PENDING',
  documents_reference_key: 'DOCUMENT_REFERENCE_TAKEN',
  borrow_requests_one_holder: 'DOCUMENT_UNAVAILABLE',
  destruction_items_one_open_request: 'DOCUMENT_IN_DESTRUCTION',
};

/**
 * PostgreSQL's refusals. A unique violation is the client asking for something that exists (409);
 * data exceptions (class 22: a value out of range, a bad cast, a character the database cannot
 * store) are input the schemas should have refused and a 400 is still the honest answer.
 */
function databaseProblem(error: unknown): { body: Problem; headers: Record<string, string> } | undefined {
  const { code, constraint_name: constraint } = error as { code?: unknown; constraint_name?: unknown };
  if (typeof code !== 'string') return undefined;
  if (unreachableCodes.has(code)) return unavailable('A service Custodian depends on is unreachable; try again shortly.');
  if (!(error instanceof Error) || error.name !== 'PostgresError') return undefined;
  if (code === '23505') {
    const stable = typeof constraint === 'string' ? uniqueConflicts[constraint] : undefined;
    return { body: problem(409, stable ?? 'ALREADY_EXISTS', 'This already exists; it was not created again.'), headers: {} };
  }
  if (code.startsWith('22')) return { body: problem(400, 'INVALID_VALUE', 'A value of the request is out of the range Custodian stores.'), headers: {} };
  return undefined;
}

/** True for errors that mean PostgreSQL or Temporal cannot be reached right now. */
export function isUnavailable(error: unknown): boolean {
  return (databaseProblem(error) ?? temporalProblem(error))?.body.status === 503;
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
    const code = status === 400 ? 'MALFORMED_REQUEST' : status === 413 ? 'PAYLOAD_TOO_LARGE' : `HTTP_${status}`;
    return { body: problem(status, code, error.message || titles[status] || 'Error'), headers: {} };
  }
  return (
    databaseProblem(error) ??
    temporalProblem(error) ?? { body: problem(500, 'INTERNAL_ERROR', 'An unexpected error occurred; it has been logged.'), headers: {} }
  );
}
