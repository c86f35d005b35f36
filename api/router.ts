import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { fieldProblems, problem, sendProblem } from './problem.ts';

/** Invalid input found by a route's zod schema: 400 with one entry per field. */
export function validationHook<E extends Env>(): Hook<unknown, E, string, unknown> {
  return (result, c) => {
    if (!result.success) {
      return sendProblem(
        c,
        problem(400, 'INVALID_INPUT', `The request ${result.target} is invalid.`, { errors: fieldProblems(result.error) }),
      );
    }
    return undefined;
  };
}

/** Every router validates with the same hook, so every 400 reads the same. */
export function createRouter<E extends Env = Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: validationHook<E>() });
}
