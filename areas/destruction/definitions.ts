// Retention and destruction 销毁 (DES-1..5) as process definitions: the daily retention review
// that a Temporal Schedule starts (api/schedules.ts), and the destruction of the material on
// one approval form, from the Office Director's review to the register entry.
import { destructionMethodIds, destructionProcessKey, destructionSettings, retentionReviewProcessKey } from './rules.ts';
import type { CandidateSpec, ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { secrecyLevels } from '../../platform/organisation/secrecy.ts';

/** FEEL: an optional text, as "" when null (service inputs take no nulls). */
const orEmpty = (expression: string) => `if ${expression} = null then "" else ${expression}`;

/** Records the decision of an approval task (who, for whom, with what comment). */
const decisionRecord = (task: string, step: 'office_review' | 'gm_approval') => ({
  requestId: 'requestId',
  step: `"${step}"`,
  outcome: `${task}.outcome`,
  decidedBy: `${task}.decidedBy`,
  onBehalfOf: orEmpty(`${task}.onBehalfOf`),
  comment: orEmpty(`${task}.comment`),
});

/** DES-5: the supervisors the final approver named in the task form (the field may be left out). */
const designationBy = (task: string) => ({
  requestId: 'requestId',
  supervisorIds: `if get value(${task}.data, "supervisorIds") = null then [] else get value(${task}.data, "supervisorIds")`,
  designatedBy: `${task}.decidedBy`,
  onBehalfOf: orEmpty(`${task}.onBehalfOf`),
});

/** One candidate slot per designated supervisor ("" names nobody when fewer were designated). */
const supervisorSlots: CandidateSpec[] = Array.from({ length: destructionSettings.maxSupervisors }, (_, i) => ({
  user: `if count(designation.supervisorIds) >= ${i + 1} then designation.supervisorIds[${i + 1}] else ""`,
}));

const approval = ['approve', 'reject'];
const designationForm = {
  supervisorIds: { type: 'stringList', required: false },
} as const;
const detail = (field: string) => `get value(supervise.data, "${field}")`;

/**
 * DES-2: every day the archive is searched for material whose retention has ended; if there is
 * any, the Archivist gets a task listing it (`due.documentIds`), to fill in destruction requests.
 * Permanent material never appears; held material and material already in a request neither.
 */
export const retentionReviewDefinition: ProcessDefinitionInput = {
  key: retentionReviewProcessKey,
  version: 1,
  name: { en: 'Retention review', zh: '档案保管期限到期鉴定' },
  description: 'Started daily by a Temporal Schedule (01:00 Asia/Shanghai). Lists the documents whose retention has ended for the Archivist.',
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'findDue' },
    { id: 'findDue', type: 'serviceTask', ruleId: 'DES-2', activity: 'findRetentionDue', resultVariable: 'due', next: 'anyDue' },
    { id: 'anyDue', type: 'exclusiveGateway', branches: [{ when: 'due.count > 0', to: 'reviewDue' }], default: 'nothingDue' },
    {
      id: 'reviewDue',
      type: 'userTask',
      ruleId: 'DES-2',
      name: { en: 'Documents past their retention: propose their destruction', zh: '保管期限已满的档案：填写销毁审批表' },
      candidates: { anyOf: [{ role: 'archivist' }] },
      outcomes: ['reviewed'],
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")' }],
      next: 'reviewed',
    },
    { id: 'reviewed', type: 'endEvent', status: 'reviewed' },
    { id: 'nothingDue', type: 'endEvent', status: 'nothing_due' },
  ],
};

/**
 * The destruction approval form 《公司档案资料销毁审批表》 filed by the Archivist (DES-2):
 * the Office Director reviews it; for general material that review is final, classified
 * material also needs the GM himself (DES-3: the definition declares no powerOfAttorney, so no delegate reaches it, BOR-7). The final approver
 * designates the supervisor(s) (DES-5); the Archivist checks the items against the approved list
 * (DES-4, through POST /api/v1/destruction-requests/{id}/verification: the engine never makes the
 * initiator a task candidate); the supervisors confirm the method, place and time; the register
 * entry is written and the documents are destroyed (DES-1/4). A rejection at any step returns
 * the documents to the archive. The initiator cannot cancel: documents are let go only by the
 * rejection step.
 */
export const destructionDefinition: ProcessDefinitionInput = {
  key: destructionProcessKey,
  version: 1,
  name: { en: 'Destruction of archive material', zh: '档案资料销毁审批' },
  description:
    'DES-2..5: Office Director review; GM approval for classified material; supervisor designation by the final approver; ' +
    "the Archivist's item check; supervised execution; the permanent destruction register.",
  input: {
    requestId: { type: 'string' },
    secrecy: { type: 'enum', values: [...secrecyLevels] },
    /** DES-3: any item above non-classified (domain/destruction.ts needsGmApproval). */
    classified: { type: 'boolean' },
    supervisorsRequired: { type: 'number', integer: true, min: 1, max: destructionSettings.maxSupervisors },
  },
  secrecy: 'secrecy',
  businessKey: 'requestId',
  cancellableAt: [],
  nodes: [
    { id: 'start', type: 'startEvent', next: 'officeReview' },
    {
      id: 'officeReview',
      type: 'userTask',
      ruleId: 'DES-2',
      name: { en: 'Review the destruction approval form', zh: '办公室主任审核销毁审批表' },
      candidates: { anyOf: [{ role: 'office_director' }] },
      outcomes: approval,
      form: designationForm,
      next: 'recordOfficeReview',
    },
    { id: 'recordOfficeReview', type: 'serviceTask', ruleId: 'DES-2', activity: 'recordDestructionDecision', input: decisionRecord('officeReview', 'office_review'), next: 'afterOfficeReview' },
    {
      id: 'afterOfficeReview',
      type: 'exclusiveGateway',
      ruleId: 'DES-3',
      branches: [
        { when: 'officeReview.outcome = "reject"', to: 'reject' },
        { when: 'classified', to: 'gmApproval' },
      ],
      // DES-3: general material is final at the Office Director's review.
      default: 'designateByOffice',
    },
    { id: 'designateByOffice', type: 'serviceTask', ruleId: 'DES-5', activity: 'designateDestructionSupervisors', input: designationBy('officeReview'), resultVariable: 'designation', next: 'officeDesignated' },
    { id: 'officeDesignated', type: 'exclusiveGateway', branches: [{ when: 'designation.valid', to: 'verification' }], default: 'officeDesignationRefused' },
    { id: 'officeDesignationRefused', type: 'serviceTask', ruleId: 'DES-5', activity: 'notify', input: { userIds: '[officeReview.decidedBy]', text: 'designation.problem' }, next: 'officeReview' },
    {
      id: 'gmApproval',
      type: 'userTask',
      ruleId: 'DES-3',
      name: { en: 'Approve the destruction of classified material', zh: '总经理审批涉密档案销毁' },
      candidates: { anyOf: [{ role: 'gm' }] },
      outcomes: approval,
      form: designationForm,
      next: 'recordGmApproval',
    },
    { id: 'recordGmApproval', type: 'serviceTask', ruleId: 'DES-3', activity: 'recordDestructionDecision', input: decisionRecord('gmApproval', 'gm_approval'), next: 'afterGmApproval' },
    { id: 'afterGmApproval', type: 'exclusiveGateway', branches: [{ when: 'gmApproval.outcome = "reject"', to: 'reject' }], default: 'designateByGm' },
    { id: 'designateByGm', type: 'serviceTask', ruleId: 'DES-5', activity: 'designateDestructionSupervisors', input: designationBy('gmApproval'), resultVariable: 'designation', next: 'gmDesignated' },
    { id: 'gmDesignated', type: 'exclusiveGateway', branches: [{ when: 'designation.valid', to: 'verification' }], default: 'gmDesignationRefused' },
    { id: 'gmDesignationRefused', type: 'serviceTask', ruleId: 'DES-5', activity: 'notify', input: { userIds: '[gmApproval.decidedBy]', text: 'designation.problem' }, next: 'gmApproval' },
    {
      id: 'verification',
      type: 'receiveTask',
      ruleId: 'DES-4',
      name: { en: 'Check the material item by item against the approved list', zh: '档案管理员逐件核对' },
      message: 'destruction.verified',
      form: { checkedIds: { type: 'stringList' }, verifiedBy: { type: 'string' } },
      // The Archivists hear at once that the form is approved, and daily until they report the check.
      reminders: [{ after: 'duration("PT0S")', every: 'duration("P1D")', notify: [{ role: 'archivist' }] }],
      next: 'checkItems',
    },
    {
      id: 'checkItems',
      type: 'serviceTask',
      ruleId: 'DES-4',
      activity: 'verifyDestructionItems',
      input: { requestId: 'requestId', checkedIds: 'verification.checkedIds', verifiedBy: 'verification.verifiedBy' },
      resultVariable: 'itemCheck',
      next: 'afterCheck',
    },
    // DES-4: a mismatch stops the destruction and returns the form to the Office Director.
    { id: 'afterCheck', type: 'exclusiveGateway', ruleId: 'DES-4', branches: [{ when: 'itemCheck.matches', to: 'supervise' }], default: 'mismatchNotice' },
    { id: 'mismatchNotice', type: 'serviceTask', ruleId: 'DES-4', activity: 'notify', input: { userIds: '[officeReview.decidedBy, verification.verifiedBy]', text: 'itemCheck.problem' }, next: 'officeReview' },
    {
      id: 'supervise',
      type: 'userTask',
      ruleId: 'DES-5',
      name: { en: 'Supervise the destruction and confirm it', zh: '监销人监督销毁并确认' },
      candidates: { anyOf: supervisorSlots },
      outcomes: ['confirm', 'refuse'],
      // Every designated supervisor confirms (会签).
      multiInstance: { mode: 'parallel', completion: 'all', approve: 'confirm', reject: 'refuse' },
      form: {
        method: { type: 'enum', values: destructionMethodIds, required: false },
        place: { type: 'string', maxLength: 500, required: false },
        executedAt: { type: 'dateTime', required: false },
      },
      next: 'afterSupervision',
    },
    {
      id: 'afterSupervision',
      type: 'exclusiveGateway',
      branches: [
        { when: 'supervise.outcome = "refuse"', to: 'reject' },
        { when: `${detail('method')} != null and ${detail('place')} != null and ${detail('executedAt')} != null`, to: 'execute' },
      ],
      default: 'supervisionIncomplete',
    },
    {
      id: 'supervisionIncomplete',
      type: 'serviceTask',
      ruleId: 'DES-5',
      activity: 'notify',
      input: { userIds: 'designation.supervisorIds', text: '"DES-5: confirm the destruction with its method, place and time (method, place, executedAt)."' },
      next: 'supervise',
    },
    {
      id: 'execute',
      type: 'serviceTask',
      ruleId: 'DES-4',
      activity: 'executeDestruction',
      input: {
        requestId: 'requestId',
        // `votes` is set by the interpreter but missing from the sample context definitions are checked against.
        supervisorIds: 'for vote in get value(supervise, "votes") return vote.actorId',
        method: detail('method'),
        place: detail('place'),
        executedAt: detail('executedAt'),
      },
      resultVariable: 'execution',
      next: 'destroyed',
    },
    { id: 'destroyed', type: 'endEvent', status: 'destroyed' },
    { id: 'reject', type: 'serviceTask', activity: 'rejectDestruction', input: { requestId: 'requestId' }, next: 'rejected' },
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ],
};

export const destructionProcesses: ProcessDefinitionInput[] = [retentionReviewDefinition, destructionDefinition];
