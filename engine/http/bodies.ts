// What the engine's routes share: labels, timestamps and a decision as the API shows them.
import { z } from '@hono/zod-openapi';

export const label = z.object({ en: z.string(), zh: z.string() }).openapi('Label');
export const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });
export const iso = (date: Date | number) => new Date(date).toISOString();

export const decision = z
  .object({
    outcome: z.string(),
    decidedBy: z.string(),
    onBehalfOf: z.string().nullable().openapi({ description: 'The principal a delegate decided for (BOR-7).' }),
    delegationId: z.string().nullable(),
    comment: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    at: timestamp,
  })
  .openapi('TaskDecision');
