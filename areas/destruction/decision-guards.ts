// The checks a decision on a destruction task passes before it is delivered to its process.
import type { DecisionGuard } from '../../engine/http/decision-guards.ts';
import { PolicyViolation } from '../../platform/errors.ts';
import { destructionProcessKey } from './rules.ts';
import { designationProblemOf } from './service.ts';

const finalSteps: readonly string[] = ['officeReview', 'gmApproval'];

export const destructionDecisionGuards: readonly DecisionGuard[] = [
  {
    // DES-5, SOD-2: the final approver names supervisors other than themself, the other approvers
    // and the Archivist; refused at once, with nothing delivered.
    applies: (task) => task.process.key === destructionProcessKey && finalSteps.includes(task.nodeId),
    async check(sql, task, { actorId, data }) {
      const named = data?.supervisorIds;
      const supervisorIds = Array.isArray(named) ? named.filter((id): id is string => typeof id === 'string') : [];
      const problem = await designationProblemOf(sql, task.process.businessKey ?? '', task.nodeId as 'officeReview' | 'gmApproval', actorId, supervisorIds);
      if (problem) throw new PolicyViolation('INVALID_DESIGNATION', problem.startsWith('SOD-2') ? 'SOD-2' : 'DES-5', problem, [{ path: 'data.supervisorIds', message: problem }]);
    },
  },
];
