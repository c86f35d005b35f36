// The access matrix's fixtures (tests/api/access-matrix.test.ts): each area creates real records
// and says, for each of its routes, how to call it on them (path, body) and the record its
// permission decides on. A new area adds its file here and one line in index.ts
// (docs/adding-a-policy.md, "Access").
import type { Sql } from '../../platform/db/client.ts';
import type { EngineApiSuite, RequestOptions } from '../support/api-suite.ts';

/** One call of a route: the path with real ids, its body, and what its permission reads. */
export interface Probe extends Pick<RequestOptions, 'json' | 'file' | 'headers'> {
  path: string;
  record?: unknown;
}

export interface FixtureContext {
  api: EngineApiSuite;
  sql: Sql;
  /** Waits for an open task of a process (at `nodeId`, or any) and returns its id. */
  openTask(processId: string, nodeId?: string): Promise<string>;
  /** Who is a candidate, delegate or decider of one of the instance's tasks. */
  participants(processId: string): Promise<string[]>;
}

/** An area's probes, by route key (`METHOD /path`, platform/access.ts routeKey). */
export interface AccessFixture {
  area: string;
  probes(context: FixtureContext): Promise<Record<string, Probe>>;
}

/** The body of a reply that set up a record; the reply itself in the error when it did not. */
export function made(reply: { status: number; text: string; body: any }): any { // eslint-disable-line @typescript-eslint/no-explicit-any -- each fixture reads the fields it needs
  if (reply.status >= 300) throw new Error(`a fixture's record was not made: ${reply.status} ${reply.text}`);
  return reply.body;
}
