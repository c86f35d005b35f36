// Every activity the worker registers.
import { createEngineActivities } from './engine.ts';
import { createNotificationActivities, type NotificationSettings } from './notifications.ts';
import type { ServiceDeps } from './services.ts';

export function createActivities(deps: ServiceDeps & { notifications?: NotificationSettings }) {
  return { ...createEngineActivities(deps), ...createNotificationActivities({ sql: deps.sql, settings: deps.notifications }) };
}

export type Activities = ReturnType<typeof createActivities>;
