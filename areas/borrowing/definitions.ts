// Borrowing archives 借阅 (BOR-1..8): one definition per approval route, chosen by
// domain/borrowing.ts borrowRoute. They differ in how a request is approved; from the approval
// on they share one path: the Archivist hands the document over, the loan (or reading session)
// runs until it is due, an overdue document is recovered, and the return is checked.
import { borrowModes, borrowProcessKeys, borrowingSettings, dueReminders, importedLoanProcessKey, returnConditions, type BorrowApproval } from './rules.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';

type Node = ProcessDefinitionInput['nodes'][number];
type FormInput = ProcessDefinitionInput['input'];

/** FEEL: an optional text field of a message or task form, as a string ("" when absent). */
const optionalText = (context: string, field: string) => `if get value(${context}, "${field}") = null then "" else get value(${context}, "${field}")`;

const returnForm: FormInput = {
  condition: { type: 'enum', values: [...returnConditions] },
  note: { type: 'string', required: false, maxLength: 2_000 },
};

/** Records the decision of the approval route (BOR-1: none needed), then goes on. */
function decision(id: string, status: 'approved' | 'rejected', ruleId: string, next: string): Node {
  return { id, type: 'serviceTask', ruleId, activity: 'setBorrowDecision', input: { requestId: 'requestId', status: `"${status}"`, ruleId: `"${ruleId}"` }, next };
}

/** From the approval to the end: hand-over, the loan clock, recovery, the return check (BOR-8). */
function lendingNodes(handOverRule: string): Node[] {
  return [...handOverNodes(handOverRule), ...loanNodes(), { id: 'unavailable', type: 'endEvent', status: 'unavailable' }];
}

/** The hand-over by the Archivist, and what follows when it cannot happen. */
function handOverNodes(handOverRule: string): Node[] {
  return [
    {
      id: 'handOver',
      type: 'userTask',
      ruleId: handOverRule,
      name: { en: 'Hand the document over (loan or reading session)', zh: '档案交接（借出或调阅）' },
      // The Archivist never hands a document to themself: the Office Director does then.
      candidates: { anyOf: [{ role: 'archivist' }], fallback: { anyOf: [{ role: 'office_director' }] } },
      outcomes: ['handed_over'],
      next: 'lend',
    },
    { id: 'lend', type: 'serviceTask', activity: 'handOverDocument', input: { requestId: 'requestId', archivistId: 'handOver.decidedBy' }, next: 'lent' },
    {
      id: 'lent',
      type: 'exclusiveGateway',
      branches: [
        { when: 'lend.handedOver', to: 'onLoan' },
        { when: 'lend.reason = "closed"', to: 'roomClosed' },
      ],
      default: 'tellUnavailable',
    },
    {
      id: 'roomClosed',
      type: 'serviceTask',
      ruleId: 'BOR-4',
      activity: 'notify',
      input: {
        userIds: '[handOver.decidedBy]',
        text: `"The archive room closes at ${borrowingSettings.readingRoomClosesAt}: a reading session cannot start now. Hand it over on the next working day; the task is open again."`,
      },
      next: 'handOver',
    },
    // One document, one holder: someone else was handed the document first.
    {
      id: 'tellUnavailable',
      type: 'serviceTask',
      activity: 'notify',
      input: { userIds: '[initiator.id]', text: '"The document you asked for was handed to another borrower first; your request has ended. Ask again once it is back."' },
      next: 'unavailable',
    },
  ];
}

/** From the loan (`lend.dueAt`) to the end: the loan clock, recovery, the return check (BOR-8). */
function loanNodes(): Node[] {
  return [
    {
      id: 'onLoan',
      type: 'receiveTask',
      name: { en: 'Borrowed until due', zh: '借阅中' },
      message: 'returned',
      form: returnForm,
      // The hand-over fixed the due time (a Secret loan's hours, the room's closing time, the loan length).
      deadline: { after: 'date and time(lend.dueAt) - now()', to: 'overdue' },
      reminders: [{ after: 'duration("-" + reminderBefore)', from: 'due', notify: [{ user: 'initiator.id' }] }],
      next: 'recordReturn',
    },
    { id: 'overdue', type: 'serviceTask', activity: 'markBorrowOverdue', input: { requestId: 'requestId' }, next: 'recover' },
    {
      id: 'recover',
      type: 'userTask',
      name: { en: 'Recover the overdue document', zh: '催还逾期档案' },
      candidates: { anyOf: [{ role: 'archivist' }, { role: 'office_director' }] },
      outcomes: ['returned'],
      form: returnForm,
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")', notify: [{ role: 'office_director' }] }],
      // The return endpoint's message closes it; the form serves a return recorded on the task itself.
      messages: [{ message: 'returned', outcome: 'returned' }],
      next: 'recordLateReturn',
    },
    {
      id: 'recordReturn',
      type: 'serviceTask',
      ruleId: 'BOR-8',
      activity: 'recordBorrowReturn',
      input: { requestId: 'requestId', condition: 'onLoan.condition', note: optionalText('onLoan', 'note') },
      resultVariable: 'returnCheck',
      next: 'checked',
    },
    {
      id: 'recordLateReturn',
      type: 'serviceTask',
      ruleId: 'BOR-8',
      activity: 'recordBorrowReturn',
      input: { requestId: 'requestId', condition: 'recover.data.condition', note: optionalText('recover.data', 'note') },
      resultVariable: 'returnCheck',
      next: 'checked',
    },
    { id: 'checked', type: 'exclusiveGateway', ruleId: 'BOR-8', branches: [{ when: 'returnCheck.intact', to: 'returned' }], default: 'incident' },
    { id: 'incident', type: 'serviceTask', ruleId: 'BOR-8', activity: 'openIncident', input: { requestId: 'requestId' }, next: 'returnedWithIncident' },
    { id: 'returned', type: 'endEvent', status: 'returned' },
    { id: 'returnedWithIncident', type: 'endEvent', status: 'returned_with_incident' },
  ];
}

/**
 * BOR-6 / BOR-4: the GM or the Deputy GM in charge of the requester's department, one task for
 * both (或签: the first decides), or the GM's delegate (BOR-7). Nobody else: no other Deputy GM
 * stands in (秘密级档案的借阅必须由总经理或分管副总经理批准); the task waits for them, and reminds them daily.
 */
function executiveApproval(ruleId: string, name: { en: string; zh: string }): Node[] {
  return [
    { id: 'start', type: 'startEvent', next: 'approval' },
    {
      id: 'approval',
      type: 'userTask',
      ruleId,
      name,
      candidates: { anyOf: [{ role: 'gm' }, { role: 'deputy_gm_in_charge', department: 'initiator.departmentId' }] },
      reminders: [{ after: 'duration("P1D")', every: 'duration("P1D")' }],
      outcomes: ['approve', 'reject'],
      next: { approve: 'approved', reject: 'reject' },
    },
    decision('approved', 'approved', ruleId, 'handOver'),
    decision('reject', 'rejected', ruleId, 'rejected'),
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ];
}

function borrowingDefinition(spec: {
  approval: BorrowApproval;
  /**
   * A definition is immutable once published: a change is a new version. 2: the instance writes
   * the request's cancellation itself (onCancel), not the API; declares the power of attorney
   * (BOR-7); and, for Secret and Confidential, no fallback to any Deputy GM (BOR-6). 3: a
   * request sent back to its requester (#16) comes back with their note to the approvers changed.
   */
  version: number;
  name: { en: string; zh: string };
  description: string;
  secrecy: Exclude<SecrecyLevel, 'top_secret'>;
  modes: readonly (typeof borrowModes)[number][];
  handOverRule: string;
  approvalNodes: Node[];
}): ProcessDefinitionInput {
  return {
    key: borrowProcessKeys[spec.approval],
    version: spec.version,
    name: spec.name,
    description: spec.description,
    input: {
      requestId: { type: 'string', maxLength: 100 },
      documentId: { type: 'string', maxLength: 100 },
      secrecy: { type: 'enum', values: [spec.secrecy] },
      mode: { type: 'enum', values: [...spec.modes] },
      reminderBefore: { type: 'enum', values: [...dueReminders] },
      /** The requester's note to the approvers (申请说明), the one thing a resubmission changes. */
      note: { type: 'string', required: false, maxLength: 2_000 },
    },
    // The document, its secrecy and the loan's terms are the request's record, not the process's.
    resubmit: { fields: ['note'] },
    // BOR-7: the GM's power of attorney reaches borrowing approvals, up to its secrecy ceiling.
    powerOfAttorney: true,
    secrecy: 'secrecy',
    businessKey: 'requestId',
    // Cancellable until the document is handed over: at every task up to the hand-over (the
    // register's side of the same window is cancellableStatuses, rules.ts).
    cancellableAt: [...spec.approvalNodes.flatMap((node) => (node.type === 'userTask' ? [node.id] : [])), 'handOver'],
    onCancel: { activity: 'cancelBorrowRequest', input: { requestId: 'requestId', actorId: 'cancel.actorId', reason: 'cancel.reason' } },
    nodes: [...spec.approvalNodes, ...lendingNodes(spec.handOverRule)],
  };
}

/**
 * Issue 21.2: a loan still out in the imported archive register. Nothing is approved or handed
 * over: the process starts at the loan as the register recorded it (on loan, or already overdue)
 * and runs the lending path of the others from there: the borrower is reminded before the due
 * time, an overdue document is recovered, and the Archivist's return (BOR-8) ends it.
 */
export const importedLoanDefinition: ProcessDefinitionInput = {
  key: importedLoanProcessKey,
  version: 1,
  name: { en: 'Loan brought in from the archive register', zh: '导入的在借档案' },
  description:
    'Issue 21.2: a loan still out when the archive register was imported (POST /api/v1/imports/documents). It starts on loan, or overdue when its due date had passed; ' +
    'the return (POST /api/v1/borrow-requests/{id}/return, the Archivist, BOR-8), the due reminder and the recovery of an overdue document run as for any loan.',
  input: {
    requestId: { type: 'string', maxLength: 100 },
    documentId: { type: 'string', maxLength: 100 },
    secrecy: { type: 'enum', values: ['none', 'secret', 'confidential'] },
    mode: { type: 'enum', values: [...borrowModes] },
    reminderBefore: { type: 'enum', values: [...dueReminders] },
  },
  secrecy: 'secrecy',
  businessKey: 'requestId',
  nodes: [
    { id: 'start', type: 'startEvent', next: 'lend' },
    { id: 'lend', type: 'serviceTask', activity: 'resumeImportedLoan', input: { requestId: 'requestId' }, next: 'imported' },
    { id: 'imported', type: 'exclusiveGateway', branches: [{ when: 'lend.overdue', to: 'recover' }], default: 'onLoan' },
    ...loanNodes(),
  ],
};

export const borrowingProcesses: ProcessDefinitionInput[] = [
  borrowingDefinition({
    approval: 'direct',
    version: 3,
    name: { en: 'Borrowing by an executive', zh: '领导直接借阅' },
    description: 'BOR-1: the GM, Deputy GMs, Directors and the Office Director borrow non-classified archives directly; the Archivist records the hand-over.',
    secrecy: 'none',
    modes: borrowModes,
    handOverRule: 'BOR-1',
    approvalNodes: [{ id: 'start', type: 'startEvent', next: 'approved' }, decision('approved', 'approved', 'BOR-1', 'handOver')],
  }),
  borrowingDefinition({
    approval: 'department',
    version: 3,
    name: { en: 'Borrowing application', zh: '借阅档案申请' },
    description:
      "BOR-2: the requester's Department Manager submits the application 《借阅档案申请表》 and the Office Director approves it. " +
      '[interpretation] When the requester is the Department Manager (or the department has none), the Deputy GM in charge of the department submits it, failing them the Office Director.',
    secrecy: 'none',
    modes: borrowModes,
    handOverRule: 'ARC-2',
    approvalNodes: [
      { id: 'start', type: 'startEvent', next: 'submit' },
      {
        id: 'submit',
        type: 'userTask',
        ruleId: 'BOR-2',
        name: { en: 'Submit the borrowing application', zh: '提交《借阅档案申请表》' },
        candidates: {
          anyOf: [{ role: 'department_manager', department: 'initiator.departmentId' }],
          fallback: { anyOf: [{ role: 'deputy_gm_in_charge', department: 'initiator.departmentId' }], fallback: { anyOf: [{ role: 'office_director' }] } },
        },
        outcomes: ['submit', 'decline'],
        next: { submit: 'approval', decline: 'reject' },
      },
      {
        id: 'approval',
        type: 'userTask',
        ruleId: 'BOR-2',
        name: { en: 'Approve the borrowing application', zh: '审批借阅档案申请' },
        candidates: { anyOf: [{ role: 'office_director' }], fallback: { anyOf: [{ role: 'gm' }] } },
        outcomes: ['approve', 'reject'],
        next: { approve: 'approved', reject: 'reject' },
      },
      decision('approved', 'approved', 'BOR-2', 'handOver'),
      decision('reject', 'rejected', 'BOR-2', 'rejected'),
      { id: 'rejected', type: 'endEvent', status: 'rejected' },
    ],
  }),
  borrowingDefinition({
    approval: 'secret',
    version: 3,
    name: { en: 'Secret archive loan', zh: '秘密档案借阅' },
    description: `BOR-5/6: a Secret archive is lent or read for at most ${borrowingSettings.secretBorrowMaxHours} hours after the approval of the GM or the Deputy GM in charge of the requester's department (one task for both; the first decides). BOR-7: their delegates may decide for them.`,
    secrecy: 'secret',
    modes: borrowModes,
    handOverRule: 'ARC-2',
    approvalNodes: executiveApproval('BOR-6', { en: 'Approve the Secret loan', zh: '审批秘密档案借阅' }),
  }),
  borrowingDefinition({
    approval: 'confidential',
    version: 3,
    name: { en: 'Confidential archive reading', zh: '机密档案查阅' },
    description: `BOR-4: a Confidential archive is only read in the archive room, never lent. [interpretation] The reading needs the approval a Secret loan needs; the Archivist opens the session and closes it by recording the return; it ends at ${borrowingSettings.readingRoomClosesAt} (Asia/Shanghai) at the latest.`,
    secrecy: 'confidential',
    modes: ['reading'],
    handOverRule: 'BOR-4',
    approvalNodes: executiveApproval('BOR-4', { en: 'Approve the Confidential reading', zh: '审批机密档案查阅' }),
  }),
  importedLoanDefinition,
];
