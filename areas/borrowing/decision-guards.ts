// The checks a decision on a borrowing task passes before it is delivered to its process.
import type { DecisionGuard } from '../../engine/http/decision-guards.ts';
import { StateConflict } from '../../platform/errors.ts';
import { borrowProcessKeys } from './rules.ts';
import { requestedDocument } from './sql.ts';

const borrowingKeys: readonly string[] = Object.values(borrowProcessKeys);

export const borrowingDecisionGuards: readonly DecisionGuard[] = [
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

