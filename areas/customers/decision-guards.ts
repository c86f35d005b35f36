// The checks a decision on a customer task passes before it is delivered to its process.
import type { DecisionGuard } from '../../engine/http/decision-guards.ts';
import { findUser } from '../../platform/organisation/sql.ts';
import { customerProcessKeys } from './rules.ts';
import { refuseLeaver } from './service/departures.ts';

export const customerDecisionGuards: readonly DecisionGuard[] = [
  {
    // SEC-5: an owner whose departure is filed takes on no co-developer: their Department Manager
    // answers once they have left (the task's fallback), and their customers are being reassigned.
    applies: (task) => task.process.key === customerProcessKeys.coDevelopment && task.nodeId === 'decide',
    async check(sql, _task, { actorId, outcome }) {
      if (outcome !== 'accept') return;
      const actor = await findUser(sql, actorId);
      if (actor) await refuseLeaver(sql, actor, 'accepting a co-developer');
    },
  },
];
