// The sales area's process: the Showroom Manager's or the GM's signature on a showroom order below
// the margin floor (REG-2).
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { marginSignatureProcessKey } from './rules.ts';

/**
 * REG-2: 展厅销售的每笔开单的利润都不低于40%,低于40%必须由展厅经理签字或者是总经理签字,如发现一次罚款200元.
 * The order waits (awaiting_signature) while the Showroom Manager or the GM signs or refuses it;
 * beside that task a timer runs to the signature deadline, when an order still unsigned is "found"
 * and the filer's 200-yuan fine is proposed, once. Signing after the deadline still makes the order
 * final; the fine stays for HR to confirm or waive (CUS-2).
 */
export const marginSignatureDefinition: ProcessDefinitionInput = {
  key: marginSignatureProcessKey,
  version: 1,
  name: { en: 'Low-margin showroom order signature', zh: '展厅低利润开单签字' },
  description: 'REG-2: a showroom order below 40% margin is final only once the Showroom Manager or the GM signs it. Started by POST /api/v1/orders.',
  input: {
    orderId: { type: 'string', maxLength: 200 },
    signatureDeadlineDays: { type: 'number' },
  },
  businessKey: 'orderId',
  nodes: [
    { id: 'start', type: 'startEvent', next: 'fork' },
    { id: 'fork', type: 'parallelGateway', next: ['sign', 'deadline'] },
    {
      id: 'sign',
      type: 'userTask',
      ruleId: 'REG-2',
      name: { en: 'Sign the showroom order below 40% margin (Showroom Manager or GM)', zh: '展厅经理或总经理签字（利润低于40%）' },
      candidates: { anyOf: [{ role: 'showroom_manager' }, { role: 'gm' }] },
      due: 'duration("P" + string(signatureDeadlineDays) + "D")',
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")' }],
      outcomes: ['sign', 'refuse'],
      next: { sign: 'signed', refuse: 'refused' },
    },
    { id: 'signed', type: 'serviceTask', ruleId: 'REG-2', activity: 'signLowMarginOrder', input: { orderId: 'orderId', decidedBy: 'sign.decidedBy' }, next: 'final' },
    { id: 'refused', type: 'serviceTask', ruleId: 'REG-2', activity: 'refuseLowMarginOrder', input: { orderId: 'orderId', decidedBy: 'sign.decidedBy' }, next: 'cancelled' },
    { id: 'final', type: 'endEvent', status: 'signed', terminate: true },
    { id: 'cancelled', type: 'endEvent', status: 'refused', terminate: true },
    { id: 'deadline', type: 'timerEvent', ruleId: 'REG-2', duration: 'duration("P" + string(signatureDeadlineDays) + "D")', next: 'check' },
    { id: 'check', type: 'serviceTask', ruleId: 'REG-2', activity: 'fineUnsignedOrder', input: { orderId: 'orderId' }, next: 'found' },
    // The signature task stays open: the order still needs it.
    { id: 'found', type: 'endEvent', status: 'found_unsigned' },
  ],
};

export const salesProcesses: ProcessDefinitionInput[] = [marginSignatureDefinition];
