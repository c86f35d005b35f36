// Definitions for the task actions' suites (issue #16).
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';

/** The requester's Department Manager reviews. */
const managerReview = {
  id: 'review',
  type: 'userTask',
  name: { en: 'Manager review', zh: '部门经理审核' },
  candidates: { anyOf: [{ role: 'department_manager', department: 'initiator.departmentId' }] },
} as const;

/**
 * The requester's Department Manager reviews (every action allowed by default), then an approval
 * bound to BOR-6's deciders (the GM or the Deputy GM in charge): transfer and added signers stay
 * among them. A requester sent back to may change the amount.
 */
export const actionsDefinition: ProcessDefinitionInput = {
  key: 'test.actions',
  version: 1,
  powerOfAttorney: true,
  name: { en: 'Task actions', zh: '任务操作' },
  input: { amount: { type: 'number', min: 1 }, purpose: { type: 'string', required: false } },
  businessKey: 'process.id',
  resubmit: { fields: ['amount', 'purpose'] },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'review' },
    { ...managerReview, outcomes: ['approve', 'reject'], next: { approve: 'approval', reject: 'rejected' } },
    {
      id: 'approval',
      type: 'userTask',
      ruleId: 'BOR-6',
      name: { en: 'Executive approval', zh: '领导审批' },
      candidates: { anyOf: [{ role: 'gm' }, { role: 'deputy_gm_in_charge', department: 'initiator.departmentId' }] },
      outcomes: ['approve', 'reject'],
      next: { approve: 'approved', reject: 'rejected' },
    },
    { id: 'approved', type: 'endEvent', status: 'approved' },
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ],
};

/** A task whose definition forbids every action. */
export const lockedDefinition: ProcessDefinitionInput = {
  key: 'test.actions.locked',
  version: 1,
  name: { en: 'No actions', zh: '不可操作' },
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'review' },
    {
      ...managerReview,
      outcomes: ['approve'],
      actions: { transfer: 'never', addSigner: 'never', sendBack: false, withdraw: false, urge: false, copy: false, comment: false },
      next: 'approved',
    },
    { id: 'approved', type: 'endEvent', status: 'approved' },
  ],
};
