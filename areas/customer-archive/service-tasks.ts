// The handlers of the customer archive's service tasks: each input parsed and typed from its spec
// (service-task-specs.ts), then handed to the service's step.
import { typedServiceHandlers, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';
import { backupCustomerArchive, checkUpkeep, grantView, refuseView, remindIncomplete } from './service.ts';
import { customerArchiveServices } from './service-task-specs.ts';
import { carryOutDeletion, refuseDeletion } from './deletion.ts';

export function customerArchiveServiceHandlers({ sql, backupDir }: ServiceDeps): ServiceHandlers<typeof customerArchiveServices> {
  return typedServiceHandlers(customerArchiveServices, {
    grantCustomerView: async ({ grantId }, { at }) => ({ granted: (await grantView(sql, grantId, at))?.status === 'granted' }),
    refuseCustomerView: async ({ grantId }) => ({ refused: (await refuseView(sql, grantId))?.status === 'refused' }),
    deleteCustomerArchiveData: ({ deletionId, approverId }, { at }) => carryOutDeletion(sql, deletionId, approverId, at),
    refuseCustomerArchiveDeletion: ({ deletionId, approverId }, { at }) => refuseDeletion(sql, deletionId, approverId, at),
    checkCardUpkeep: (_input, { at }) => checkUpkeep(sql, at),
    remindIncompleteCards: (_input, { key, processId, at }) => remindIncomplete(sql, key, processId, at),
    backupCustomerArchive: (_input, { at }) => backupCustomerArchive(sql, backupDir ?? 'data/backups', at),
  });
}
