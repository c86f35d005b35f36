import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

const grantInput = { grantId: { type: 'string', required: true, maxLength: 200 } } as const;

export const customerArchiveServices = {
  grantCustomerView: {
    description: 'SEC-3: the viewing request was approved: the requester reads the card for the set number of days, and is told.',
    input: grantInput,
    result: { granted: { type: 'boolean', required: true } },
  },
  refuseCustomerView: {
    description: 'SEC-3: the viewing request was refused.',
    input: grantInput,
    result: { refused: { type: 'boolean', required: true } },
  },
  deleteCustomerArchiveData: {
    description: "SEC-4: the Marketing Director approved: the card is blanked by a new version (its history kept) and/or the contact records are taken out of use.",
    input: { deletionId: { type: 'string', required: true, maxLength: 200 }, approverId: { type: 'string', required: true, maxLength: 200 } },
    result: { deleted: { type: 'boolean', required: true } },
  },
  refuseCustomerArchiveDeletion: {
    description: 'SEC-4: the deletion was refused: nothing changes.',
    input: { deletionId: { type: 'string', required: true, maxLength: 200 }, approverId: { type: 'string', required: true, maxLength: 200 } },
    result: { refused: { type: 'boolean', required: true } },
  },
  checkCardUpkeep: {
    description: 'CUS-5: proposes a 20-yuan fine for each contact of an earlier day whose card was not updated that day.',
    input: {},
    result: { missed: { type: 'number', required: true, integer: true, min: 0 } },
  },
  remindIncompleteCards: {
    description: 'CUS-5: reminds the keeper of every incomplete card to complete it this month.',
    input: {},
    result: { reminded: { type: 'number', required: true, integer: true, min: 0 } },
  },
  backupCustomerArchive: {
    description: 'SEC-2: backs the customer archive up to BACKUP_DIR, with its SHA-256, restores it into a scratch database and compares every table.',
    input: {},
    result: {
      file: { type: 'string', required: true, maxLength: 2000 },
      sha256: { type: 'string', required: true, maxLength: 64 },
      verified: { type: 'boolean', required: true },
      problems: { type: 'string', required: true, maxLength: 4000 },
    },
  },
} satisfies Record<string, ServiceSpec>;
