// Who a candidate spec names, as active user ids. The special role `deputy_gm_in_charge` is the
// Deputy GM in charge 分管 of the given department.
import { isCandidateRole, type ResolvedSpec } from '../definition/candidates.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { deputyGmInCharge, findUser, usersWithRole } from '../../platform/organisation/sql.ts';

export async function candidateUsers(sql: Queryable, spec: ResolvedSpec): Promise<string[]> {
  if ('user' in spec) {
    const user = await findUser(sql, spec.user);
    return user?.active ? [user.id] : [];
  }
  if (!isCandidateRole(spec.role)) return [];
  if (spec.role === 'deputy_gm_in_charge') {
    if (spec.department === undefined) return [];
    const deputy = await deputyGmInCharge(sql, spec.department);
    return deputy ? [deputy.id] : [];
  }
  return (await usersWithRole(sql, spec.role, spec.department)).map((user) => user.id);
}
