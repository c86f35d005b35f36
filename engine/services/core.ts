import type { coreServices } from './core-specs.ts';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import type { ServiceDeps, ServiceHandlers } from '../activities/services.ts';

export function coreServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof coreServices> {
  return {
    async notify(input, { processId, key, at }) {
      await insertNotices(sql, { key, processId, userIds: input.userIds as string[], kind: 'process.notice', text: String(input.text), at });
      return {};
    },
    async recordEvent(input, { processId, key, at }) {
      await insertAudit(sql, [{ key, at, processId, event: String(input.event), ruleId: (input.ruleId as string | undefined) ?? null, detail: { note: input.note ?? null } }]);
      return {};
    },
  };
}
