// The handlers of the campaign and hand-over services (service-task-specs.ts): each is a step of
// the application service (service.ts), keyed so a retried step writes once.
import type { ServiceDeps, ServiceHandlers } from '../../engine/activities/services.ts';
import type { ItemVerdict } from './rules.ts';
import { beginHandOverRun, closeCampaignRun, openCampaignRun, recordListRun, registerCheckRun } from './service.ts';
import type { campaignServices } from './service-task-specs.ts';
import type { NewItem } from './sql.ts';

/** Optional form fields arrive absent or null; the tables keep null. */
const orNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function listedItem(record: Record<string, unknown>): NewItem {
  return {
    title: String(record.title),
    category: String(record.category),
    secrecy: record.secrecy as NewItem['secrecy'],
    original: record.original === true,
    quantity: Number(record.quantity),
    unit: record.unit as NewItem['unit'],
    volume: orNull(record.volume),
    heldOriginalId: orNull(record.heldOriginalId),
  };
}

export function campaignServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof campaignServices> {
  return {
    async openCampaign(input, { processId, at }) {
      return openCampaignRun(sql, { processId, departments: input.departments as { id: string }[], openedBy: String(input.openedBy), at });
    },

    async beginHandOver(input, { processId }) {
      return beginHandOverRun(sql, { handOverId: String(input.handOverId), processId });
    },

    async recordHandOverList(input, { at }) {
      const items = (input.items as Record<string, unknown>[]).map(listedItem);
      return { items: await recordListRun(sql, { handOverId: String(input.handOverId), items, submittedBy: String(input.submittedBy), at }) };
    },

    async registerHandOverCheck(input, { at }) {
      const result = await registerCheckRun(sql, { handOverId: String(input.handOverId), verdicts: input.verdicts as ItemVerdict[], checkedBy: String(input.checkedBy), at });
      return result.valid ? { valid: true, problem: '', accepted: result.accepted, returned: result.returned } : { valid: false, problem: result.problem, accepted: 0, returned: 0 };
    },

    async closeCampaign(input, { at }) {
      await closeCampaignRun(sql, String(input.campaignId), at);
      return {};
    },
  };
}
