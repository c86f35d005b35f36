// The activity half of the request id's journey (workflows/request-id.ts has the rest): an
// activity scheduled on behalf of a request carries its id in a Temporal header, and every log
// line of that activity (the SDK's own "Activity completed", "Activity failed", and activity code's
// log calls) gets it as `requestId`.
import { fileURLToPath } from 'node:url';
import type { ActivityInterceptors } from '@temporalio/worker';
import { requestIdOf } from '../../engine/workflow/request-id.ts';

/** The workflow interceptor module, for the bundler and the worker. */
export const requestIdWorkflowModule = fileURLToPath(new URL('../../engine/workflow/request-id.ts', import.meta.url));

/** Called by the SDK once per activity execution. */
export function requestIdActivityInterceptors(): ActivityInterceptors {
  let requestId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        requestId = requestIdOf(input.headers);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next(requestId === undefined ? input : { ...input, requestId }),
    },
  };
}
