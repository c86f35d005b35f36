import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { searchAttributeNames } from '../../engine/search-attributes.ts';

// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
const { temporal } = proto;

/**
 * Registers Custodian's search attributes on a namespace if it lacks them (the time-skipping
 * test server and a bare cluster start without them; the dev server gets them as CLI flags).
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  // Only the missing ones: adding an existing attribute is an error. The Java time-skipping
  // server cannot list them (UNIMPLEMENTED) but accepts additions, so it gets all of them.
  let missing = searchAttributeNames;
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    missing = searchAttributeNames.filter((name) => !(name in (existing.customAttributes ?? {})));
  } catch (error) {
    if ((error as { code?: number }).code !== UNIMPLEMENTED) throw error;
  }
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
}

const UNIMPLEMENTED = 12;
