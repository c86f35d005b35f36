import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { INVALID_CURSOR } from './cursor.ts';
import { fieldProblems, problem, sendProblem } from './problem.ts';
import { forbiddenTextPaths } from './schemas.ts';

/**
 * Invalid input found by a route's zod schema: 400 with one entry per field. A refused page
 * cursor says INVALID_CURSOR; NUL or an unpaired surrogate anywhere in an accepted input is
 * refused here too, once for every route (PostgreSQL stores neither).
 */
export function validationHook<E extends Env>(): Hook<unknown, E, string, unknown> {
  return (result, c) => {
    if (!result.success) {
      const cursor = result.error.issues.some((issue) => issue.code === 'custom' && (issue as { params?: { problem?: string } }).params?.problem === INVALID_CURSOR);
      return sendProblem(
        c,
        cursor
          ? problem(400, INVALID_CURSOR, 'The cursor is not one this API handed out; start again from the first page.', { errors: fieldProblems(result.error) })
          : problem(400, 'INVALID_INPUT', `The request ${result.target} is invalid.`, { errors: fieldProblems(result.error) }),
      );
    }
    const paths = forbiddenTextPaths(result.data);
    if (paths.length > 0) {
      return sendProblem(
        c,
        problem(400, 'INVALID_INPUT', `The request ${result.target} holds a NUL character or an unpaired surrogate.`, {
          errors: paths.map((path) => ({ path, message: 'NUL characters and unpaired surrogates are not accepted' })),
        }),
      );
    }
    return undefined;
  };
}

/** Every router validates with the same hook, so every 400 reads the same. */
export function createRouter<E extends Env = Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: validationHook<E>() });
}
