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

/** The path parameter `{name}`: an identifier of 1 to `max` characters. */
export function idParam<const Name extends string = 'id'>(name: Name = 'id' as Name, options: { max?: number; example?: string } = {}) {
  const { max = 200, example } = options;
  const schema = z
    .string()
    .min(1)
    .max(max)
    .openapi({ param: { name, in: 'path' }, ...(example === undefined ? {} : { example }) });
  return z.object({ [name]: schema } as { [K in Name]: typeof schema });
}

/** 401 on every route behind requireUser. */
export const unauthorized = { description: 'No token, or a token that is invalid, expired, or names no active user (problem+json)' };

/** 400 from the routers' validation hook (api/router.ts), when the route says nothing more specific. */
export const invalidInput = { description: 'INVALID_INPUT (problem+json)' };
