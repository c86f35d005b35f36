// The registry of published process definitions: immutable per key@version.
import type { ServiceSpecs } from '../definition/services.ts';
import { createHash } from 'node:crypto';
import { StateConflict } from '../../platform/errors.ts';
import type { ProcessDefinition } from '../definition/definition.ts';
import { definitionRef } from '../definition/graph.ts';
import { validateDefinition } from '../definition/validate.ts';
import type { Queryable, Sql } from '../../platform/db/client.ts';

/** A stable JSON form: the same definition always hashes the same, whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function definitionChecksum(definition: ProcessDefinition): string {
  return createHash('sha256').update(canonical(definition)).digest('hex');
}

export interface PublishResult {
  definition: ProcessDefinition;
  created: boolean;
}

/**
 * Validates and publishes a definition. Publishing the same definition again is a no-op;
 * a different definition under a published key@version is refused.
 */
export async function publishDefinition(sql: Sql, input: unknown, services: ServiceSpecs): Promise<PublishResult> {
  const published = new Set((await sql<{ ref: string }[]>`select key || '@' || version as ref from process_definitions`).map((r) => r.ref));
  const definition = validateDefinition(input, { services, isPublished: (ref) => published.has(ref) });
  const checksum = definitionChecksum(definition);
  const [inserted] = await sql<{ key: string }[]>`
    insert into process_definitions (key, version, checksum, definition)
    values (${definition.key}, ${definition.version}, ${checksum}, ${sql.json(definition as never)})
    on conflict (key, version) do nothing
    returning key`;
  if (inserted) return { definition, created: true };
  const [existing] = await sql<{ checksum: string }[]>`select checksum from process_definitions where key = ${definition.key} and version = ${definition.version}`;
  if (existing?.checksum !== checksum) {
    throw new StateConflict('DEFINITION_VERSION_EXISTS', `${definitionRef(definition)} is published with different content; publish it as a new version`);
  }
  return { definition, created: false };
}

export async function findDefinition(sql: Sql, key: string, version: number): Promise<ProcessDefinition | undefined> {
  const [row] = await sql<{ definition: ProcessDefinition }[]>`select definition from process_definitions where key = ${key} and version = ${version}`;
  return row?.definition;
}

export async function latestDefinition(sql: Queryable, key: string): Promise<ProcessDefinition | undefined> {
  const [row] = await sql<{ definition: ProcessDefinition }[]>`select definition from process_definitions where key = ${key} order by version desc limit 1`;
  return row?.definition;
}

export async function listDefinitions(sql: Sql): Promise<{ key: string; version: number; name: { en: string; zh: string }; powerOfAttorney: boolean; publishedAt: Date }[]> {
  const rows = await sql<{ key: string; version: number; definition: ProcessDefinition; published_at: Date }[]>`
    select key, version, definition, published_at from process_definitions order by key, version`;
  return rows.map((row) => ({ key: row.key, version: row.version, name: row.definition.name, powerOfAttorney: row.definition.powerOfAttorney ?? false, publishedAt: row.published_at }));
}

/** The definitions a definition's callActivity nodes start, transitively, pinned for a new instance. */
export async function definitionLibrary(sql: Sql, root: ProcessDefinition): Promise<Record<string, ProcessDefinition>> {
  const library: Record<string, ProcessDefinition> = {};
  const pending = [root];
  while (pending.length) {
    for (const node of pending.pop()!.nodes) {
      if (node.type !== 'callActivity') continue;
      const ref = definitionRef(node.process);
      if (library[ref]) continue;
      const called = await findDefinition(sql, node.process.key, node.process.version);
      if (!called) throw new Error(`${ref} is not published`);
      library[ref] = called;
      pending.push(called);
    }
  }
  return library;
}
