// The showroom's process: the regional hand-over of REG-1.
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { regionalHandoverProcessKey } from './rules.ts';

/**
 * REG-1: 临沂市以外的礼品销售客户…属于区域客户,展厅在接待客户时了解到信息后第一时间交于市场部或
 * 外省拓展部,未交的,每次一次罚款500元. The Showroom Manager or the receiver hands the customer to
 * one of the two regions by the deadline; missed, the receiver's 500-yuan fine is proposed.
 */
export const regionalHandoverDefinition: ProcessDefinitionInput = {
  key: regionalHandoverProcessKey,
  version: 1,
  name: { en: 'Hand a regional customer to a region', zh: '区域客户移交市场部或外省拓展部' },
  description: 'REG-1: a gift-trade customer from outside Linyi met at the showroom goes to the Market Dept or the Out-of-Province Expansion Dept at once. Started by POST /api/v1/showroom/visits.',
  input: {
    visitId: { type: 'string', maxLength: 200 },
    customerId: { type: 'string', maxLength: 200 },
    receiverId: { type: 'string', maxLength: 200 },
    dueAt: { type: 'dateTime' },
  },
  businessKey: 'visitId',
  cancellableAt: [],
  nodes: [
    { id: 'start', type: 'startEvent', next: 'handOver' },
    {
      id: 'handOver',
      type: 'userTask',
      ruleId: 'REG-1',
      name: { en: 'Hand the regional customer to the Market Dept or the Out-of-Province Expansion Dept', zh: '将区域客户交于市场部或外省拓展部' },
      candidates: { anyOf: [{ role: 'showroom_manager' }, { user: 'receiverId' }] },
      // The receiver records the visit and hands the customer over: their own duty.
      initiatorMayDecide: true,
      // not_handed_over: the deadline passed (or the showroom says it will not hand over).
      outcomes: ['market', 'expansion', 'not_handed_over'],
      due: 'date and time(dueAt) - now()',
      autoOutcome: { after: 'duration("PT0S")', from: 'due', outcome: 'not_handed_over' },
      next: { market: 'toMarket', expansion: 'toExpansion', not_handed_over: 'fine' },
    },
    { id: 'toMarket', type: 'serviceTask', ruleId: 'REG-1', activity: 'handOverRegionalCustomer', input: { visitId: 'visitId', departmentId: '"market"', decidedBy: 'handOver.decidedBy' }, next: 'handedOver' },
    { id: 'toExpansion', type: 'serviceTask', ruleId: 'REG-1', activity: 'handOverRegionalCustomer', input: { visitId: 'visitId', departmentId: '"expansion"', decidedBy: 'handOver.decidedBy' }, next: 'handedOver' },
    { id: 'fine', type: 'serviceTask', ruleId: 'REG-1', activity: 'fineRegionalHandoverMissed', input: { visitId: 'visitId' }, next: 'missed' },
    { id: 'handedOver', type: 'endEvent', status: 'handed_over' },
    { id: 'missed', type: 'endEvent', status: 'missed' },
  ],
};

export const showroomProcesses: ProcessDefinitionInput[] = [regionalHandoverDefinition];
