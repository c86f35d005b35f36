// The services the adjudication process calls (definitions.ts), with their input and result forms.
import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

const id = { type: 'string', required: true, maxLength: 200 } as const;
const text = { type: 'string', required: false, maxLength: 2000 } as const;

export const overlapServices = {
  prepareAdjudication: {
    description: 'OVL-1, OVL-3: computes and stores each party\'s evidence (trade in 6 months, follow-ups in 3 months, card completeness) and suggested score; names the parties and the committee.',
    input: { adjudicationId: id },
    result: {
      parties: { type: 'recordList', required: true, maxItems: 20, fields: { key: id, departmentId: id } },
      members: { type: 'recordList', required: true, maxItems: 50, fields: { userId: id } },
      chairId: id,
    },
  },
  signSubmissions: {
    description: "OVL-2: records each party's Department Manager's signature on its submission.",
    input: { adjudicationId: id, signatures: { type: 'recordList', required: true, maxItems: 20, fields: { party: id, by: id, note: text } } },
    result: { signed: { type: 'number', required: true, integer: true, min: 0 } },
  },
  tallyAdjudication: {
    description: "OVL-2: records every committee member's scores and each party's average; the leader, or a tie for the GM.",
    input: {
      adjudicationId: id,
      scores: { type: 'recordList', required: true, maxItems: 1000, fields: { memberId: id, party: id, score: { type: 'number', required: true, integer: false, min: 0, max: 100 }, reason: text } },
    },
    result: { tie: { type: 'boolean', required: true }, leader: id, leaders: { type: 'stringList', required: true } },
  },
  settleAdjudication: {
    description: 'OVL-2: the customer goes to the winning party (ownership history, reason adjudicated); the parties and their managers are told.',
    input: { adjudicationId: id, winner: id, tieBrokenBy: { type: 'string', required: false, maxLength: 200 } },
    result: { winner: id },
  },
} satisfies Record<string, ServiceSpec>;
