// The handlers behind the serviceTask allow-list (domain/process/services.ts), one per name.
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client.ts';
import type { ServiceSpec } from '../domain/services/spec.ts';
import { borrowingServiceHandlers } from './borrowing.ts';
import { coreServiceHandlers } from './core-services.ts';
import { customerServiceHandlers } from './customers.ts';
import { delegationServiceHandlers } from './delegation.ts';
import { destructionServiceHandlers } from './destruction.ts';

export interface ServiceDeps {
  sql: Sql;
  /** For services that tell other process instances something (delegations). */
  client: Client;
}

export interface ServiceContext {
  processId: string;
  /** Workflow id + step: a retried call must not write twice. */
  key: string;
  at: number;
}

export type ServiceHandler = (input: Record<string, unknown>, context: ServiceContext) => Promise<Record<string, unknown>>;

/** A handler for every service a spec map names, and no other. */
export type ServiceHandlers<Specs extends Record<string, ServiceSpec>> = { [Name in keyof Specs]: ServiceHandler };

export function createServiceHandlers(deps: ServiceDeps) {
  return { ...coreServiceHandlers(deps), ...delegationServiceHandlers(deps), ...borrowingServiceHandlers(deps), ...destructionServiceHandlers(deps), ...customerServiceHandlers(deps) };
}
