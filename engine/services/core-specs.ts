import type { ServiceSpec } from '../definition/service-spec.ts';

export const coreServices = {
  notify: {
    description: 'Send a notification to users (their inbox of notices).',
    input: {
      userIds: { type: 'stringList', required: true },
      text: { type: 'string', required: true, maxLength: 2_000 },
    },
    result: {},
  },
  recordEvent: {
    description: 'Write an entry to the audit trail, citing the rule that required it.',
    input: {
      event: { type: 'string', required: true, maxLength: 200 },
      ruleId: { type: 'string', required: false, maxLength: 20 },
      note: { type: 'string', required: false, maxLength: 2_000 },
    },
    result: {},
  },
} satisfies Record<string, ServiceSpec>;
