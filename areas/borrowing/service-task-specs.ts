// The service tasks of the borrowing processes (BOR-1..8): each changes a borrow request's
// status in the register, with its audit row, in one transaction.
import { borrowDecisions, returnConditions } from './rules.ts';
import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

const requestId = { type: 'string', required: true, maxLength: 100 } as const;

export const borrowingServices = {
  setBorrowDecision: {
    description: 'Record that a pending borrow request was approved (or needed no approval, BOR-1) or was rejected.',
    input: {
      requestId,
      status: { type: 'enum', required: true, values: [...borrowDecisions] },
      ruleId: { type: 'string', required: true, maxLength: 20 },
    },
    result: {},
  },
  handOverDocument: {
    description:
      'The Archivist hands the document over: the request goes on loan (or in reading) and the document leaves the shelf, ' +
      'in one transaction, unless someone else holds it (one document, one holder) or, for a reading, the archive room has closed (BOR-4).',
    input: { requestId, archivistId: { type: 'string', required: true, maxLength: 100 } },
    result: {
      handedOver: { type: 'boolean', required: true },
      /** When it is due back (ISO 8601); null unless handed over. */
      dueAt: { type: 'dateTime', required: false },
      /** Why not: `unavailable` (someone else holds it) or `closed` (the archive room has closed for the day); null when handed over. */
      reason: { type: 'enum', required: false, values: ['unavailable', 'closed'] },
    },
  },
  resumeImportedLoan: {
    description: 'Issue 21.2: a loan imported from the archive register, as the register recorded it: when it is due back, and whether it is already overdue. Reads only.',
    input: { requestId },
    result: {
      dueAt: { type: 'dateTime', required: true },
      overdue: { type: 'boolean', required: true },
    },
  },
  markBorrowOverdue: {
    description: 'The due time passed without a return: the request is overdue and must be recovered.',
    input: { requestId },
    result: {},
  },
  recordBorrowReturn: {
    description: 'The Archivist took the document back and checked it (BOR-8): the request is returned and the document back on the shelf, unless lost.',
    input: {
      requestId,
      condition: { type: 'enum', required: true, values: [...returnConditions] },
      note: { type: 'string', required: true, maxLength: 2_000 },
    },
    result: { intact: { type: 'boolean', required: true } },
  },
  cancelBorrowRequest: {
    description: 'The requester withdrew the request before the hand-over (the instance was cancelled): the request is cancelled, with who did it and why.',
    input: {
      requestId,
      actorId: { type: 'string', required: true, maxLength: 100 },
      reason: { type: 'string', required: true, maxLength: 2_000 },
    },
    result: {},
  },
  openIncident: {
    description: 'BOR-8: a document came back damaged, incomplete or not at all: an incident against the borrower, reported to the Office Director.',
    input: { requestId },
    result: { incidentId: { type: 'string', required: true, maxLength: 200 } },
  },
} satisfies Record<string, ServiceSpec>;
