// The services of the campaign and hand-over processes (CYC-1/2/3, ARC-3).
import type { ServiceSpec } from '../../engine/definition/service-spec.ts';
import { handOverItemFields, itemVerdictFields } from './definitions.ts';

const text = (required = true) => ({ type: 'string', required, maxLength: 2_000 }) as const;
const count = { type: 'number', required: true, integer: true, min: 0 } as const;

export const campaignServices = {
  openCampaign: {
    description:
      'CYC-1/2: records the campaign this instance runs (opened through the API, or by its Schedule: quarterly or annual from the instance id) and a hand-over per department, each due by the campaign\'s due time.',
    input: {
      departments: { type: 'recordList', required: true, maxItems: 1_000, fields: { id: text(), name: text(), nameZh: text() } },
      openedBy: text(),
    },
    result: {
      campaignId: text(),
      handOvers: {
        type: 'recordList',
        required: true,
        maxItems: 1_000,
        fields: { id: text(), departmentId: text(), dueAt: { type: 'dateTime', required: true } },
      },
    },
  },
  beginHandOver: {
    description: "ARC-3: links the hand-over to this instance and lists the department's outstanding confidential originals (those a campaign asks for).",
    input: { handOverId: text() },
    result: {
      heldOriginals: { type: 'recordList', required: true, maxItems: 1_000, fields: { id: text(), title: text(), secrecy: text() } },
    },
  },
  recordHandOverList: {
    description: "CYC-2: stores the Department Manager's hand-over list (移交清单).",
    input: { handOverId: text(), items: { type: 'recordList', required: true, maxItems: 1_000, fields: handOverItemFields }, submittedBy: text() },
    result: { items: count },
  },
  registerHandOverCheck: {
    description:
      "CYC-2/4, ARC-3: checks the Archivist's verdicts and, in one transaction, registers the accepted items as documents (in the volume the Archivist set) and closes the held originals they deposit; when the check cannot be registered, nothing is and the problem is returned.",
    input: { handOverId: text(), verdicts: { type: 'recordList', required: true, maxItems: 1_000, fields: itemVerdictFields }, checkedBy: text() },
    result: { valid: { type: 'boolean', required: true }, problem: text(), accepted: count, returned: count },
  },
  closeCampaign: {
    description: 'CYC-2: every list of the campaign is checked: it closes (its report stays available).',
    input: { campaignId: text() },
    result: {},
  },
} satisfies Record<string, ServiceSpec>;
