// The penalties ledger (CUS-2, with the fines of CUS-5, SEC-4, OVL-5, REG-1 and REG-2). Other
// areas propose fines inside their own transactions with proposePenalty.
import type { Area } from '../area.ts';
import { penaltyRoutes } from './routes.ts';
import { penaltiesAccess } from './access.ts';

export { proposePenalty, type PenaltyProposal } from './service.ts';
export { penaltyKinds, type PenaltyKindId } from './rules.ts';

export const penaltiesArea: Area = {
  name: 'penalties',
  routes: (deps) => [penaltyRoutes(deps)],
  access: penaltiesAccess,
};
