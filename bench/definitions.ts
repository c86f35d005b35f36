// Process definitions the benchmarks and their profiles share.
import type { ProcessDefinitionInput } from '../engine/definition/definition.ts';

const name = (en: string) => ({ en, zh: en });

/** Two decisions by two named people: the first opens the second's task. */
export const twoStep: ProcessDefinitionInput = {
  key: 'bench.two-step',
  version: 1,
  name: name('Two-step approval (benchmark)'),
  input: { first: { type: 'string' }, second: { type: 'string' } },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'firstReview' },
    { id: 'firstReview', type: 'userTask', name: name('First review'), candidates: { anyOf: [{ user: 'first' }] }, outcomes: ['approve'], next: 'secondReview' },
    { id: 'secondReview', type: 'userTask', name: name('Second review'), candidates: { anyOf: [{ user: 'second' }] }, outcomes: ['approve'], next: 'done' },
    { id: 'done', type: 'endEvent', status: 'approved' },
  ],
};

/**
 * Ten decisions in a row by one person: the unit of the sustained-decisions run. Steps of work,
 * not approvals: SOD-1 forbids one person two approval steps of one instance.
 */
export const chain: ProcessDefinitionInput = {
  key: 'bench.chain',
  version: 1,
  name: name('Chain of ten decisions (benchmark)'),
  input: { approver: { type: 'string' } },
  nodes: [
    { id: 'start', type: 'startEvent', next: 'step1' },
    ...Array.from({ length: 10 }, (_, i) => ({
      id: `step${i + 1}`,
      type: 'userTask' as const,
      name: name(`Step ${i + 1}`),
      candidates: { anyOf: [{ user: 'approver' }] },
      outcomes: ['done'],
      next: i === 9 ? 'done' : `step${i + 2}`,
    })),
    { id: 'done', type: 'endEvent', status: 'approved' },
  ],
};

