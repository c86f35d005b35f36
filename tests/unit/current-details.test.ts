// What the Temporal UI shows an instance waiting for (issue 16.4), as the interpreter words it.
import { describe, expect, it } from 'vitest';
import type { ProcessNode } from '../../engine/definition/definition.ts';
import { currentDetails } from '../../engine/workflow/details.ts';
import type { TaskRecord, Token } from '../../engine/workflow/types.ts';

const review: ProcessNode = { id: 'gmApproval', type: 'userTask', name: { en: 'GM approval', zh: '总经理审批' }, candidates: { anyOf: [{ role: 'gm' }] }, outcomes: ['approve'], next: 'end' } as ProcessNode;
const wait: ProcessNode = { id: 'cooling', type: 'timerEvent', duration: 'duration("P1D")', next: 'end' } as ProcessNode;
const nodes = new Map([review, wait].map((node) => [node.id, node]));
const at = Date.parse('2026-03-01T02:00:00Z');

function task(id: string, candidateIds: string[], tokenId = 't1'): TaskRecord {
  return { id, nodeId: 'gmApproval', tokenId, name: { en: 'GM approval', zh: '总经理审批' }, state: 'open', candidateIds, delegates: {}, outcomes: ['approve'], openedAt: at, dueAt: at + 86_400_000, revision: 1 };
}

describe('current details', () => {
  it('name the task, who may decide it, since when and until when; and a timer when it fires', () => {
    const tokens: Token[] = [
      { id: 't1', nodeId: 'gmApproval', enteredAt: at, taskIds: ['a'] },
      { id: 't2', nodeId: 'cooling', enteredAt: at, fireAt: at + 3_600_000 },
    ];
    const withDelegate = { ...task('a', ['gm']), delegates: { 'dgm-admin': { delegationId: 'd1', principalId: 'gm', validTo: at + 1 } } };
    expect(currentDetails({ status: 'running', tokens, tasks: [withDelegate], node: (id) => nodes.get(id) })).toBe(
      [
        '**running**',
        '- waiting for GM approval (总经理审批) by gm, dgm-admin (delegate) since 2026-03-01T02:00:00.000Z, due 2026-03-02T02:00:00.000Z',
        '- timer cooling fires at 2026-03-01T03:00:00.000Z',
      ].join('\n'),
    );
  });

  it('say only the status once no path runs', () => {
    expect(currentDetails({ status: 'approved', tokens: [], tasks: [{ ...task('a', ['gm']), state: 'completed' }], node: (id) => nodes.get(id) })).toBe('**approved**');
  });

  it('stay short for a vote of many', () => {
    const tasks = Array.from({ length: 50 }, (_, i) => task(`v${i}`, [`voter-${i}`]));
    const text = currentDetails({ status: 'running', tokens: [{ id: 't1', nodeId: 'gmApproval', enteredAt: at }], tasks, node: (id) => nodes.get(id) });
    expect(text.split('\n')).toHaveLength(21);
    expect(text).toContain('- … and 31 more');
  });
});
