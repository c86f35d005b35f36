// The handlers of the customer archive's service tasks (service-task-specs.ts).
import type { ServiceDeps, ServiceHandlers } from '../../engine/activities/services.ts';
import { backupCustomerArchive, checkUpkeep, grantView, refuseView, remindIncomplete } from './service.ts';
import type { customerArchiveServices } from './service-task-specs.ts';

export function customerArchiveServiceHandlers({ sql, backupDir }: ServiceDeps): ServiceHandlers<typeof customerArchiveServices> {
  return {
    async grantCustomerView(input, { at }) {
      const grant = await grantView(sql, String(input.grantId), at);
      return { granted: grant?.status === 'granted' };
    },
    async refuseCustomerView(input) {
      const grant = await refuseView(sql, String(input.grantId));
      return { refused: grant?.status === 'refused' };
    },
    async checkCardUpkeep(_input, { at }) {
      return checkUpkeep(sql, at);
    },
    async backupCustomerArchive(_input, { at }) {
      return backupCustomerArchive(sql, backupDir ?? 'data/backups', at);
    },
    async remindIncompleteCards(_input, { key, processId, at }) {
      return remindIncomplete(sql, key, processId, at);
    },
  };
}
