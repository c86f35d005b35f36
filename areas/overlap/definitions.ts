// The adjudication of an overlapping customer 重叠客户的界定 (OVL-1..3, OVL-7), as a process.
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { adjudicationProcessKey } from './rules.ts';

const daily = [{ after: 'duration("P1D")', every: 'duration("P1D")' }];

/**
 * OVL-1: 由公司客户界定小组予以界定. The system computes each party's evidence and suggested score;
 * OVL-2: each party's Department Manager reviews and signs its submission (部门经理审核签字); the
 * committee (OVL-3) scores every party, each member on a form pre-filled with the suggestions
 * (a changed score needs a reason, checked before the decision reaches the process); the average
 * decides (取平均分数,客户界定给最高分数者); [interpretation] a tie goes to the GM.
 */
export const adjudicationDefinition: ProcessDefinitionInput = {
  key: adjudicationProcessKey,
  version: 1,
  name: { en: 'Overlapping customer adjudication', zh: '重叠客户界定' },
  description: 'OVL-1..3, OVL-7: started by a claim on a customer someone else holds, or by a dispute a Department Manager or the Marketing Director raises.',
  input: { adjudicationId: { type: 'string', maxLength: 200 }, customerId: { type: 'string', maxLength: 200 } },
  businessKey: 'adjudicationId',
  customer: 'customerId',
  nodes: [
    { id: 'start', type: 'startEvent', next: 'prepare' },
    { id: 'prepare', type: 'serviceTask', ruleId: 'OVL-1', activity: 'prepareAdjudication', input: { adjudicationId: 'adjudicationId' }, next: 'sign' },
    {
      id: 'sign',
      type: 'userTask',
      ruleId: 'OVL-2',
      name: { en: "Review and sign the party's submission (its Department Manager)", zh: '部门经理审核签字' },
      candidates: { anyOf: [{ role: 'department_manager', department: 'party.departmentId' }], fallback: { anyOf: [{ role: 'deputy_gm_in_charge', department: 'party.departmentId' }] } },
      multiInstance: { mode: 'parallel', items: 'prepare.parties', as: 'party', completion: 'all' },
      initiatorMayDecide: true,
      form: { note: { type: 'string', required: false, maxLength: 2000 } },
      reminders: daily,
      outcomes: ['signed'],
      next: 'recordSignatures',
    },
    {
      id: 'recordSignatures',
      type: 'serviceTask',
      ruleId: 'OVL-2',
      activity: 'signSubmissions',
      input: { adjudicationId: 'adjudicationId', signatures: 'for i in sign.items return {party: i.item.key, by: i.decidedBy, note: get value(i.data, "note")}' },
      next: 'score',
    },
    {
      id: 'score',
      type: 'userTask',
      ruleId: 'OVL-3',
      name: { en: 'Score every party (committee member)', zh: '客户界定小组成员打分' },
      candidates: { anyOf: [{ user: 'member.userId' }] },
      multiInstance: { mode: 'parallel', items: 'prepare.members', as: 'member', completion: 'all' },
      initiatorMayDecide: true,
      form: {
        scores: {
          type: 'recordList',
          minItems: 1,
          maxItems: 20,
          fields: { party: { type: 'string', maxLength: 200 }, score: { type: 'number', min: 0, max: 100 }, reason: { type: 'string', required: false, maxLength: 2000 } },
        },
      },
      reminders: daily,
      outcomes: ['scored'],
      next: 'tally',
    },
    {
      id: 'tally',
      type: 'serviceTask',
      ruleId: 'OVL-2',
      activity: 'tallyAdjudication',
      input: {
        adjudicationId: 'adjudicationId',
        // optional form fields may be absent: get value gives null for them
        scores: 'flatten(for i in score.items return for s in i.data.scores return {memberId: i.decidedBy, party: s.party, score: s.score, reason: get value(s, "reason")})',
      },
      next: 'tied',
    },
    { id: 'tied', type: 'exclusiveGateway', ruleId: 'OVL-2', branches: [{ when: 'tally.tie', to: 'tieBreak' }], default: 'settle' },
    {
      id: 'tieBreak',
      type: 'userTask',
      ruleId: 'OVL-2',
      name: { en: 'The averages are tied: decide between the tied parties (GM)', zh: '平均分相同：总经理决定' },
      candidates: { anyOf: [{ role: 'gm' }] },
      initiatorMayDecide: true,
      form: { party: { type: 'string', maxLength: 200 } },
      reminders: daily,
      outcomes: ['decided'],
      next: 'settleTie',
    },
    { id: 'settle', type: 'serviceTask', ruleId: 'OVL-2', activity: 'settleAdjudication', input: { adjudicationId: 'adjudicationId', winner: 'tally.leader' }, next: 'decided' },
    {
      id: 'settleTie',
      type: 'serviceTask',
      ruleId: 'OVL-2',
      activity: 'settleAdjudication',
      input: { adjudicationId: 'adjudicationId', winner: 'tieBreak.data.party', tieBrokenBy: 'tieBreak.decidedBy' },
      next: 'decided',
    },
    { id: 'decided', type: 'endEvent', status: 'decided' },
  ],
};

export const overlapProcesses: ProcessDefinitionInput[] = [adjudicationDefinition];
