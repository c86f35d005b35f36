// Every activity the worker registers.
import { createEngineActivities } from './engine.ts';
import type { ServiceDeps } from './services.ts';
import { createCheckpointActivities } from './checkpoint.ts';

export function createActivities(deps: ServiceDeps & { checkpointKey?: string }) {
  return { ...createEngineActivities(deps), ...createCheckpointActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
