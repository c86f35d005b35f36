// Archiving campaigns (CYC-1/2) and hand-overs (CYC-2/3, ARC-3) as process definitions. One
// definition, the hand-over, serves both: a campaign runs it once per department (a callActivity
// over the departments, the list collected from the Department Manager), and a Department
// Manager's urgent material (CYC-3) starts it with the list already given.
import type { FormSchema, ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { secrecyLevels } from '../../platform/organisation/secrecy.ts';
import { documentCategoryIds } from '../archive/index.ts';
import { campaignProcessKey, campaignSettings, handOverProcessKey, itemUnits, itemVerdicts } from './rules.ts';

/** One item of a hand-over list (移交清单): what the department hands over (written out whole: a service's spec takes it too). */
export const handOverItemFields = {
  title: { type: 'string', required: true, maxLength: 500 },
  /** ARC-1: the document categories. */
  category: { type: 'enum', required: true, values: [...documentCategoryIds] },
  secrecy: { type: 'enum', required: true, values: [...secrecyLevels] },
  /** An original, or a copy (ARC-3: at Confidential and above only the original is accepted). */
  original: { type: 'boolean', required: true },
  /** Pages, or pieces for material not counted in pages. */
  quantity: { type: 'number', required: true, integer: true, min: 1, max: 1_000_000 },
  unit: { type: 'enum', required: true, values: [...itemUnits] },
  /** CYC-4: the volume (卷) the department proposes; the Archivist sets it when accepting. */
  volume: { type: 'string', required: false, maxLength: 200 },
  /** ARC-3: the entry of the register of held originals this item deposits. */
  heldOriginalId: { type: 'string', required: false, maxLength: 200 },
} as const satisfies FormSchema;

/** The Archivist's verdict on one item of a list (CYC-2), numbered from 1 as listed. */
export const itemVerdictFields = {
  item: { type: 'number', required: true, integer: true, min: 1, max: 1_000 },
  verdict: { type: 'enum', required: true, values: [...itemVerdicts] },
  /** Why a returned item is returned (required then). */
  reason: { type: 'string', required: false, maxLength: 2_000 },
  /** CYC-4: the volume (卷) an accepted item is filed in, set by the Archivist. */
  volume: { type: 'string', required: false, maxLength: 200 },
  /** The reference number to register an accepted item under; generated when left out. */
  reference: { type: 'string', required: false, maxLength: 100 },
  location: { type: 'string', required: false, maxLength: 200 },
} as const satisfies FormSchema;

const days = (n: number) => `duration("P${n}D")`;

/**
 * CYC-2/3, ARC-3: one department's hand-over. Its outstanding confidential originals are listed
 * when it opens (ARC-3). In a campaign the Department Manager fills in the list (due at `dueAt`,
 * reminded from then on, escalated to the Deputy GM in charge when late, lapsed when very late,
 * CYC-2); urgent material comes
 * with its list (`listGiven`). The Archivist accepts or returns each item; the accepted ones are
 * registered as documents in one step, and a check that cannot be registered (an item without a
 * verdict, a copy of a Confidential document) comes back to the Archivist with the reason.
 */
export const handOverDefinition: ProcessDefinitionInput = {
  key: handOverProcessKey,
  version: 1,
  name: { en: 'Hand-over of archive material', zh: '档案资料移交' },
  description: 'CYC-2/3, ARC-3: a department hands over its list (移交清单); the Archivist accepts or returns each item; accepted items become documents.',
  input: {
    handOverId: { type: 'string' },
    departmentId: { type: 'string' },
    /** CYC-3: the list came with the request (urgent material); otherwise the manager fills it in. */
    listGiven: { type: 'boolean' },
    /** When the list is due (a campaign's). */
    dueAt: { type: 'dateTime', required: false },
  },
  businessKey: 'handOverId',
  cancellableAt: [],
  nodes: [
    { id: 'start', type: 'startEvent', next: 'prepare' },
    { id: 'prepare', type: 'serviceTask', ruleId: 'ARC-3', activity: 'beginHandOver', input: { handOverId: 'handOverId' }, resultVariable: 'handOver', next: 'whichList' },
    { id: 'whichList', type: 'exclusiveGateway', ruleId: 'CYC-3', branches: [{ when: 'listGiven', to: 'check' }], default: 'collect' },
    {
      id: 'collect',
      type: 'userTask',
      ruleId: 'CYC-2',
      name: { en: 'Hand over the department archive material (hand-over list)', zh: '填写部门档案移交清单' },
      candidates: { anyOf: [{ role: 'department_manager', department: 'departmentId' }] },
      // Handing over is the manager's duty, whoever opened the campaign.
      initiatorMayDecide: true,
      // not_handed_over: the department hands nothing over this time (its manager says so, or the list lapses).
      outcomes: ['submitted', 'not_handed_over'],
      form: { items: { type: 'recordList', required: false, minItems: 0, fields: handOverItemFields } },
      due: 'date and time(dueAt) - now()',
      reminders: [{ after: 'duration("PT0S")', from: 'due', every: days(campaignSettings.reminderEveryDays) }],
      escalation: {
        after: days(campaignSettings.escalationDays),
        from: 'due',
        to: { anyOf: [{ role: 'deputy_gm_in_charge', department: 'departmentId' }, { role: 'department_manager', department: 'departmentId' }] },
      },
      autoOutcome: { after: days(campaignSettings.lapseDays), from: 'due', outcome: 'not_handed_over' },
      next: { submitted: 'record', not_handed_over: 'notHandedOver' },
    },
    {
      id: 'record',
      type: 'serviceTask',
      ruleId: 'CYC-2',
      activity: 'recordHandOverList',
      input: { handOverId: 'handOverId', items: 'if get value(collect.data, "items") = null then [] else collect.data.items', submittedBy: 'collect.decidedBy' },
      next: 'anything',
    },
    { id: 'anything', type: 'exclusiveGateway', branches: [{ when: 'record.items > 0', to: 'check' }], default: 'nothingHandedOver' },
    {
      id: 'check',
      type: 'userTask',
      ruleId: 'CYC-2',
      name: { en: 'Check the hand-over list: accept or return each item', zh: '核对移交清单：逐项接收或退回' },
      candidates: { anyOf: [{ role: 'archivist' }] },
      // Checking is the Archivist's duty, also in a campaign the Archivist opened.
      initiatorMayDecide: true,
      outcomes: ['checked'],
      form: { verdicts: { type: 'recordList', minItems: 1, fields: itemVerdictFields } },
      reminders: [{ after: days(campaignSettings.reminderEveryDays), every: days(campaignSettings.reminderEveryDays) }],
      next: 'register',
    },
    {
      id: 'register',
      type: 'serviceTask',
      ruleId: 'CYC-2',
      activity: 'registerHandOverCheck',
      input: { handOverId: 'handOverId', verdicts: 'check.data.verdicts', checkedBy: 'check.decidedBy' },
      next: 'registered',
    },
    { id: 'registered', type: 'exclusiveGateway', branches: [{ when: 'register.valid', to: 'checked' }], default: 'tellProblem' },
    { id: 'tellProblem', type: 'serviceTask', activity: 'notify', input: { userIds: '[check.decidedBy]', text: 'register.problem' }, next: 'check' },
    { id: 'checked', type: 'endEvent', status: 'checked' },
    { id: 'nothingHandedOver', type: 'endEvent', status: 'nothing_to_hand_over' },
    { id: 'notHandedOver', type: 'endEvent', status: 'not_handed_over' },
  ],
};

/**
 * CYC-1/2: an archiving campaign, opened by its Schedule (quarterly, annual) or through the API.
 * Every department with a manager gets its hand-over (a child process each); the campaign closes
 * once every list is checked, and its report is GET /api/v1/campaigns/{id}/report.
 */
export const campaignDefinition: ProcessDefinitionInput = {
  key: campaignProcessKey,
  version: 1,
  name: { en: 'Archiving campaign', zh: '档案资料归档' },
  description: 'CYC-1/2: collects the hand-over list of every department with a manager and has the Archivist check each.',
  input: {},
  cancellableAt: [],
  nodes: [
    { id: 'start', type: 'startEvent', next: 'organisation' },
    { id: 'organisation', type: 'serviceTask', ruleId: 'CYC-2', activity: 'departmentsWithManager', next: 'open' },
    {
      id: 'open',
      type: 'serviceTask',
      ruleId: 'CYC-1',
      activity: 'openCampaign',
      input: { departments: 'organisation.departments', openedBy: 'initiator.id' },
      resultVariable: 'campaign',
      next: 'collect',
    },
    {
      id: 'collect',
      type: 'callActivity',
      ruleId: 'CYC-2',
      process: { key: handOverProcessKey, version: 1 },
      input: { handOverId: 'handOver.id', departmentId: 'handOver.departmentId', listGiven: 'false', dueAt: 'handOver.dueAt' },
      multiInstance: { mode: 'parallel', items: 'campaign.handOvers', as: 'handOver' },
      next: 'close',
    },
    { id: 'close', type: 'serviceTask', ruleId: 'CYC-2', activity: 'closeCampaign', input: { campaignId: 'campaign.campaignId' }, next: 'closed' },
    { id: 'closed', type: 'endEvent', status: 'closed' },
  ],
};

export const campaignProcesses: ProcessDefinitionInput[] = [handOverDefinition, campaignDefinition];
