// Small definitions that exercise one element each, shared by the engine's suites.
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';

const name = (en: string) => ({ en, zh: en });

/** A request approved by the requester's Department Manager, then routed on the amount. */
export const approvalDefinition: ProcessDefinitionInput = {
  key: 'test.approval',
  version: 1,
  // BOR-7: the delegation suites give powers of attorney over it.
  powerOfAttorney: true,
  name: name('Approval'),
  input: { amount: { type: 'number' } },
  businessKey: 'process.id',
  nodes: [
    { id: 'start', type: 'startEvent', next: 'managerReview' },
    {
      id: 'managerReview',
      type: 'userTask',
      name: { en: 'Manager review', zh: '部门经理审核' },
      candidates: { anyOf: [{ role: 'department_manager', department: 'initiator.departmentId' }] },
      outcomes: ['approve', 'reject'],
      form: { note: { type: 'string', required: false } },
      next: { approve: 'byAmount', reject: 'rejected' },
    },
    {
      id: 'byAmount',
      type: 'exclusiveGateway',
      branches: [{ when: 'amount > 1000', to: 'gmApproval' }],
      default: 'approved',
    },
    {
      id: 'gmApproval',
      type: 'userTask',
      name: { en: 'GM approval', zh: '总经理审批' },
      candidates: { anyOf: [{ role: 'gm' }] },
      outcomes: ['approve', 'reject'],
      next: { approve: 'approved', reject: 'rejected' },
    },
    { id: 'approved', type: 'endEvent', status: 'approved' },
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ],
};

const approveOrReject = ['approve', 'reject'];

/** Two reviews at once (parallel gateway fork), joined before the end. */
export const parallelDefinition: ProcessDefinitionInput = {
  key: 'test.parallel',
  version: 1,
  // BOR-7: the delegation suites give powers of attorney over it.
  powerOfAttorney: true,
  name: name('Parallel reviews'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'fork' },
    { id: 'fork', type: 'parallelGateway', next: ['finance', 'hr'] },
    { id: 'finance', type: 'userTask', name: name('Finance review'), candidates: { anyOf: [{ user: '"finance-director"' }] }, outcomes: ['done'], next: 'join' },
    { id: 'hr', type: 'userTask', name: name('HR review'), candidates: { anyOf: [{ role: 'hr' }] }, outcomes: ['done'], next: 'join' },
    { id: 'join', type: 'parallelGateway', next: ['done'] },
    { id: 'done', type: 'endEvent', status: 'reviewed' },
  ],
};

/** The GM and both Deputy GMs vote; how the votes combine is the test's choice. */
export function votingDefinition(key: string, mode: 'parallel' | 'sequential', completion: 'all' | 'any' | 'veto' | { ratio: number }): ProcessDefinitionInput {
  return {
    key,
    version: 1,
    name: name(`Vote ${key}`),
    input: {},
    nodes: [
      { id: 'start', type: 'startEvent', next: 'vote' },
      {
        id: 'vote',
        type: 'userTask',
        name: name('Vote'),
        candidates: { anyOf: [{ role: 'gm' }, { role: 'deputy_gm' }] },
        outcomes: approveOrReject,
        multiInstance: { mode, completion },
        next: { approve: 'approved', reject: 'rejected' },
      },
      { id: 'approved', type: 'endEvent', status: 'approved' },
      { id: 'rejected', type: 'endEvent', status: 'rejected' },
    ],
  };
}

/** Due in a day; reminded daily from the due time; escalated to the GM two days after it. */
export const escalationDefinition: ProcessDefinitionInput = {
  key: 'test.escalation',
  version: 1,
  name: name('Escalation'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'review' },
    {
      id: 'review',
      type: 'userTask',
      name: name('Review'),
      candidates: { anyOf: [{ role: 'department_manager', department: 'initiator.departmentId' }] },
      outcomes: approveOrReject,
      due: 'duration("P1D")',
      reminders: [{ after: 'duration("PT0S")', from: 'due', every: 'duration("P1D")' }],
      escalation: { after: 'duration("P2D")', from: 'due', to: { anyOf: [{ role: 'gm' }] } },
      next: { approve: 'approved', reject: 'rejected' },
    },
    { id: 'approved', type: 'endEvent', status: 'approved' },
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ],
};

/** Approved automatically when nobody decides within three days. */
export const autoOutcomeDefinition: ProcessDefinitionInput = {
  key: 'test.auto',
  version: 1,
  // BOR-7: the delegation suites give powers of attorney over it.
  powerOfAttorney: true,
  name: name('Automatic outcome'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'review' },
    {
      id: 'review',
      type: 'userTask',
      name: name('Review'),
      candidates: { anyOf: [{ role: 'office_director' }] },
      outcomes: approveOrReject,
      autoOutcome: { after: 'duration("P3D")', outcome: 'approve' },
      next: { approve: 'approved', reject: 'rejected' },
    },
    { id: 'approved', type: 'endEvent', status: 'approved' },
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ],
};

/** Waits for the `returned` message for `hours` hours, then is overdue. */
export const receiveDefinition: ProcessDefinitionInput = {
  key: 'test.receive',
  version: 1,
  name: name('Receive'),
  input: { hours: { type: 'number', min: 1, max: 24 } },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'awaitReturn' },
    {
      id: 'awaitReturn',
      type: 'receiveTask',
      message: 'returned',
      form: { condition: { type: 'enum', values: ['intact', 'damaged'] } },
      deadline: { after: 'duration("PT" + string(hours) + "H")', to: 'overdue' },
      next: 'returned',
    },
    { id: 'returned', type: 'endEvent', status: 'returned' },
    { id: 'overdue', type: 'endEvent', status: 'overdue' },
  ],
};

/** A timer by duration, then one by date, then a notice through an allow-listed service task. */
export const timerDefinition: ProcessDefinitionInput = {
  key: 'test.timers',
  version: 1,
  name: name('Timers'),
  input: { wakeAt: { type: 'dateTime' } },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'wait' },
    { id: 'wait', type: 'timerEvent', duration: 'duration("P4M")', next: 'until' },
    { id: 'until', type: 'timerEvent', date: 'date and time(wakeAt)', next: 'tell' },
    { id: 'tell', type: 'serviceTask', activity: 'notify', input: { userIds: '[initiator.id]', text: '"time is up"' }, next: 'done' },
    { id: 'done', type: 'endEvent', status: 'done' },
  ],
};

/** Runs the approval as a child process and ends with its status. */
export const callerDefinition: ProcessDefinitionInput = {
  key: 'test.caller',
  version: 1,
  name: name('Caller'),
  input: { amount: { type: 'number' } },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'child' },
    { id: 'child', type: 'callActivity', process: { key: 'test.approval', version: 1 }, input: { amount: 'amount' }, next: 'route' },
    { id: 'route', type: 'exclusiveGateway', branches: [{ when: 'child.status = "approved"', to: 'approved' }], default: 'rejected' },
    { id: 'approved', type: 'endEvent', status: 'approved' },
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ],
};

/** Cancellable by the initiator only while the first review is open. */
export const cancellableDefinition: ProcessDefinitionInput = {
  key: 'test.cancellable',
  version: 1,
  // BOR-7: the delegation suites give powers of attorney over it.
  powerOfAttorney: true,
  name: name('Cancellable'),
  input: {},
  cancellableAt: ['first'],
  nodes: [
    { id: 'start', type: 'startEvent', next: 'first' },
    { id: 'first', type: 'userTask', name: name('First'), candidates: { anyOf: [{ role: 'office_director' }] }, outcomes: ['approve'], next: 'second' },
    { id: 'second', type: 'userTask', name: name('Second'), candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['approve'], next: 'done' },
    { id: 'done', type: 'endEvent', status: 'approved' },
  ],
};

/** Nobody holds the first rule's role in Marketing, so the fallback decides. */
export const fallbackDefinition: ProcessDefinitionInput = {
  key: 'test.fallback',
  version: 1,
  // BOR-7: the delegation suites give powers of attorney over it.
  powerOfAttorney: true,
  name: name('Fallback'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'review' },
    {
      id: 'review',
      type: 'userTask',
      name: name('Review'),
      candidates: { anyOf: [{ role: 'salesperson', department: '"marketing"' }], fallback: { anyOf: [{ role: 'marketing_director' }] } },
      outcomes: ['approve'],
      next: 'done',
    },
    { id: 'done', type: 'endEvent', status: 'approved' },
  ],
};

/** A loan: a reminder half an hour before it is due, then a recovery task that the return closes. */
export const loanDefinition: ProcessDefinitionInput = {
  key: 'test.loan',
  version: 1,
  name: name('Loan'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'onLoan' },
    {
      id: 'onLoan',
      type: 'receiveTask',
      message: 'returned',
      deadline: { after: 'duration("PT4H")', to: 'recover' },
      reminders: [{ after: 'duration("-PT30M")', from: 'due', notify: [{ user: 'initiator.id' }] }],
      next: 'returned',
    },
    {
      id: 'recover',
      type: 'userTask',
      name: name('Recover the document'),
      candidates: { anyOf: [{ role: 'archivist' }] },
      outcomes: ['returned', 'lost'],
      messages: [{ message: 'returned', outcome: 'returned' }],
      next: { returned: 'returnedLate', lost: 'lost' },
    },
    { id: 'returned', type: 'endEvent', status: 'returned' },
    { id: 'returnedLate', type: 'endEvent', status: 'returned_late' },
    { id: 'lost', type: 'endEvent', status: 'lost' },
  ],
};

/** Two branches that both close on the message `withdrawn`; only the second has a 3-day automatic outcome. */
export const withdrawDefinition: ProcessDefinitionInput = {
  key: 'test.withdraw',
  version: 1,
  name: name('Withdrawable reviews'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'fork' },
    { id: 'fork', type: 'parallelGateway', next: ['quick', 'slow'] },
    {
      id: 'quick',
      type: 'userTask',
      name: name('Quick review'),
      candidates: { anyOf: [{ role: 'gm' }] },
      outcomes: ['approve', 'withdrawn'],
      messages: [{ message: 'withdrawn', outcome: 'withdrawn' }],
      next: 'join',
    },
    {
      id: 'slow',
      type: 'userTask',
      name: name('Slow review'),
      candidates: { anyOf: [{ role: 'office_director' }] },
      outcomes: ['approve', 'withdrawn'],
      messages: [{ message: 'withdrawn', outcome: 'withdrawn' }],
      autoOutcome: { after: 'duration("P3D")', outcome: 'approve' },
      next: 'join',
    },
    { id: 'join', type: 'parallelGateway', next: ['done'] },
    { id: 'done', type: 'endEvent', status: 'done' },
  ],
};

/** Two receive tasks on the same message; only the second reminds, an hour after it opens. */
export const withdrawReceiveDefinition: ProcessDefinitionInput = {
  key: 'test.withdraw.receive',
  version: 1,
  name: name('Withdrawable waits'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'fork' },
    { id: 'fork', type: 'parallelGateway', next: ['quiet', 'reminding'] },
    { id: 'quiet', type: 'receiveTask', message: 'withdrawn', next: 'join' },
    { id: 'reminding', type: 'receiveTask', message: 'withdrawn', reminders: [{ after: 'duration("PT1H")', from: 'opened', notify: [{ user: 'initiator.id' }] }], next: 'join' },
    { id: 'join', type: 'parallelGateway', next: ['done'] },
    { id: 'done', type: 'endEvent', status: 'done' },
  ],
};

/** A vote with a 1-day automatic approval: who does not vote in time approves. */
export function timedVotingDefinition(key: string, completion: 'all' | 'any' | 'veto'): ProcessDefinitionInput {
  const vote = votingDefinition(key, 'parallel', completion);
  return {
    ...vote,
    nodes: vote.nodes.map((node) => (node.id === 'vote' ? { ...node, autoOutcome: { after: 'duration("P1D")', outcome: 'approve' } } : node)) as ProcessDefinitionInput['nodes'],
  };
}

/** The loan's recovery task on its own: the Archivist records the document returned or lost; the `returned` message closes it too. */
export const recoverDefinition: ProcessDefinitionInput = {
  key: 'test.recover',
  version: 1,
  name: name('Recover'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'recover' },
    ...loanDefinition.nodes.flatMap((node) => (node.id === 'recover' && node.type === 'userTask' ? [{ ...node, next: { returned: 'returned', lost: 'lost' } }] : [])),
    { id: 'returned', type: 'endEvent', status: 'returned' },
    { id: 'lost', type: 'endEvent', status: 'lost' },
  ],
};

/** A preparation step, then the GM and both Deputy GMs vote one after another (all must approve). */
export const preparedSequentialVoteDefinition: ProcessDefinitionInput = {
  key: 'test.vote.prepared',
  version: 1,
  name: name('Prepared sequential vote'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'prepare' },
    { id: 'prepare', type: 'userTask', name: name('Prepare'), candidates: { anyOf: [{ role: 'archivist' }] }, outcomes: ['done'], next: 'vote' },
    ...votingDefinition('test.vote.prepared', 'sequential', 'all').nodes.slice(1),
  ],
};

/** Two reviews in parallel, joined, then a check that may send both back for rework. */
export const reworkDefinition: ProcessDefinitionInput = {
  key: 'test.rework',
  version: 1,
  name: name('Rework'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'fork' },
    { id: 'fork', type: 'parallelGateway', next: ['finance', 'hr'] },
    { id: 'finance', type: 'userTask', name: name('Finance review'), candidates: { anyOf: [{ user: '"finance-director"' }] }, outcomes: ['done'], next: 'join' },
    { id: 'hr', type: 'userTask', name: name('HR review'), candidates: { anyOf: [{ role: 'hr' }] }, outcomes: ['done'], next: 'join' },
    { id: 'join', type: 'parallelGateway', next: ['check'] },
    { id: 'check', type: 'userTask', name: name('Check'), candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['ok', 'rework'], next: { ok: 'done', rework: 'fork' } },
    { id: 'done', type: 'endEvent', status: 'reviewed' },
  ],
};

/** Two branches joined; the second skips its optional step when `skip` is true. */
export const optionalStepDefinition: ProcessDefinitionInput = {
  key: 'test.optional',
  version: 1,
  name: name('Optional step'),
  input: { skip: { type: 'boolean' } },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'fork' },
    { id: 'fork', type: 'parallelGateway', next: ['finance', 'route'] },
    { id: 'finance', type: 'userTask', name: name('Finance review'), candidates: { anyOf: [{ user: '"finance-director"' }] }, outcomes: ['done'], next: 'join' },
    { id: 'route', type: 'exclusiveGateway', branches: [{ when: 'skip', to: 'join' }], default: 'hr' },
    { id: 'hr', type: 'userTask', name: name('HR review'), candidates: { anyOf: [{ role: 'hr' }] }, outcomes: ['done'], next: 'join' },
    { id: 'join', type: 'parallelGateway', next: ['done'] },
    { id: 'done', type: 'endEvent', status: 'reviewed' },
  ],
};

/** A manager's decision, then the approval as a child process. */
export const decideThenCallDefinition: ProcessDefinitionInput = {
  key: 'test.caller.after',
  version: 1,
  name: name('Decide, then call'),
  input: { amount: { type: 'number' } },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'ask' },
    { id: 'ask', type: 'userTask', name: name('Ask'), candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['go'], next: 'child' },
    { id: 'child', type: 'callActivity', process: { key: 'test.approval', version: 1 }, input: { amount: 'amount' }, next: 'done' },
    { id: 'done', type: 'endEvent', status: 'done' },
  ],
};

/** Two branches; a second later nobody holds the second one's role, so the instance fails with NO_CANDIDATES. */
export const failingBranchDefinition: ProcessDefinitionInput = {
  key: 'test.failing',
  version: 1,
  name: name('Failing branch'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'fork' },
    { id: 'fork', type: 'parallelGateway', next: ['ok', 'waitABit'] },
    { id: 'ok', type: 'userTask', name: name('GM review'), candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['done'], next: 'join' },
    { id: 'waitABit', type: 'timerEvent', duration: 'duration("PT1S")', next: 'nobody' },
    { id: 'nobody', type: 'userTask', name: name('Nobody'), candidates: { anyOf: [{ role: 'salesperson', department: '"marketing"' }] }, outcomes: ['done'], next: 'join' },
    { id: 'join', type: 'parallelGateway', next: ['done'] },
    { id: 'done', type: 'endEvent', status: 'done' },
  ],
};

/** Escalated to the GM two seconds after it opens (for the dev server's real clock); no due time, no reminders. */
export const quickEscalationDefinition: ProcessDefinitionInput = {
  ...escalationDefinition,
  key: 'test.escalation.quick',
  nodes: escalationDefinition.nodes.map((node) =>
    node.type === 'userTask'
      ? {
          id: node.id,
          type: node.type,
          name: node.name,
          candidates: { anyOf: [{ role: 'office_director' }] },
          outcomes: node.outcomes,
          escalation: { after: 'duration("PT2S")', from: 'opened', to: { anyOf: [{ role: 'gm' }] } },
          next: node.next,
        }
      : node,
  ),
};

/** One notice through a service task. */
export const serviceDefinition: ProcessDefinitionInput = {
  key: 'test.service',
  version: 1,
  name: name('Service'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'tell' },
    { id: 'tell', type: 'serviceTask', activity: 'notify', input: { userIds: '[initiator.id]', text: '"hello"' }, next: 'done' },
    { id: 'done', type: 'endEvent', status: 'done' },
  ],
};

/** Waits for the document to be `ready`, then the GM reviews it. */
export const readyThenReviewDefinition: ProcessDefinitionInput = {
  key: 'test.ready',
  version: 1,
  name: name('Ready, then review'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'ready' },
    { id: 'ready', type: 'receiveTask', message: 'ready', next: 'review' },
    { id: 'review', type: 'userTask', name: name('Review'), candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['done'], next: 'done' },
    { id: 'done', type: 'endEvent', status: 'done' },
  ],
};

/** A hand-over list (移交清单): one record per item, each checked field by field (CYC-2). */
const handOverItems: Extract<ProcessDefinitionInput['input'][string], { type: 'recordList' }> = {
    type: 'recordList',
    minItems: 1,
    fields: {
      title: { type: 'string' },
      category: { type: 'enum', values: ['administrative', 'accounting', 'project'] },
      original: { type: 'boolean' },
      pages: { type: 'number', integer: true, min: 1 },
      volume: { type: 'string', required: false },
    },
};
export const handOverForm: ProcessDefinitionInput['input'] = { items: handOverItems };

/**
 * CYC-2's collection as the engine runs it: the departments with a manager come from a service,
 * each department's manager gets a collection task for the hand-over list, escalated to the
 * department's Deputy GM in charge when late, and the Archivist sees what came back.
 */
export const collectionDefinition: ProcessDefinitionInput = {
  key: 'test.collection',
  version: 1,
  name: name('Collection campaign'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'organisation' },
    { id: 'organisation', type: 'serviceTask', activity: 'departmentsWithManager', next: 'collect' },
    {
      id: 'collect',
      type: 'userTask',
      name: { en: 'Hand over the department archive', zh: '部门档案移交' },
      ruleId: 'CYC-2',
      candidates: { anyOf: [{ role: 'department_manager', department: 'department.id' }] },
      outcomes: ['submitted'],
      form: handOverForm,
      multiInstance: { mode: 'parallel', items: 'organisation.departments', as: 'department', completion: 'all' },
      escalation: { after: 'duration("P10D")', to: { anyOf: [{ role: 'deputy_gm_in_charge', department: 'department.id' }] } },
      next: 'anyReturned',
    },
    {
      id: 'anyReturned',
      type: 'exclusiveGateway',
      branches: [{ when: 'all(for r in collect.items return r.outcome = "submitted")', to: 'collected' }],
      default: 'incomplete',
    },
    { id: 'collected', type: 'endEvent', status: 'collected' },
    { id: 'incomplete', type: 'endEvent', status: 'incomplete' },
  ],
};

/** A process whose one task is a department manager's hand-over; `collect` decides which department(s). */
function handOverProcess(
  key: string,
  title: string,
  input: ProcessDefinitionInput['input'],
  collect: { department: string; outcomes: string[]; form: ProcessDefinitionInput['input']; multiInstance?: { mode: 'parallel' | 'sequential'; items: string; as: string } },
): ProcessDefinitionInput {
  const { department, ...task } = collect;
  return {
    key,
    version: 1,
    name: name(title),
    input,
    nodes: [
      { id: 'start', type: 'startEvent', next: 'collect' },
      { id: 'collect', type: 'userTask', name: name('Hand over'), candidates: { anyOf: [{ role: 'department_manager', department }] }, ...task, next: 'done' },
      { id: 'done', type: 'endEvent', status: 'collected' },
    ],
  };
}

/** One department after another, from a list given at start. */
export const sequentialCollectionDefinition = handOverProcess('test.collection.sequential', 'Collection, one department after another', { departmentIds: { type: 'stringList' } }, {
  department: 'departmentId',
  outcomes: ['submitted', 'nothing'],
  form: { items: { ...handOverItems, required: false } },
  multiInstance: { mode: 'sequential', items: 'departmentIds', as: 'departmentId' },
});

/** One department's collection as a process of its own. */
export const departmentCollectionDefinition = handOverProcess('test.collection.department', 'One department hands over', { departmentId: { type: 'string' } }, {
  department: 'departmentId',
  outcomes: ['submitted'],
  form: handOverForm,
});

/** A child process per department of the list given at start (CYC-2 with the collection as a sub-process). */
export const collectionPerChildDefinition: ProcessDefinitionInput = {
  key: 'test.collection.children',
  version: 1,
  name: name('Collection, one process per department'),
  input: { departments: { type: 'recordList', fields: { id: { type: 'string' }, name: { type: 'string' } } } },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'each' },
    {
      id: 'each',
      type: 'callActivity',
      process: { key: 'test.collection.department', version: 1 },
      input: { departmentId: 'department.id' },
      multiInstance: { mode: 'parallel', items: 'departments', as: 'department' },
      next: 'done',
    },
    { id: 'done', type: 'endEvent', status: 'collected' },
  ],
};

/** A hand-over list that comes as a message (urgent material, CYC-3), its payload a record list checked on arrival. */
export const handOverMessageDefinition: ProcessDefinitionInput = {
  key: 'test.collection.message',
  version: 1,
  name: name('Hand-over list by message'),
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'received' },
    { id: 'received', type: 'receiveTask', message: 'handOver', form: handOverForm, next: 'done' },
    { id: 'done', type: 'endEvent', status: 'received' },
  ],
};
