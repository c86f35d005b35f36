// Every activity the worker registers.
import { createEngineActivities } from './engine.ts';
import type { ServiceDeps } from './services.ts';

export function createActivities(deps: ServiceDeps) {
  return { ...createEngineActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
