// The task actions' definition syntax and defaults (issue #16): what a task allows when its
// definition says nothing, and what registration refuses.
import { describe, expect, it } from 'vitest';
import { mentionsIn, taskActions } from '../../engine/definition/actions.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { definitionSchema } from '../../engine/definition/definition.ts';
import { validateDefinition } from '../../engine/definition/validate.ts';
import { borrowingProcesses } from '../../areas/borrowing/definitions.ts';
import { destructionDefinition } from '../../areas/destruction/definitions.ts';
import { actionsDefinition } from '../support/action-definitions.ts';
import { votingDefinition } from '../support/definitions.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

const userTask = (definition: ProcessDefinitionInput, id: string) => {
  const node = validateDefinition(definition, { services: serviceSpecs }).nodes.find((n) => n.id === id);
  if (node?.type !== 'userTask') throw new Error(`no user task ${id}`);
  return node;
};

const withReview = (actions: unknown): ProcessDefinitionInput => {
  const definition = structuredClone(actionsDefinition);
  definition.nodes = definition.nodes.map((node) => (node.id === 'review' ? { ...node, actions } : node)) as ProcessDefinitionInput['nodes'];
  return definition;
};

describe('task action defaults', () => {
  it('an ordinary task allows every action, to anyone', () => {
    expect(taskActions(userTask(actionsDefinition, 'review'))).toEqual({
      transfer: 'anyone',
      addSigner: 'anyone',
      sendBack: { to: 'earlier', requester: true },
      withdraw: true,
      urge: true,
      copy: true,
      comment: true,
    });
  });

  it('BOR-6 BOR-4 DES-3 policy-bound approvals transfer and add signers only among their eligible candidates', () => {
    const secret = borrowingProcesses.find((d) => d.key.endsWith('.secret'))!;
    const confidential = borrowingProcesses.find((d) => d.key.endsWith('.confidential'))!;
    for (const node of [userTask(secret, 'approval'), userTask(confidential, 'approval'), userTask(destructionDefinition, 'gmApproval')]) {
      expect(taskActions(node)).toMatchObject({ transfer: 'candidates', addSigner: 'candidates' });
    }
    // The Office Director's review (DES-2) is not one of them.
    expect(taskActions(userTask(destructionDefinition, 'officeReview'))).toMatchObject({ transfer: 'anyone', addSigner: 'anyone' });
  });

  it('a vote (会签, such as the supervisors confirming a destruction) allows no transfer, added signer or send-back: they would change who votes', () => {
    expect(taskActions(userTask(destructionDefinition, 'supervise'))).toMatchObject({ transfer: 'never', addSigner: 'never', sendBack: false, comment: true });
    expect(taskActions(userTask(votingDefinition('test.vote', 'parallel', 'all'), 'vote'))).toMatchObject({ transfer: 'never', sendBack: false });
  });

  it('what a task says overrides the defaults', () => {
    expect(taskActions(userTask(withReview({ transfer: 'candidates', sendBack: { requester: false }, urge: false }), 'review'))).toMatchObject({
      transfer: 'candidates',
      addSigner: 'anyone',
      sendBack: { to: 'earlier', requester: false },
      urge: false,
    });
  });

  it('a definition published before the actions parses and checksums as it did: no defaults are written into it', () => {
    const parsed = definitionSchema.parse(structuredClone(destructionDefinition));
    expect(parsed.nodes.some((node) => 'actions' in node)).toBe(false);
    expect('resubmit' in parsed).toBe(false);
  });
});

describe('task action registration', () => {
  it('refuses a send-back to a node that is not an earlier user task', () => {
    expect(() => validateDefinition(withReview({ sendBack: { to: ['approval'] } }), { services: serviceSpecs })).toThrow(/"approval" is not a user task before "review"/);
    expect(() => validateDefinition(withReview({ sendBack: { to: ['start'] } }), { services: serviceSpecs })).toThrow(/"start" is not a user task before "review"/);
    const definition = structuredClone(actionsDefinition);
    definition.nodes = definition.nodes.map((node) => (node.id === 'approval' ? { ...node, actions: { sendBack: { to: ['review'] } } } : node)) as ProcessDefinitionInput['nodes'];
    expect(() => validateDefinition(definition, { services: serviceSpecs })).not.toThrow();
  });

  it('refuses a transfer on a vote, an unknown action and a resubmission of a field that is not an input', () => {
    const vote = votingDefinition('test.vote', 'parallel', 'all');
    vote.nodes = vote.nodes.map((node) => (node.id === 'vote' ? { ...node, actions: { transfer: 'anyone' } } : node)) as ProcessDefinitionInput['nodes'];
    expect(() => validateDefinition(vote, { services: serviceSpecs })).toThrow(/multi-instance task allows no transfer/);
    expect(() => validateDefinition(withReview({ delegate: true }), { services: serviceSpecs })).toThrow();
    expect(() => validateDefinition(withReview({ transfer: 'everyone' }), { services: serviceSpecs })).toThrow();
    expect(() => validateDefinition({ ...structuredClone(actionsDefinition), resubmit: { fields: ['documentId'] } }, { services: serviceSpecs })).toThrow(/"documentId" is not an input field/);
  });
});

describe('mentions', () => {
  it('are @user-id, each once, not inside an e-mail address', () => {
    expect(mentionsIn('@gm please see, and @finance-director too; cc @gm. mail a@b.com')).toEqual(['gm', 'finance-director']);
    expect(mentionsIn('no one')).toEqual([]);
  });
});
