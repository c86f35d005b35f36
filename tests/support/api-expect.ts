// Assertions on an API suite's answers: the status a call must get, or the problem+json refusal
// with its code. One place for what API tests otherwise each write again.
import { expect } from 'vitest';
import type { ApiSuite } from './api-suite.ts';

export function apiExpectations(suite: () => ApiSuite) {
  /** The call answers `status`; its JSON body. */
  async function expectStatus(status: number, userId: string, method: string, path: string, json?: unknown) {
    const reply = await suite().request(userId, method, path, json === undefined ? undefined : { json });
    expect(reply.status, `${method} ${path} as ${userId}: ${reply.text}`).toBe(status);
    return reply.body;
  }

  /** A refusal: problem+json with this status and code; its body. */
  async function expectProblem(status: number, code: string, userId: string, method: string, path: string, json?: unknown) {
    const reply = await suite().request(userId, method, path, json === undefined ? undefined : { json });
    expect(reply.status, reply.text).toBe(status);
    expect(reply.type).toContain('application/problem+json');
    expect(reply.body.code).toBe(code);
    return reply.body;
  }

  return { expectStatus, expectProblem };
}
