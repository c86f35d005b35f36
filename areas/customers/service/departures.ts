// The application service of departures (SEC-5): a salesperson leaves, the Department Manager
// reassigns their customers within the department, and the leaver's account closes once none is
// left; until then the leaver takes on no customers.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../../platform/errors.ts';
import type { User } from '../../../platform/organisation/model.ts';
import { findUser } from '../../../platform/organisation/sql.ts';
import { completeTask } from '../../../engine/client.ts';
import { enqueueStart } from '../../../engine/sql/outbox.ts';
import { openTasksOf } from '../../../engine/sql/tasks.ts';
import { departureNodes } from '../definitions.ts';
import { closeDeparture, customersOwnedBy, findDeparture, insertDeparture, openDepartureOf, type Customer, type Departure } from '../sql.ts';
import { customerProcessKeys, departureProcessId, isSalesperson, managesDepartment, mayReportDeparture, mayViewDeparture, reassignmentForm, type Reassignment } from '../rules.ts';
import { changeOwner, handOverProblemsNow, type CustomerDeps } from './customers.ts';

/** SEC-5: a salesperson who is leaving takes on no customers. */
export async function refuseLeaver(sql: Sql, person: User, action: string): Promise<void> {
  if (await openDepartureOf(sql, person.id)) {
    throw new Forbidden('SALESPERSON_LEAVING', `${person.id} is leaving: ${action} is refused while their customers are reassigned.`, 'SEC-5');
  }
}

export interface DepartureView {
  departure: Departure;
  /** The customers the leaver still holds. */
  customers: (Customer & { protectionEndsAt: Date | null })[];
  /** The Department Manager's open reassignment task, if any. */
  reassignmentTaskId: string | null;
}

async function reassignmentTask(sql: Sql, departure: Departure) {
  return (await openTasksOf(sql, departure.processId)).find((task) => task.nodeId === departureNodes.reassign);
}

export async function departureView(sql: Sql, departure: Departure): Promise<DepartureView> {
  const [customers, task] = await Promise.all([customersOwnedBy(sql, departure.userId), reassignmentTask(sql, departure)]);
  return { departure, customers, reassignmentTaskId: task?.id ?? null };
}

/** A departure the user may see, or 404. */
export async function visibleDeparture(sql: Sql, user: User, departureId: string): Promise<Departure> {
  const departure = await findDeparture(sql, departureId);
  if (!departure || !mayViewDeparture(user, departure)) throw new NotFound('DEPARTURE_NOT_FOUND', `No departure ${departureId}.`);
  return departure;
}

/**
 * SEC-5: HR or the leaver's Department Manager reports a salesperson leaving: the departure and
 * the start of its process are committed together. The departure already under way when there is
 * one (`created` false).
 */
export async function reportDeparture({ sql, outbox }: CustomerDeps, user: User, leaverId: string, note: string | undefined): Promise<DepartureView & { created: boolean }> {
  const leaver = await findUser(sql, leaverId);
  if (!leaver) throw new NotFound('USER_NOT_FOUND', `No user ${leaverId}.`);
  if (!mayReportDeparture(user, leaver.departmentId)) {
    throw new Forbidden('DEPARTURE_NOT_ALLOWED', `A departure is reported by HR or the Department Manager of ${leaver.departmentId}.`, 'SEC-5');
  }
  const open = await openDepartureOf(sql, leaver.id);
  if (open) return { ...(await departureView(sql, open)), created: false };
  if (!isSalesperson(leaver)) throw new PolicyViolation('NOT_A_SALESPERSON', 'SEC-5', `${leaver.id} is not a salesperson: there are no customers to reassign.`);
  if (!leaver.active) throw new StateConflict('USER_INACTIVE', `${leaver.id} has left already.`);
  const departureId = randomUUID();
  const departure = await sql.begin(async (tx) => {
    const inserted = await insertDeparture(tx, {
      id: departureId,
      userId: leaver.id,
      departmentId: leaver.departmentId,
      reportedBy: user.id,
      note: note ?? null,
      processId: departureProcessId(departureId),
    });
    await enqueueStart(tx, {
      key: customerProcessKeys.departure,
      processId: inserted.processId,
      // SEC-5: the leaver is the initiator, whom the engine never makes a candidate.
      initiator: { id: leaver.id, departmentId: leaver.departmentId },
      variables: { departureId, departmentId: leaver.departmentId, reportedBy: user.id },
    });
    return inserted;
  });
  await outbox.deliver([departure.processId]);
  return { ...(await departureView(sql, departure)), created: true };
}

/**
 * SEC-5: the Department Manager decides the reassignment task. Checked before the task is decided:
 * each customer named once, still the leaver's, and each salesperson an active salesperson of the
 * department who is not leaving (422 naming each problem). The departure as it is afterwards.
 */
export async function reassignCustomers({ sql, engine }: CustomerDeps, user: User, departureId: string, assignments: readonly Reassignment[]): Promise<DepartureView> {
  const departure = await visibleDeparture(sql, user, departureId);
  if (departure.userId === user.id) {
    throw new Forbidden('LEAVER_MAY_NOT_TRANSFER', 'A salesperson who is leaving may not hand customers over themselves: the Department Manager reassigns them.', 'SEC-5');
  }
  // ACC-1: who is not the reassigning Department Manager is refused before learning the departure's state.
  if (!managesDepartment(user, departure.departmentId)) {
    throw new Forbidden('NOT_A_CANDIDATE', `${user.id} may not decide the reassignment of ${departure.userId}'s customers.`, 'SEC-5');
  }
  if (departure.status === 'completed') throw new StateConflict('DEPARTURE_COMPLETED', `Every customer of ${departure.userId} is reassigned.`);
  const task = await reassignmentTask(sql, departure);
  if (!task) throw new StateConflict('REASSIGNMENT_NOT_OPEN', 'The reassignment task is not open just now; look at the departure again.');
  if (!task.candidateIds.includes(user.id) && !task.delegateIds.includes(user.id)) {
    throw new Forbidden('NOT_A_CANDIDATE', `${user.id} may not decide the reassignment of ${departure.userId}'s customers.`);
  }
  const leaver = { id: departure.userId, departmentId: departure.departmentId };
  const errors: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const [index, pair] of assignments.entries()) {
    if (seen.has(pair.customerId)) errors.push({ path: `assignments.${index}.customerId`, message: 'the customer is named twice' });
    seen.add(pair.customerId);
    for (const message of await handOverProblemsNow(sql, leaver, pair)) errors.push({ path: `assignments.${index}`, message });
  }
  if (errors.length > 0) throw new PolicyViolation('REASSIGNMENT_REFUSED', 'SEC-5', 'Some customers cannot go where the reassignment sends them.', errors);
  // The form as the instance's definition version reads it (records since version 2).
  await completeTask(engine, departure.processId, { taskId: task.id, actorId: user.id, outcome: 'reassign', data: reassignmentForm(task.process.version, assignments) });
  return departureView(sql, (await findDeparture(sql, departure.id))!);
}

// ------------------------------------------------------------------ the process's steps

/**
 * SEC-5: hands the leaver's customers to the salespeople named, each pair that may go ahead (the
 * others are skipped: the task opens again for what is left); how many the leaver still holds.
 */
export async function applyReassignment(sql: Sql, departureId: string, pairs: readonly Reassignment[], decision: { decidedBy: string | null; key: string; at: Date }): Promise<{ remaining: number } | undefined> {
  const departure = await findDeparture(sql, departureId);
  if (!departure) return undefined;
  const leaver = { id: departure.userId, departmentId: departure.departmentId };
  for (const [index, pair] of pairs.entries()) {
    if ((await handOverProblemsNow(sql, leaver, pair)).length > 0) continue;
    await changeOwner(sql, {
      customerId: pair.customerId,
      fromOwnerId: leaver.id,
      toOwnerId: pair.salespersonId,
      reason: 'reassigned',
      actorId: decision.decidedBy,
      at: decision.at,
      key: `${decision.key}:${index}`,
    });
  }
  return { remaining: (await customersOwnedBy(sql, leaver.id)).length };
}

/** SEC-5: every customer is reassigned: the departure is complete, and the leaver's account closes. */
export async function completeDeparture(sql: Sql, departureId: string, at: Date): Promise<void> {
  await sql.begin((tx) => closeDeparture(tx, departureId, at));
}
