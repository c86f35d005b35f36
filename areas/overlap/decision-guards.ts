// The checks a decision on an adjudication task passes before it is delivered to its process: a
// committee member's scores (OVL-2: a changed score needs a reason) and the GM's choice on a tie.
import type { DecisionGuard } from '../../engine/http/decision-guards.ts';
import { PolicyViolation } from '../../platform/errors.ts';
import { adjudicationProcessKey, checkScores, verdict, type MemberScore } from './rules.ts';
import { adjudicationByProcess, suggestionsOf } from './service.ts';

const isAdjudication = (key: string) => key === adjudicationProcessKey;

export const overlapDecisionGuards: readonly DecisionGuard[] = [
  {
    applies: (task) => isAdjudication(task.process.key) && task.nodeId === 'score',
    async check(sql, task, decision) {
      const record = await adjudicationByProcess(sql, task.processId);
      if (!record) return;
      const scores = decision.data?.scores;
      // The form's own check (INVALID_TASK_DATA) answers for data that is not a list of records.
      if (!Array.isArray(scores)) return;
      checkScores(scores as MemberScore[], suggestionsOf(record));
    },
  },
  {
    // [interpretation] OVL-2 a tie goes to the GM, who chooses among the tied parties only.
    applies: (task) => isAdjudication(task.process.key) && task.nodeId === 'tieBreak',
    async check(sql, task, decision) {
      const record = await adjudicationByProcess(sql, task.processId);
      if (!record) return;
      const { leaders } = verdict(record.parties.map((p) => ({ party: p.key, score: p.averageScore ?? 0 })));
      const party = decision.data?.party;
      if (typeof party === 'string' && !leaders.includes(party)) {
        throw new PolicyViolation('NOT_A_TIED_PARTY', 'OVL-2', `The tie is between ${leaders.join(' and ')}.`, [{ path: 'party', message: `one of ${leaders.join(', ')}` }]);
      }
    },
  },
];
