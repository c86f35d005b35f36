// The request id: taken from the caller's X-Request-Id when it is a short, safe token, made up
// otherwise; answered in the X-Request-Id header and in every problem+json body (`requestId`),
// on the request's log line, and carried to Temporal in the header of every process start,
// update and signal the request makes, so the workflow and activity logs name it too
// (workflows/request-id.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { withRequestId } from '../../engine/workflow/request-id.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's id (X-Request-Id). */
    requestId: string;
  }
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** Up to 128 letters, digits and `._:-`: UUIDs, trace ids, a proxy's ids; nothing that could forge a log line. */
const safeRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id when it is acceptable, a new one otherwise. */
export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && safeRequestId.test(header) ? header : randomUUID();
}

const scope = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `work` (a request's handling) with `requestId` as the current request's id. */
export function inRequest<T>(requestId: string, work: () => T): T {
  return scope.run({ requestId }, work);
}

/** The id of the request being handled, if any (not in the outbox's background deliveries). */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}

/**
 * The API's Temporal client interceptor: every start, update and signal sent while a request is
 * handled carries its id in a Temporal header.
 */
export const requestIdClientInterceptor: WorkflowClientInterceptor = {
  start: (input, next) => next(withRequestId(input, currentRequestId())),
  startWithDetails: (input, next) => next(withRequestId(input, currentRequestId())),
  startUpdate: (input, next) => next(withRequestId(input, currentRequestId())),
  signal: (input, next) => next(withRequestId(input, currentRequestId())),
  signalWithStart: (input, next) => next(withRequestId(input, currentRequestId())),
};
