// Customer ownership as processes: the 4-month protection 保护期 with its monthly progress reports
// (OVL-8), co-development by agreement with the protector (OVL-8), and the reassignment of a
// leaver's customers (SEC-5). Records change only through the service tasks of
// domain/services/customers.ts.
import { customerProcessKeys, customerSettings, monthNodes, reportMessage } from './rules.ts';
import type { CandidateRule, ProcessDefinitionInput } from '../../engine/definition/definition.ts';

type NodeInput = ProcessDefinitionInput['nodes'][number];
type FieldSchemaInput = NonNullable<ProcessDefinitionInput['input']>[string];

/**
 * The Department Manager of the department whose customer archive holds the customer (CUS-2); the
 * Marketing Director, responsible for the sales archives overall (CUS-2), when it has none.
 */
const departmentManager: CandidateRule = {
  anyOf: [{ role: 'department_manager', department: 'departmentId' }],
  fallback: { anyOf: [{ role: 'marketing_director' }] },
};

const optionalNote = { note: { type: 'string', required: false, maxLength: 2_000 } } as const;

/**
 * Month `n` of a protection (OVL-8): its first progress report is awaited until five days before
 * the month ends; then the protector of that moment is reminded and the report is awaited until
 * the month ends. Reported: the month runs out, then the next one begins.
 * Not reported, version 1: the Department Manager keeps the customer (the next month begins) or
 * releases it to the pool at once; the last month needs no decision: the protection ends with it.
 * Not reported, version 2: the miss is recorded for HR and escalated to the Department Manager,
 * and the four months run on; only where the company allows early release
 * (customerSettings.earlyReleaseOnMissedReport) does the manager's keep-or-release task follow.
 */
function protectionMonth(n: number, recordsMissed: boolean): NodeInput[] {
  const ids = monthNodes(n);
  const last = n === customerSettings.protectionMonths;
  const following = last ? 'expire' : monthNodes(n + 1).report;
  const endsAt = `date and time(protection.month${n}EndsAt)`;
  const report = {
    type: 'receiveTask',
    ruleId: 'OVL-8',
    message: reportMessage(n),
    form: { reportId: { type: 'string' } },
    next: ids.reported,
  } as const;
  const nodes: NodeInput[] = [
    {
      ...report,
      id: ids.report,
      name: { en: `Month ${n}: progress report`, zh: `第${n}个月进展报告` },
      deadline: { after: `${endsAt} - duration("P${customerSettings.reportReminderDays}D") - now()`, to: ids.reminder },
    },
    { id: ids.reminder, type: 'serviceTask', ruleId: 'OVL-8', activity: 'remindProtector', input: { protectionId: 'protectionId', month: String(n) }, next: ids.lastDays },
    {
      ...report,
      id: ids.lastDays,
      name: { en: `Month ${n}: progress report, last days`, zh: `第${n}个月进展报告（最后几天）` },
      deadline: { after: `${endsAt} - now()`, to: recordsMissed ? ids.recordMissed : last ? 'expire' : ids.missed },
    },
    { id: ids.reported, type: 'timerEvent', ruleId: 'OVL-8', date: endsAt, next: following },
  ];
  if (recordsMissed) {
    nodes.push({
      id: ids.recordMissed,
      type: 'serviceTask',
      ruleId: 'OVL-8',
      activity: 'recordMissedReport',
      input: { protectionId: 'protectionId', month: String(n) },
      resultVariable: 'missedReport',
      next: last ? 'expire' : ids.earlyReleaseCheck,
    });
    if (!last) nodes.push({ id: ids.earlyReleaseCheck, type: 'exclusiveGateway', branches: [{ when: 'missedReport.earlyRelease', to: ids.missed }], default: following });
  }
  if (!last) {
    nodes.push({
      id: ids.missed,
      type: 'userTask',
      ruleId: 'OVL-8',
      name: { en: `Month ${n} of the protection ended without a progress report: keep or release the customer`, zh: `保护期第${n}个月未提交进展报告：保留或释放客户` },
      candidates: departmentManager,
      outcomes: ['keep', 'release'],
      form: optionalNote,
      // One variable for every month's decision: releaseEarly reads who released.
      resultVariable: 'missedMonth',
      next: { keep: following, release: 'releaseEarly' },
    });
  }
  return nodes;
}

/** The protection's nodes; `recordsMissed` (version 2) records a month without a report instead of offering its early release at once. */
function protectionNodes(recordsMissed: boolean): NodeInput[] {
  return [
    { id: 'start', type: 'startEvent', next: 'route' },
    { id: 'route', type: 'exclusiveGateway', branches: [{ when: 'assigned', to: 'begin' }], default: 'approval' },
    {
      id: 'approval',
      type: 'userTask',
      ruleId: 'OVL-8',
      name: { en: 'Approve the customer protection request', zh: '审批客户保护申请' },
      candidates: departmentManager,
      outcomes: ['approve', 'reject'],
      form: optionalNote,
      next: { approve: 'begin', reject: 'decline' },
    },
    { id: 'decline', type: 'serviceTask', ruleId: 'OVL-8', activity: 'declineProtection', input: { protectionId: 'protectionId' }, next: 'tellDeclined' },
    {
      id: 'tellDeclined',
      type: 'serviceTask',
      activity: 'notify',
      input: { userIds: '[protectorId]', text: '"OVL-8: your customer protection request was declined. 客户保护申请未获批准。"' },
      next: 'declined',
    },
    { id: 'declined', type: 'endEvent', status: 'declined' },
    {
      id: 'begin',
      type: 'serviceTask',
      ruleId: 'OVL-8',
      activity: 'beginProtection',
      // Only the request path has an approval to read.
      input: { protectionId: 'protectionId', grantedBy: 'if assigned then requestedBy else approval.decidedBy' },
      resultVariable: 'protection',
      next: 'fork',
    },
    { id: 'fork', type: 'parallelGateway', next: [monthNodes(1).report, 'intentOrder'] },
    {
      id: 'intentOrder',
      type: 'receiveTask',
      ruleId: 'OVL-8',
      name: { en: 'Intent order', zh: '意向单' },
      message: 'intentOrder',
      form: { reference: { type: 'string', maxLength: 200 }, filedBy: { type: 'string', maxLength: 200 } },
      next: 'convert',
    },
    {
      id: 'convert',
      type: 'serviceTask',
      ruleId: 'OVL-8',
      activity: 'convertProtection',
      input: { protectionId: 'protectionId', reference: 'intentOrder.reference', filedBy: 'intentOrder.filedBy' },
      next: 'convertedCheck',
    },
    // An intent order that arrives as the protection runs out loses to the release already recorded.
    { id: 'convertedCheck', type: 'exclusiveGateway', branches: [{ when: 'convert.applied', to: 'converted' }], default: 'intentTooLate' },
    { id: 'converted', type: 'endEvent', status: 'converted', terminate: true },
    { id: 'intentTooLate', type: 'endEvent', status: 'released' },
    ...Array.from({ length: customerSettings.protectionMonths }, (_, i) => protectionMonth(i + 1, recordsMissed)).flat(),
    {
      id: 'expire',
      type: 'serviceTask',
      ruleId: 'OVL-8',
      activity: 'releaseProtection',
      input: { protectionId: 'protectionId', reason: '"expired"' },
      resultVariable: 'release',
      next: 'releasedCheck',
    },
    {
      id: 'releaseEarly',
      type: 'serviceTask',
      ruleId: 'OVL-8',
      activity: 'releaseProtection',
      input: { protectionId: 'protectionId', reason: '"released_early"', decidedBy: 'missedMonth.decidedBy' },
      resultVariable: 'release',
      next: 'releasedCheck',
    },
    // A release that comes after an intent order was recorded changes nothing: the order wins.
    { id: 'releasedCheck', type: 'exclusiveGateway', branches: [{ when: 'release.applied', to: 'released' }], default: 'releaseTooLate' },
    { id: 'released', type: 'endEvent', status: 'released', terminate: true },
    { id: 'releaseTooLate', type: 'endEvent', status: 'converted' },
  ];
}

/**
 * OVL-8: a salesperson's protection of a customer, from the request (or the Department Manager's
 * assignment, which starts it at once) to an intent order 意向单 (the customer stays theirs) or
 * the end of the four months (the customer goes to the open pool 公海). The monthly branch and the
 * intent order wait side by side; whichever ends first ends the instance. Version 2: a month
 * without a report is recorded (audit, visible to HR) and escalated to the Department Manager; it
 * ends the protection early only where the company setting allows it (保护期限为4个月).
 */
export const protectionDefinition: ProcessDefinitionInput = {
  key: customerProcessKeys.protection,
  version: 2,
  name: { en: 'Customer protection', zh: '客户保护期' },
  description:
    'OVL-8: 4 calendar months (Asia/Shanghai) of protection with at least one progress report a month to the Department Manager; a month without one is recorded ' +
    'and escalated but does not shorten the protection (unless the company allows early release); an intent order keeps the customer, otherwise it goes to the ' +
    'open pool at the end. The initiator is the protector (the Department Manager who assigns a customer is `requestedBy`).',
  input: {
    protectionId: { type: 'string', maxLength: 200 },
    customerId: { type: 'string', maxLength: 200 },
    protectorId: { type: 'string', maxLength: 200 },
    departmentId: { type: 'string', maxLength: 200 },
    requestedBy: { type: 'string', maxLength: 200 },
    // An assignment by the Department Manager needs no approval.
    assigned: { type: 'boolean' },
  },
  // SEC-1: customer archives are Confidential.
  secrecy: '"confidential"',
  businessKey: 'customerId',
  customer: 'customerId',
  // Neither the applicant nor the protector ends it by cancelling: it ends by decision, intent order or time.
  cancellableAt: [],
  nodes: protectionNodes(true),
};

/**
 * The first published version: a month without a report let the Department Manager release the
 * customer at once. No longer in the catalogue: new protections run version 2; running instances
 * of version 1 carry their definition (and process_definitions keeps it).
 */
export const protectionDefinitionV1: ProcessDefinitionInput = {
  ...protectionDefinition,
  version: 1,
  description:
    'OVL-8: 4 calendar months (Asia/Shanghai) of protection with at least one progress report a month to the Department Manager; an intent order keeps the customer, ' +
    'otherwise it goes to the open pool at the end. The initiator is the protector (the Department Manager who assigns a customer is `requestedBy`).',
  nodes: protectionNodes(false),
};

/** OVL-8: during protection another salesperson works the customer only by agreement with its owner, sharing the commission. */
export const coDevelopmentDefinition: ProcessDefinitionInput = {
  key: customerProcessKeys.coDevelopment,
  version: 1,
  name: { en: 'Customer co-development', zh: '客户共同开发' },
  description: 'OVL-8: the owner (the protector) accepts or declines working the customer with the requester for the commission share offered (in percent).',
  input: {
    requestId: { type: 'string', maxLength: 200 },
    customerId: { type: 'string', maxLength: 200 },
    ownerId: { type: 'string', maxLength: 200 },
    departmentId: { type: 'string', maxLength: 200 },
    share: { type: 'number', integer: true, min: 1, max: 99 },
  },
  secrecy: '"confidential"',
  businessKey: 'customerId',
  customer: 'customerId',
  cancellableAt: [],
  nodes: [
    { id: 'start', type: 'startEvent', next: 'decide' },
    {
      id: 'decide',
      type: 'userTask',
      ruleId: 'OVL-8',
      name: { en: 'Work the customer together, sharing the commission?', zh: '是否同意共同开发客户并分享佣金' },
      // An owner who has left cannot answer: their department's manager does (CUS-2).
      candidates: { anyOf: [{ user: 'ownerId' }], fallback: departmentManager },
      outcomes: ['accept', 'decline'],
      form: optionalNote,
      next: { accept: 'recordAccepted', decline: 'recordDeclined' },
    },
    { id: 'recordAccepted', type: 'serviceTask', ruleId: 'OVL-8', activity: 'settleCoDevelopment', input: { requestId: 'requestId', outcome: '"accepted"' }, next: 'tellAccepted' },
    {
      id: 'tellAccepted',
      type: 'serviceTask',
      activity: 'notify',
      input: { userIds: '[initiator.id]', text: '"OVL-8: your co-development request was accepted, for " + string(share) + "% of the commission. 共同开发申请已获同意。"' },
      next: 'accepted',
    },
    { id: 'accepted', type: 'endEvent', status: 'accepted' },
    { id: 'recordDeclined', type: 'serviceTask', ruleId: 'OVL-8', activity: 'settleCoDevelopment', input: { requestId: 'requestId', outcome: '"declined"' }, next: 'tellDeclined' },
    {
      id: 'tellDeclined',
      type: 'serviceTask',
      activity: 'notify',
      input: { userIds: '[initiator.id]', text: '"OVL-8: your co-development request was declined. 共同开发申请未获同意。"' },
      next: 'declined',
    },
    { id: 'declined', type: 'endEvent', status: 'declined' },
  ],
};

/** The departure process's node ids that the API reads (the Department Manager's reassignment task). */
export const departureNodes = {
  reassign: 'reassign',
} as const;

/**
 * SEC-5: a salesperson leaves; the Department Manager reassigns their customers to other
 * salespeople of the department. The leaver is the instance's initiator, so the engine never makes
 * them a candidate: they may not hand their customers over themselves. Partly done reassignments
 * open the task again for the customers left; once none is left the leaver's account closes.
 * Version 1 carried the pairs as `customerId=salespersonId` strings; version 2 as records.
 */
function departureDefinitionOf(form: { version: number; description: string; assignments: FieldSchemaInput; activity: 'reassignCustomers' | 'reassignCustomerRecords' }): ProcessDefinitionInput {
  return {
    key: customerProcessKeys.departure,
    version: form.version,
    name: { en: 'Salesperson leaving: reassign their customers', zh: '销售人员离职客户重新分配' },
    description: form.description,
    input: {
      departureId: { type: 'string', maxLength: 200 },
      departmentId: { type: 'string', maxLength: 200 },
      reportedBy: { type: 'string', maxLength: 200 },
    },
    secrecy: '"confidential"',
    businessKey: 'departureId',
    cancellableAt: [],
    nodes: [
      { id: 'start', type: 'startEvent', next: 'check' },
      { id: 'check', type: 'serviceTask', ruleId: 'SEC-5', activity: form.activity, input: { departureId: 'departureId', assignments: '[]' }, resultVariable: 'reassignment', next: 'pending' },
      { id: 'pending', type: 'exclusiveGateway', branches: [{ when: 'reassignment.remaining > 0', to: departureNodes.reassign }], default: 'complete' },
      {
        id: departureNodes.reassign,
        type: 'userTask',
        ruleId: 'SEC-5',
        name: { en: "Reassign the leaver's customers", zh: '重新分配离职销售人员的客户' },
        candidates: departmentManager,
        outcomes: ['reassign'],
        form: { assignments: form.assignments },
        next: 'apply',
      },
      {
        id: 'apply',
        type: 'serviceTask',
        ruleId: 'SEC-5',
        activity: form.activity,
        input: { departureId: 'departureId', assignments: `${departureNodes.reassign}.data.assignments`, decidedBy: `${departureNodes.reassign}.decidedBy` },
        resultVariable: 'reassignment',
        next: 'pending',
      },
      { id: 'complete', type: 'serviceTask', ruleId: 'SEC-5', activity: 'completeDeparture', input: { departureId: 'departureId' }, next: 'completed' },
      { id: 'completed', type: 'endEvent', status: 'completed' },
    ],
  };
}

/**
 * The first published version, its form a list of `customerId=salespersonId` strings. No longer
 * in the catalogue: new departures run version 2; instances of version 1 carry their definition
 * (and process_definitions keeps it), and its service (reassignCustomers) stays on the allow-list.
 */
export const departureDefinitionV1: ProcessDefinitionInput = departureDefinitionOf({
  version: 1,
  description:
    'SEC-5: the reassignment task\'s form carries `assignments`, a list of `customerId=salespersonId`; each salesperson must be an active salesperson of the leaver\'s ' +
    'department. A running protection goes with its customer, and its reports are due from the new owner.',
  assignments: { type: 'stringList' },
  activity: 'reassignCustomers',
});

/** SEC-5, version 2: the reassignment task's form is a list of records, one customer and one salesperson each. */
export const departureDefinition: ProcessDefinitionInput = departureDefinitionOf({
  version: 2,
  description:
    'SEC-5: the reassignment task\'s form carries `assignments`, a list of records { customerId, salespersonId }; each salesperson must be an active salesperson of the ' +
    'leaver\'s department. A running protection goes with its customer, and its reports are due from the new owner.',
  assignments: {
    type: 'recordList',
    fields: { customerId: { type: 'string', maxLength: 200 }, salespersonId: { type: 'string', maxLength: 200 } },
    minItems: 1,
    maxItems: 1_000,
  },
  activity: 'reassignCustomerRecords',
});

export const customerProcesses: ProcessDefinitionInput[] = [protectionDefinition, coDevelopmentDefinition, departureDefinition];
