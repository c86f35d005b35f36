import type { ProcessDefinition } from './definition.ts';

/** An instance's variables at start: its input, who started it, and which process it is. */
export function initialVariables(start: {
  processId: string;
  definition: ProcessDefinition;
  initiator: { id: string; departmentId: string };
  variables: Record<string, unknown>;
  parentId?: string;
}): Record<string, unknown> {
  return {
    ...start.variables,
    initiator: start.initiator,
    process: { id: start.processId, key: start.definition.key, version: start.definition.version, parentId: start.parentId ?? null },
  };
}
