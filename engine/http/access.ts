// Who may call the engine's routes (docs/access.md): definitions, instances, the inbox and task
// actions. The permissions are the ones the engine's services decide with (process-visibility.ts).
import { permission, signedIn, type AccessDeclaration, type Subject } from '../../platform/access.ts';
import { holdsRole } from '../../platform/organisation/model.ts';
import { engineDuties } from './decision-guards.ts';

/** The processes the Office Director does not oversee (AccessDeclaration.confidentialProcesses, all areas together). */
export type ConfidentialProcesses = readonly string[];

/**
 * [interpretation] The GM oversees every instance; the Office Director every instance except the
 * confidential ones (ACC-2: customer archives are confidential and SEC-1 names their viewers).
 */
export const processOversight = permission<{ key: string; confidential: ConfidentialProcesses }>({
  id: 'process.oversee',
  ruleIds: ['ACC-2', 'SEC-1'],
  who: 'the GM: every instance; the Office Director: every instance but the confidential ones (customer archives)',
  allows: (subject: Subject, process) => holdsRole(subject.roles, ['gm']) || (holdsRole(subject.roles, ['office_director']) && !process.confidential.includes(process.key)),
});

/** What the engine's permissions need to know about an instance and one of its tasks. */
export interface ProcessFacts {
  key: string;
  initiatorId: string;
  /** Who is or was a candidate, delegate or decider of a task, was copied in or mentioned. */
  participantIds: readonly string[];
  confidential: ConfidentialProcesses;
}

export interface TaskFacts {
  process: ProcessFacts;
  candidateIds: readonly string[];
  delegateIds: readonly string[];
  decidedBy: string | null;
  /** The instance's participants in the workflow's own sense (initiator, watchers, whoever may decide an open task). */
  workflowParticipantIds: readonly string[];
}

/** The instance: its initiator, its participants and its overseers (processOversight; ACC-2). */
export const processViewers = permission<ProcessFacts>({
  id: 'process.view',
  ruleIds: ['ACC-2'],
  who: 'its initiator, anyone who is or was a candidate, delegate or decider of one of its tasks, those copied in or mentioned; the GM; the Office Director except for confidential processes',
  allows: (subject, process) => process.initiatorId === subject.id || process.participantIds.includes(subject.id) || processOversight.allows(subject, { key: process.key, confidential: process.confidential }),
});

/** ACC-1: who may know of a task: whoever may see it or its instance; 404 for anyone else, whatever they ask of it. */
export const taskKnowers = permission<TaskFacts>({
  id: 'task.know',
  ruleIds: ['ACC-1'],
  who: 'whoever may see the task or its instance',
  allows: (subject, task) => task.candidateIds.includes(subject.id) || task.delegateIds.includes(subject.id) || task.decidedBy === subject.id || processViewers.allows(subject, task.process),
});

export const taskViewers = permission<TaskFacts>({
  id: 'task.view',
  ruleIds: ['ACC-1'],
  who: 'its candidates and delegates, its decider and the initiator of its instance',
  allows: (subject, task) => task.candidateIds.includes(subject.id) || task.delegateIds.includes(subject.id) || task.decidedBy === subject.id || task.process.initiatorId === subject.id,
});

export const taskDeciders = permission<TaskFacts>({
  id: 'task.decide',
  ruleIds: ['ACC-1', 'BOR-7', 'SOD-1', 'SOD-3'],
  who: 'its candidates and their delegates (never the initiator)',
  allows: (subject, task) => (task.candidateIds.includes(subject.id) || task.delegateIds.includes(subject.id)),
});

export const taskRequester = permission<TaskFacts>({
  id: 'task.urge',
  ruleIds: ['ACC-1'],
  who: "the instance's initiator",
  allows: (subject, task) => task.process.initiatorId === subject.id,
});

export const processInitiator = permission<ProcessFacts>({
  id: 'process.withdraw',
  ruleIds: ['ACC-2'],
  who: 'its initiator',
  allows: (subject, process) => process.initiatorId === subject.id,
});

export const processCopiers = permission<TaskFacts>({
  id: 'process.copy',
  ruleIds: ['ACC-2'],
  who: 'its initiator, those copied in and whoever may decide an open task',
  allows: (subject, task) => processViewers.allows(subject, task.process) && task.workflowParticipantIds.includes(subject.id),
});

const instance = (path: string) => `/api/v1/processes/{id}${path}`;
const task = (path: string) => `/api/v1/tasks/{id}${path}`;

export const engineAccess: AccessDeclaration = {
  routes: [
    { method: 'GET', path: '/api/v1/tasks/counts', permission: signedIn },
    { method: 'GET', path: '/api/v1/me/requests', permission: signedIn },
    { method: 'GET', path: '/api/v1/process-definitions', permission: signedIn },
    { method: 'GET', path: '/api/v1/process-definitions/{key}/{version}', permission: signedIn },
    { method: 'GET', path: '/api/v1/process-definitions/{key}/{version}/bpmn', permission: signedIn },
    ...['', '/audit-trail', '/open-tasks', '/decisions', '/watchers', '/comments'].map((path) => ({ method: 'GET' as const, path: instance(path), permission: processViewers, knownTo: processViewers })),
    { method: 'POST', path: instance('/comments'), permission: processViewers, knownTo: processViewers },
    { method: 'POST', path: instance('/watchers'), permission: processCopiers, knownTo: taskKnowers },
    { method: 'POST', path: instance('/withdraw'), permission: processInitiator, knownTo: processViewers },
    { method: 'GET', path: '/api/v1/tasks', permission: signedIn },
    { method: 'GET', path: task(''), permission: taskViewers, knownTo: taskViewers },
    ...['/complete', '/transfer', '/signers', '/send-back'].map((path) => ({ method: 'POST' as const, path: task(path), permission: taskDeciders, knownTo: taskKnowers })),
    { method: 'POST', path: task('/urge'), permission: taskRequester, knownTo: taskKnowers },
  ],
  duties: Object.values(engineDuties),
};
