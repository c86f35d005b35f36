// Checks a decision passes before it is delivered to its process: where the process could only
// find out after accepting the decision that it cannot be carried out, and the person deciding
// should be told at once, with nothing changed. The process still checks for itself (the
// database guards the race between two decisions that both pass here).
import { requestedDocument } from '../../areas/borrowing/sql.ts';
import type { Sql } from '../../platform/db/client.ts';
import type { Task } from '../sql/tasks.ts';
import { borrowProcessKeys } from '../../areas/borrowing/rules.ts';
import { StateConflict } from '../../platform/errors.ts';

interface DecisionGuard {
  applies(task: Task): boolean;
  check(sql: Sql, task: Task): Promise<void>;
}

const borrowingKeys: readonly string[] = Object.values(borrowProcessKeys);

const guards: DecisionGuard[] = [
  {
    // One document, one holder: a document already handed to someone else (or pending destruction)
    // cannot be handed over; the request waits for it (ARC-2).
    applies: (task) => task.nodeId === 'handOver' && borrowingKeys.includes(task.process.key),
    async check(sql, task) {
      const document = await requestedDocument(sql, task.processId);
      if (document && document.status !== 'in_archive') {
        throw new StateConflict(
          'DOCUMENT_UNAVAILABLE',
          `Document ${document.reference} is ${document.status.replace('_', ' ')}; hand it over once it is back in the archive. The request keeps waiting.`,
        );
      }
    },
  },
];

/**
 * Throws the refusal of the first guard the decision fails. Only for someone who may decide the
 * open task: anyone else learns nothing from a guard, and the process refuses them as it does.
 */
export async function guardDecision(sql: Sql, task: Task, actorId: string): Promise<void> {
  if (task.state !== 'open' || !(task.candidateIds.includes(actorId) || task.delegateIds.includes(actorId))) return;
  for (const guard of guards) if (guard.applies(task)) await guard.check(sql, task);
}
