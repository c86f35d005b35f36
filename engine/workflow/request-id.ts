// The API's request id (X-Request-Id) across the processes: the API's Temporal client puts it in
// the header of a start, update or signal (api/request-context.ts); this workflow interceptor
// keeps the latest one an instance received and adds it to the instance's log lines and to the
// headers of the activities and child processes it schedules, where the activity interceptor
// (worker/request-id.ts) adds it to the activity's log lines. One request can then be followed
// from the API's access log to the workflow and activity logs of every process it touched.
//
// Registered as a workflow interceptor module (worker/worker.ts). Deterministic: the id comes
// from the history (the headers of the started, update and signal events), and headers and logs
// are no part of the commands replay compares.
import {
  defaultPayloadConverter,
  log,
  type Headers,
  type WorkflowInterceptors,
} from '@temporalio/workflow';

/** The Temporal header that carries the request id. */
export const REQUEST_ID_HEADER = 'custodian-request-id';

/** The request id a set of Temporal headers carries, if any. */
export function requestIdOf(headers: Headers | undefined): string | undefined {
  const payload = headers?.[REQUEST_ID_HEADER];
  if (payload === undefined) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

/** `headers` with the request id added (unchanged without one). */
export function withRequestId<T extends { headers: Headers }>(input: T, requestId: string | undefined): T {
  if (requestId === undefined) return input;
  return { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } };
}

/** Called by the SDK once per workflow instance: `latest` is that instance's own. */
export function interceptors(): WorkflowInterceptors {
  let latest: string | undefined;
  /** Remembers the request id of an inbound call and logs the call with it. */
  const received = (kind: string, name: string | undefined, headers: Headers) => {
    const requestId = requestIdOf(headers);
    if (requestId === undefined) return;
    latest = requestId;
    log.info(`${kind} received`, name === undefined ? {} : { name });
  };
  return {
    inbound: [
      {
        execute(input, next) {
          received('start', undefined, input.headers);
          return next(input);
        },
        handleUpdate(input, next) {
          received('update', input.name, input.headers);
          return next(input);
        },
        handleSignal(input, next) {
          received('signal', input.signalName, input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        getLogAttributes(input, next) {
          return next(latest === undefined ? input : { ...input, requestId: latest });
        },
        scheduleActivity: (input, next) => next(withRequestId(input, latest)),
        scheduleLocalActivity: (input, next) => next(withRequestId(input, latest)),
        startChildWorkflowExecution: (input, next) => next(withRequestId(input, latest)),
        continueAsNew: (input, next) => next(withRequestId(input, latest)),
      },
    ],
  };
}
