// A bad definition never reaches a worker: validateDefinition refuses it at registration,
// naming every problem.
import { describe, expect, it } from 'vitest';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { evaluateDurationMs, evaluateInstantMs } from '../../engine/definition/feel.ts';
import { multiInstanceOutcome } from '../../engine/definition/multi-instance.ts';
import { DefinitionError, validateDefinition, type ValidateOptions } from '../../engine/definition/validate.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';
import { approvalDefinition, callerDefinition, timerDefinition } from '../support/definitions.ts';

const clone = (definition: ProcessDefinitionInput): ProcessDefinitionInput => structuredClone(definition);

function problemsOf(definition: unknown, options: Partial<ValidateOptions> = {}): string[] {
  try {
    validateDefinition(definition, { services: serviceSpecs, ...options });
  } catch (error) {
    if (error instanceof DefinitionError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('definition validation', () => {
  it('accepts the engine test definitions', () => {
    expect(problemsOf(approvalDefinition)).toEqual([]);
    expect(problemsOf(timerDefinition)).toEqual([]);
  });

  it('refuses an unknown node reference, an unreachable node and a dead end', () => {
    const definition = clone(approvalDefinition);
    definition.nodes.push({ id: 'orphan', type: 'timerEvent', duration: 'duration("P1D")', next: 'nowhere' });
    expect(problemsOf(definition)).toEqual(['nodes.orphan: goes to unknown node "nowhere"']);
    definition.nodes.pop();
    definition.nodes.push({ id: 'orphan', type: 'timerEvent', duration: 'duration("P1D")', next: 'orphan' });
    const problems = problemsOf(definition);
    expect(problems).toContain('nodes.orphan: cannot be reached from the startEvent');
    expect(problems).toContain('nodes.orphan: no endEvent can be reached from here');
  });

  it('checks the cancel service like a service task: on the allow-list, its inputs, and FEEL that may read `cancel`', () => {
    const definition = clone(approvalDefinition);
    definition.onCancel = { activity: 'cancelBorrowRequest', input: { requestId: 'string(amount)', actorId: 'cancel.actorId', reason: 'cancel.reason' } };
    expect(problemsOf(definition)).toEqual([]);
    definition.onCancel = { activity: 'shredEverything', input: {} };
    expect(problemsOf(definition)).toEqual(['onCancel: activity "shredEverything" is not on the allow-list']);
    definition.onCancel = { activity: 'cancelBorrowRequest', input: { requestId: 'string(amount)', actorId: 'cancel.actorId', reason: 'cancel.reason +', colour: '"red"' } };
    const problems = problemsOf(definition);
    expect(problems).toContain('onCancel: activity "cancelBorrowRequest" takes no input "colour"');
    expect(problems.some((problem) => problem.startsWith('onCancel.input.reason: '))).toBe(true);
  });

  it('refuses outcomes without a next node and a next for an outcome the task lacks', () => {
    const definition = clone(approvalDefinition);
    const review = definition.nodes.find((n) => n.id === 'managerReview') as { next: Record<string, string> };
    review.next = { approve: 'byAmount', maybe: 'rejected' };
    expect(problemsOf(definition)).toEqual([
      'nodes.managerReview: no next node for outcome(s) reject',
      'nodes.managerReview: next names outcome(s) the task does not have: maybe',
    ]);
  });

  it('checks every FEEL expression against the input schema before anything runs', () => {
    const definition = clone(approvalDefinition);
    const gateway = definition.nodes.find((n) => n.id === 'byAmount') as { branches: { when: string }[] };
    gateway.branches[0]!.when = 'amont > 1000';
    expect(problemsOf(definition)).toEqual([`nodes.byAmount.branches.0.when: Variable 'amont' not found in FEEL expression \`amont > 1000\``]);
    gateway.branches[0]!.when = 'amount >';
    expect(problemsOf(definition)[0]).toMatch(/syntax error/);
    gateway.branches[0]!.when = '"yes"';
    expect(problemsOf(definition)[0]).toMatch(/a condition must be true or false/);
  });

  it('refuses a duration that is not a duration, and a date that is not a date', () => {
    const definition = clone(timerDefinition);
    (definition.nodes[1] as { duration: string }).duration = '"four months"';
    (definition.nodes[2] as { date: string }).date = 'wakeAt + 1';
    const problems = problemsOf(definition);
    expect(problems[0]).toMatch(/^nodes.wait.duration: expected a duration/);
    expect(problems[1]).toMatch(/^nodes.until.date: /);
  });

  it('allows only service activities on the allow-list, with their declared inputs', () => {
    const definition = clone(timerDefinition);
    (definition.nodes[3] as { activity: string }).activity = 'deleteEverything';
    expect(problemsOf(definition)).toEqual(['nodes.tell: activity "deleteEverything" is not on the allow-list']);
    (definition.nodes[3] as { activity: string; input: Record<string, string> }).activity = 'notify';
    (definition.nodes[3] as { input: Record<string, string> }).input = { text: '"x"', colour: '"red"' };
    expect(problemsOf(definition)).toEqual(['nodes.tell: activity "notify" takes no input "colour"', 'nodes.tell: activity "notify" needs input "userIds"']);
  });

  it('refuses unknown candidate roles and a Deputy GM in charge of no department', () => {
    const definition = clone(approvalDefinition);
    const gm = definition.nodes.find((n) => n.id === 'gmApproval') as { candidates: unknown };
    gm.candidates = { anyOf: [{ role: 'emperor' }, { role: 'deputy_gm_in_charge' }] };
    expect(problemsOf(definition)).toEqual([
      'nodes.gmApproval.candidates.anyOf.0.role: unknown role "emperor"',
      'nodes.gmApproval.candidates.anyOf.1: the Deputy GM in charge is of a department',
    ]);
  });

  it('requires a multi-instance task to have exactly its approve and reject outcomes', () => {
    const definition = clone(approvalDefinition);
    const gm = definition.nodes.find((n) => n.id === 'gmApproval') as Record<string, unknown>;
    gm.multiInstance = { mode: 'parallel', completion: 'all' };
    gm.outcomes = ['approve', 'reject', 'abstain'];
    gm.next = { approve: 'approved', reject: 'rejected', abstain: 'rejected' };
    expect(problemsOf(definition)).toEqual(['nodes.gmApproval: a multi-instance task has exactly the outcomes "approve" and "reject"']);
  });

  it('refuses a call to a definition that is not published', () => {
    expect(problemsOf(callerDefinition, { isPublished: () => false })).toEqual(['nodes.child: calls test.approval@1, which is not published']);
    expect(problemsOf(callerDefinition, { isPublished: (ref) => ref === 'test.approval@1' })).toEqual([]);
  });

  it('refuses malformed shapes with the path of each field', () => {
    expect(problemsOf({ ...approvalDefinition, key: 'Not A Key', version: 0 })).toEqual([
      'key: a key like archive.borrow',
      'version: Too small: expected number to be >0',
    ]);
  });
});

describe('FEEL durations and dates', () => {
  const at = Date.parse('2026-01-31T02:00:00Z'); // 10:00 in Shanghai
  it('counts calendar months in the policy time zone', () => {
    const ms = evaluateDurationMs('duration("P1M")', {}, at);
    expect(new Date(at + ms).toISOString()).toBe('2026-02-28T02:00:00.000Z');
    expect(evaluateDurationMs('duration("PT4H")', {}, at)).toBe(4 * 3600_000);
  });
  it('reads a zoned or local date and time', () => {
    expect(evaluateInstantMs('date and time("2026-03-01T09:00:00@Asia/Shanghai")', {})).toBe(Date.parse('2026-03-01T01:00:00Z'));
    expect(evaluateInstantMs('date and time("2026-03-01T09:00:00")', {})).toBe(Date.parse('2026-03-01T01:00:00Z'));
  });
});

describe('multi-instance completion', () => {
  const tally = (approvals: number, rejections: number, total = 3) => ({ total, approvals, rejections });
  it('all (会签) waits for every vote', () => {
    expect(multiInstanceOutcome('all', tally(2, 0))).toBeUndefined();
    expect(multiInstanceOutcome('all', tally(3, 0))).toBe('approve');
    expect(multiInstanceOutcome('all', tally(1, 1))).toBeUndefined();
    expect(multiInstanceOutcome('all', tally(2, 1))).toBe('reject');
  });
  it('any (或签) takes the first vote', () => {
    expect(multiInstanceOutcome('any', tally(0, 0))).toBeUndefined();
    expect(multiInstanceOutcome('any', tally(0, 1))).toBe('reject');
    expect(multiInstanceOutcome('any', tally(1, 0))).toBe('approve');
  });
  it('veto ends at the first rejection', () => {
    expect(multiInstanceOutcome('veto', tally(1, 1))).toBe('reject');
    expect(multiInstanceOutcome('veto', tally(2, 0))).toBeUndefined();
    expect(multiInstanceOutcome('veto', tally(3, 0))).toBe('approve');
  });
  it('ratio approves once reached and rejects once out of reach', () => {
    expect(multiInstanceOutcome({ ratio: 0.6 }, tally(1, 0))).toBeUndefined();
    expect(multiInstanceOutcome({ ratio: 0.6 }, tally(2, 0))).toBe('approve');
    expect(multiInstanceOutcome({ ratio: 0.6 }, tally(1, 2))).toBe('reject');
    expect(multiInstanceOutcome({ ratio: 0.5 }, tally(1, 1, 2))).toBe('approve');
  });
});
