// The organisation's application service: who the caller is, with the powers of attorney in
// force or to come (through the delegation area's index), and the users dev login may name.
import type { Sql } from '../../platform/db/client.ts';
import { NotFound } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { findUser } from '../../platform/organisation/sql.ts';
import { delegationStatus, type Delegation, type DelegationService } from '../delegation/index.ts';

export function organisationService(deps: { sql: Sql; delegations: Pick<DelegationService, 'delegationsOfUser'> }) {
  const { sql, delegations } = deps;

  /** The powers of attorney the user holds and has given that are scheduled or in force at `now`. */
  async function delegationsInForce(user: User, now: Date): Promise<{ held: Delegation[]; given: Delegation[] }> {
    const { held, given } = await delegations.delegationsOfUser(user);
    const current = (list: Delegation[]) => list.filter((delegation) => ['scheduled', 'active'].includes(delegationStatus(delegation, now)));
    return { held: current(held), given: current(given) };
  }

  /** An active user by id, for dev login; the same 404 for an unknown and a departed one. */
  async function activeUser(userId: string): Promise<User> {
    const user = await findUser(sql, userId);
    if (!user?.active) throw new NotFound('USER_NOT_FOUND', `No active user "${userId}".`);
    return user;
  }

  return { delegationsInForce, activeUser };
}

export type OrganisationService = ReturnType<typeof organisationService>;
