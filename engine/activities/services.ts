// The handlers behind the serviceTask allow-list (domain/process/services.ts), one per name.
import type { Client } from '@temporalio/client';
import type { Sql } from '../../platform/db/client.ts';
import type { ServiceSpec } from '../definition/service-spec.ts';
import { borrowingServiceHandlers } from '../../areas/borrowing/service-tasks.ts';
import { coreServiceHandlers } from '../services/core.ts';
import { customerServiceHandlers } from '../../areas/customers/service-tasks.ts';
import { delegationServiceHandlers } from '../../areas/delegation/service-tasks.ts';
import { destructionServiceHandlers } from '../../areas/destruction/service-tasks.ts';

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
