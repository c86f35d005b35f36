import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';

export const POWER_OF_ATTORNEY_PROCESS = 'delegation.power-of-attorney';

/**
 * BOR-7: the life of one power of attorney 委托书. It waits for its start, announces it to the
 * instances waiting on the principal, waits for its end, and announces that. A `revoked` message
 * ends it at once: before the start without announcing anything, after it by announcing the end.
 * FEEL subtracting two date-times gives a duration; a start or end already past fires at once.
 */
export const powerOfAttorneyDefinition: ProcessDefinitionInput = {
  key: POWER_OF_ATTORNEY_PROCESS,
  version: 1,
  name: { en: 'Power of attorney', zh: '委托书' },
  description: 'The GM delegates approval to a Deputy GM or the Office Director for a period (BOR-7). Started by POST /api/v1/delegations.',
  input: {
    delegationId: { type: 'string', maxLength: 200 },
    validFrom: { type: 'dateTime' },
    validTo: { type: 'dateTime' },
  },
  businessKey: 'delegationId',
  nodes: [
    { id: 'start', type: 'startEvent', next: 'awaitStart' },
    {
      id: 'awaitStart',
      type: 'receiveTask',
      name: { en: 'Scheduled', zh: '待生效' },
      ruleId: 'BOR-7',
      message: 'revoked',
      deadline: { after: 'date and time(validFrom) - now()', to: 'announceStart' },
      next: 'revoked',
    },
    {
      id: 'announceStart',
      type: 'serviceTask',
      name: { en: 'Announce the delegation', zh: '通知委托生效' },
      ruleId: 'BOR-7',
      activity: 'announceDelegation',
      input: { delegationId: 'delegationId', active: 'true' },
      next: 'awaitEnd',
    },
    {
      id: 'awaitEnd',
      type: 'receiveTask',
      name: { en: 'In force', zh: '生效中' },
      ruleId: 'BOR-7',
      message: 'revoked',
      deadline: { after: 'date and time(validTo) - now()', to: 'announceExpiry' },
      next: 'announceRevocation',
    },
    {
      id: 'announceExpiry',
      type: 'serviceTask',
      name: { en: 'Announce the expiry', zh: '通知委托到期' },
      ruleId: 'BOR-7',
      activity: 'announceDelegation',
      input: { delegationId: 'delegationId', active: 'false' },
      next: 'ended',
    },
    {
      id: 'announceRevocation',
      type: 'serviceTask',
      name: { en: 'Announce the revocation', zh: '通知委托撤销' },
      ruleId: 'BOR-7',
      activity: 'announceDelegation',
      input: { delegationId: 'delegationId', active: 'false' },
      next: 'revoked',
    },
    { id: 'ended', type: 'endEvent', status: 'ended' },
    { id: 'revoked', type: 'endEvent', status: 'revoked' },
  ],
};

export const delegationProcesses: ProcessDefinitionInput[] = [powerOfAttorneyDefinition];
