// Errors domain code throws. The API maps them to HTTP status in one place (api/problem.ts).

/** A policy rule refused the action. `ruleId` cites policies.md (e.g. BOR-3). */
export class PolicyViolation extends Error {
  override name = 'PolicyViolation';
  constructor(
    readonly code: string,
    readonly ruleId: string | undefined,
    detail: string,
    /** The fields at fault, when the refusal is about submitted data. */
    readonly errors?: { path: string; message: string }[],
  ) {
    super(detail);
  }
}

/** The action conflicts with the current state (task already decided, document on loan). */
export class StateConflict extends Error {
  override name = 'StateConflict';
  constructor(
    readonly code: string,
    detail: string,
    readonly ruleId?: string,
  ) {
    super(detail);
  }
}

/** The caller may not do this. */
export class Forbidden extends Error {
  override name = 'Forbidden';
  constructor(
    readonly code: string,
    detail: string,
    readonly ruleId?: string,
  ) {
    super(detail);
  }
}

/** Nothing by that id, or nothing the caller may know exists. */
export class NotFound extends Error {
  override name = 'NotFound';
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}
