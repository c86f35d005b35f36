// Service-task handlers get their input parsed against their ServiceSpec's input form
// (typedServiceHandlers): typed values in, a non-retryable failure for input that does not fit.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { typedServiceHandlers } from '../../engine/activities/services.ts';
import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

const specs = {
  record: {
    description: 'a service for the test',
    input: {
      requestId: { type: 'string', required: true, maxLength: 10 },
      condition: { type: 'enum', required: true, values: ['intact', 'lost'] },
      note: { type: 'string', required: false, maxLength: 20 },
    },
    result: {},
  },
} satisfies Record<string, ServiceSpec>;

const context = { processId: 'p-1', key: 'p-1:1', at: 0 };

describe('typedServiceHandlers', () => {
  const received: unknown[] = [];
  const handlers = typedServiceHandlers(specs, {
    async record(input) {
      received.push(input);
      // Typed from the spec: a string, without a cast.
      return { length: input.requestId.length };
    },
  });

  it('hands the handler the input its spec accepts, optional fields absent or null', async () => {
    await expect(handlers.record({ requestId: 'r-1', condition: 'lost' }, context)).resolves.toEqual({ length: 3 });
    await expect(handlers.record({ requestId: 'r-22', condition: 'intact', note: null }, context)).resolves.toEqual({ length: 4 });
    expect(received).toEqual([{ requestId: 'r-1', condition: 'lost' }, { requestId: 'r-22', condition: 'intact', note: null }]);
  });

  it.each([
    ['a missing required field', { condition: 'lost' }],
    ['a value outside the enum', { requestId: 'r-1', condition: 'burnt' }],
    ['a string over its maxLength', { requestId: 'r-123456789012', condition: 'lost' }],
    ['a field the spec does not name', { requestId: 'r-1', condition: 'lost', extra: 1 }],
    ['a number for a string', { requestId: 7, condition: 'lost' }],
  ])('refuses %s without calling the handler, and without a retry', async (_, input) => {
    const before = received.length;
    const failure = await handlers.record(input, context).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('INVALID_SERVICE_INPUT');
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect(received.length).toBe(before);
  });
});
