// The customer archive's processes: the viewing request of SEC-3, and the CUS-5 upkeep checks the
// schedules start.
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { backupProcessKey, deletionProcessKey, deletionScopes, incompleteReminderProcessKey, upkeepCheckProcessKey, viewRequestProcessKey } from './rules.ts';

/**
 * SEC-3: 填写《查阅档案审批表》,经本部门经理签字,总经理批准. The requester's Department Manager
 * signs; then the tier's approver decides: the GM for a company-level archive; for a department-
 * or personal-level one, the Department Manager keeping it or the Marketing VP ([interpretation]
 * of 营销副总批准部门经理批准 and SEC-1's personal level: 他人查阅需部门经理批准).
 */
export const viewRequestDefinition: ProcessDefinitionInput = {
  key: viewRequestProcessKey,
  version: 1,
  name: { en: 'Customer archive viewing request', zh: '查阅档案审批' },
  description: 'SEC-3: someone outside the SEC-1 tier asks to read a customer card. Started by POST /api/v1/customers/{id}/view-requests.',
  input: {
    grantId: { type: 'string', maxLength: 200 },
    customerId: { type: 'string', maxLength: 200 },
    tier: { type: 'string', maxLength: 20 },
    keeperDepartmentId: { type: 'string', maxLength: 200 },
    reason: { type: 'string', maxLength: 2000 },
  },
  businessKey: 'grantId',
  nodes: [
    { id: 'start', type: 'startEvent', next: 'sign' },
    {
      id: 'sign',
      type: 'userTask',
      ruleId: 'SEC-3',
      name: { en: "Sign the viewing form (requester's Department Manager)", zh: '本部门经理签字' },
      candidates: { anyOf: [{ role: 'department_manager', department: 'initiator.departmentId' }], fallback: { anyOf: [{ role: 'deputy_gm_in_charge', department: 'initiator.departmentId' }] } },
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")' }],
      outcomes: ['sign', 'refuse'],
      next: { sign: 'byTier', refuse: 'refuse' },
    },
    { id: 'byTier', type: 'exclusiveGateway', ruleId: 'SEC-1', branches: [{ when: 'tier = "company"', to: 'gmApproval' }], default: 'keeperApproval' },
    {
      id: 'gmApproval',
      type: 'userTask',
      ruleId: 'SEC-3',
      name: { en: 'Approve viewing a company-level archive (GM)', zh: '总经理批准查阅' },
      candidates: { anyOf: [{ role: 'gm' }] },
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")' }],
      outcomes: ['approve', 'reject'],
      next: { approve: 'grant', reject: 'refuse' },
    },
    {
      id: 'keeperApproval',
      type: 'userTask',
      ruleId: 'SEC-1',
      name: { en: "Approve viewing the department's archive (its Department Manager or the Marketing VP)", zh: '部门经理或营销副总批准查阅' },
      candidates: { anyOf: [{ role: 'department_manager', department: 'keeperDepartmentId' }, { role: 'marketing_vp' }] },
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")' }],
      outcomes: ['approve', 'reject'],
      next: { approve: 'grant', reject: 'refuse' },
    },
    { id: 'grant', type: 'serviceTask', ruleId: 'SEC-3', activity: 'grantCustomerView', input: { grantId: 'grantId' }, next: 'granted' },
    { id: 'refuse', type: 'serviceTask', ruleId: 'SEC-3', activity: 'refuseCustomerView', input: { grantId: 'grantId' }, next: 'refused' },
    { id: 'granted', type: 'endEvent', status: 'granted' },
    { id: 'refused', type: 'endEvent', status: 'refused' },
  ],
};

/** CUS-5: the day-end check of the same-day upkeep duty. */
export const upkeepCheckDefinition: ProcessDefinitionInput = {
  key: upkeepCheckProcessKey,
  version: 1,
  name: { en: 'Customer card upkeep check', zh: '客户档案当天更新检查' },
  description: 'CUS-5: each contact whose card was not updated the same day gets a 20-yuan fine proposed to HR. Started daily by a Schedule.',
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'check' },
    { id: 'check', type: 'serviceTask', ruleId: 'CUS-5', activity: 'checkCardUpkeep', input: {}, next: 'done' },
    { id: 'done', type: 'endEvent', status: 'checked' },
  ],
};

/** CUS-5: 不全面的客户档案…每月最少完善一次. */
export const incompleteReminderDefinition: ProcessDefinitionInput = {
  key: incompleteReminderProcessKey,
  version: 1,
  name: { en: 'Incomplete customer cards reminder', zh: '不全面客户档案提醒' },
  description: 'CUS-5: the keepers of incomplete cards are reminded to complete them this month. Started monthly by a Schedule.',
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'remind' },
    { id: 'remind', type: 'serviceTask', ruleId: 'CUS-5', activity: 'remindIncompleteCards', input: {}, next: 'done' },
    { id: 'done', type: 'endEvent', status: 'reminded' },
  ],
};

/**
 * SEC-2: the monthly backup by the system the Marketing Director administers: written, restored
 * into a scratch database and compared; the Marketing Director confirms it. A backup that fails
 * its check goes to the GM instead.
 */
export const backupDefinition: ProcessDefinitionInput = {
  key: backupProcessKey,
  version: 1,
  name: { en: 'Monthly customer archive backup', zh: '客户档案每月备份' },
  description: 'SEC-2: 每月1日对数据进行备份. Started at 00:30 on the 1st of each month by a Schedule.',
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'backup' },
    { id: 'backup', type: 'serviceTask', ruleId: 'SEC-2', activity: 'backupCustomerArchive', input: {}, next: 'checked' },
    { id: 'checked', type: 'exclusiveGateway', ruleId: 'SEC-2', branches: [{ when: 'backup.verified', to: 'confirm' }], default: 'failed' },
    {
      id: 'confirm',
      type: 'userTask',
      ruleId: 'SEC-2',
      name: { en: "Confirm this month's backup (restored and compared)", zh: '确认本月客户档案备份' },
      candidates: { anyOf: [{ role: 'marketing_director' }] },
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")' }],
      outcomes: ['confirmed'],
      next: 'backedUp',
    },
    {
      id: 'failed',
      type: 'userTask',
      ruleId: 'SEC-2',
      name: { en: 'The monthly backup failed its check: have it redone', zh: '客户档案备份校验失败' },
      candidates: { anyOf: [{ role: 'gm' }] },
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")', notify: [{ role: 'marketing_director' }] }],
      outcomes: ['resolved'],
      next: 'backupFailed',
    },
    { id: 'backedUp', type: 'endEvent', status: 'backed_up' },
    { id: 'backupFailed', type: 'endEvent', status: 'failed' },
  ],
};

/**
 * SEC-4: 删除、销毁客户档案资料须经营销总监批准. The Marketing Director approves or refuses a request
 * to delete a customer's card or contact records (the GM when the Marketing Director asked, or when
 * there is none); approved, the data is deleted; refused, nothing changes.
 */
export const deletionDefinition: ProcessDefinitionInput = {
  key: deletionProcessKey,
  version: 1,
  name: { en: 'Deleting customer archive data', zh: '删除客户档案资料审批' },
  description: 'SEC-4: a request to delete a customer card or its contact records, approved by the Marketing Director. Started by POST /api/v1/customers/{id}/deletion-requests.',
  input: {
    deletionId: { type: 'string', maxLength: 200 },
    customerId: { type: 'string', maxLength: 200 },
    scope: { type: 'enum', values: [...deletionScopes] },
    reason: { type: 'string', maxLength: 2000 },
  },
  businessKey: 'deletionId',
  nodes: [
    { id: 'start', type: 'startEvent', next: 'approval' },
    {
      id: 'approval',
      type: 'userTask',
      ruleId: 'SEC-4',
      name: { en: 'Approve deleting customer archive data (Marketing Director)', zh: '营销总监批准删除客户档案资料' },
      candidates: { anyOf: [{ role: 'marketing_director' }], fallback: { anyOf: [{ role: 'gm' }] } },
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")' }],
      outcomes: ['approve', 'refuse'],
      next: { approve: 'delete', refuse: 'refuse' },
    },
    { id: 'delete', type: 'serviceTask', ruleId: 'SEC-4', activity: 'deleteCustomerArchiveData', input: { deletionId: 'deletionId', approverId: 'approval.decidedBy' }, next: 'deleted' },
    { id: 'refuse', type: 'serviceTask', ruleId: 'SEC-4', activity: 'refuseCustomerArchiveDeletion', input: { deletionId: 'deletionId', approverId: 'approval.decidedBy' }, next: 'refused' },
    { id: 'deleted', type: 'endEvent', status: 'deleted' },
    { id: 'refused', type: 'endEvent', status: 'refused' },
  ],
};

export const customerArchiveProcesses: ProcessDefinitionInput[] = [viewRequestDefinition, upkeepCheckDefinition, incompleteReminderDefinition, backupDefinition, deletionDefinition];
