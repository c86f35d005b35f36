// What a service-task handler receives and returns; the catalogue (areas/catalogue.ts) gathers one
// handler per allow-listed service.
import type { Client } from '@temporalio/client';
import type { Sql } from '../../platform/db/client.ts';
import type { ServiceSpec } from '../definition/service-spec.ts';
import type { ServiceSpecs } from '../definition/services.ts';

export interface ServiceDeps {
  sql: Sql;
  /** For services that tell other process instances something (delegations). */
  client: Client;
  /** Where service tasks write backups (BACKUP_DIR; data/backups when absent). */
  backupDir?: string | undefined;
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

/** The allow-list with its handlers, as the catalogue gives them to the engine's activities. */
export interface ServiceRegistry {
  specs: ServiceSpecs;
  handlers: Readonly<Record<string, ServiceHandler>>;
}
