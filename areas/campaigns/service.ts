// The application service of archiving campaigns (CYC-1..4) and held originals (ARC-3): the only
// code of the area that opens transactions or starts processes. A process starts through the
// outbox, queued in the transaction that writes its record and delivered after the commit, so a
// transaction never waits for Temporal (local mode has one connection).
import { randomUUID } from 'node:crypto';
import { insertAudit } from '../../platform/db/audit.ts';
import type { Sql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { enqueueStart } from '../../engine/sql/outbox.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { insertDocument, requiresOriginal, type DocumentCategory } from '../archive/index.ts';
import {
  archivingDate,
  campaignDueAt,
  campaignPeriod,
  campaignProcessId,
  campaignProcessKey,
  campaignSettings,
  checkProblems,
  departmentReport,
  handOverProcessId,
  handOverProcessKey,
  itemReference,
  keepsHeldOriginals,
  managedDepartments,
  managesDepartment,
  mayOpenCampaign,
  mayOverseeCampaigns,
  reportTotals,
  scheduledCampaignKind,
  type ItemVerdict,
} from './rules.ts';
import {
  beginHandOverRow,
  campaignSummaries,
  closeCampaignRow,
  depositHeldOriginal,
  findCampaign,
  findCampaignByKey,
  findCampaignByProcess,
  findHandOver,
  findHandOverByKey,
  insertCampaign,
  insertCampaignHandOvers,
  insertHeldOriginal,
  insertUrgentHandOver,
  itemsOf,
  listCampaigns,
  listHeldOriginals,
  lockHandOver,
  markChecked,
  outstandingHeldOriginals,
  saveVerdict,
  setCheckProblem,
  submitList,
  verdictCounts,
  type Campaign,
  type HandOver,
  type HandOverItem,
  type HeldOriginal,
  type HeldOriginalRef,
  type NewItem,
} from './sql.ts';

export interface CampaignDeps {
  sql: Sql;
  outbox: ProcessOutbox;
}

const campaignNotFound = (id: string) => new NotFound('CAMPAIGN_NOT_FOUND', `No campaign ${id}.`);

// ------------------------------------------------------------------ campaigns

/**
 * CYC-1: the Archivist or the Office Director opens a campaign outside the calendar (after a
 * reorganisation, say). `created` is false for a retried request (same Idempotency-Key).
 */
export async function openCampaign(deps: CampaignDeps, user: User, request: { reason: string; idempotencyKey?: string | undefined }): Promise<{ campaign: Campaign; created: boolean }> {
  if (!mayOpenCampaign(user.roles)) throw new Forbidden('CAMPAIGN_OPENER_ONLY', 'Only the Archivist or the Office Director opens an archiving campaign.', 'CYC-1');
  const key = request.idempotencyKey ?? null;
  const earlier = key === null ? undefined : await findCampaignByKey(deps.sql, user.id, key);
  if (earlier) {
    if (earlier.period !== request.reason) throw new PolicyViolation('IDEMPOTENCY_KEY_REUSED', undefined, `This Idempotency-Key opened campaign ${earlier.id} for another reason.`);
    await deps.outbox.deliver([earlier.processId]);
    return { campaign: earlier, created: false };
  }
  const id = randomUUID();
  const at = Date.now();
  const campaign = await deps.sql.begin(async (tx) => {
    const stored = await insertCampaign(tx, {
      id,
      processId: campaignProcessId(id),
      kind: 'extraordinary',
      period: request.reason,
      openedBy: user.id,
      openedAt: new Date(at),
      dueAt: campaignDueAt(at),
      idempotencyKey: key,
    });
    if (!stored) return undefined;
    await insertAudit(tx, [{ key: `${stored.processId}:opened`, at, processId: stored.processId, event: 'campaign.opened', actorId: user.id, ruleId: 'CYC-1', detail: { campaignId: id, kind: stored.kind, reason: request.reason } }]);
    await enqueueStart(tx, { key: campaignProcessKey, processId: stored.processId, initiator: { id: user.id, departmentId: user.departmentId }, variables: {} });
    return stored;
  });
  // Two requests with one key at once: the other one stored it.
  if (!campaign) return openCampaign(deps, user, request);
  await deps.outbox.deliver([campaign.processId]);
  return { campaign, created: true };
}

export async function campaignPage(deps: CampaignDeps, user: User, page: { limit: number; after?: { openedAt: string; id: string } | undefined }) {
  if (!mayOverseeCampaigns(user.roles)) throw new Forbidden('CAMPAIGN_OVERSIGHT_ONLY', 'Campaigns are followed by the Archivist, the Office Director, the GM and the Deputy GMs.', 'CYC-2');
  return listCampaigns(deps.sql, page);
}

/** CYC-2: the campaign's report, one row per department (due, received, returned, late). */
export async function campaignReport(deps: CampaignDeps, user: User, id: string) {
  if (!mayOverseeCampaigns(user.roles)) throw campaignNotFound(id);
  const campaign = await findCampaign(deps.sql, id);
  if (!campaign) throw campaignNotFound(id);
  const now = Date.now();
  const departments = (await campaignSummaries(deps.sql, id)).map((summary) => departmentReport(summary, now));
  return { campaign, departments, totals: reportTotals(departments), at: new Date(now) };
}

// ------------------------------------------------------------------ hand-overs

/**
 * CYC-3: a Department Manager hands over urgent material at any time; the Archivist checks it as
 * in a campaign (the same process). ARC-3: a copy at Confidential or above is refused at once.
 */
export async function fileUrgentHandOver(
  deps: CampaignDeps,
  user: User,
  request: { departmentId?: string | undefined; items: readonly NewItem[]; idempotencyKey?: string | undefined },
): Promise<HandOverDetail & { created: boolean }> {
  const managed = managedDepartments(user.roles);
  const departmentId = request.departmentId ?? (managed.length === 1 ? managed[0]! : undefined);
  if (departmentId === undefined || !managesDepartment(user.roles, departmentId)) {
    throw new Forbidden('DEPARTMENT_MANAGER_ONLY', managed.length > 1 ? 'Name the department (departmentId) you hand over for.' : 'Only the Department Manager hands over a department\'s material.', 'CYC-3');
  }
  const key = request.idempotencyKey ?? null;
  const earlier = key === null ? undefined : await findHandOverByKey(deps.sql, user.id, key);
  if (earlier) {
    await deps.outbox.deliver([earlier.processId!]);
    return { ...(await handOverDetail(deps, user, earlier.id)), created: false };
  }
  const copies = request.items.flatMap((item, index) => (requiresOriginal(item.secrecy) && !item.original ? [{ path: `items.${index}.original`, message: 'must be true at this secrecy level' }] : []));
  if (copies.length) throw new PolicyViolation('ORIGINAL_REQUIRED', 'ARC-3', 'At Confidential 机密 and above the original must be deposited, not a copy.', copies);
  const outstanding = new Set((await outstandingHeldOriginals(deps.sql, departmentId)).map((entry) => entry.id));
  const unknown = request.items.flatMap((item, index) =>
    item.heldOriginalId !== null && !outstanding.has(item.heldOriginalId) ? [{ path: `items.${index}.heldOriginalId`, message: 'not an original this department holds' }] : [],
  );
  if (unknown.length) throw new PolicyViolation('UNKNOWN_HELD_ORIGINAL', 'ARC-3', 'An item names a held original the department does not hold (GET /api/v1/held-originals).', unknown);

  const id = randomUUID();
  const processId = handOverProcessId(id);
  const at = Date.now();
  await deps.sql.begin(async (tx) => {
    await insertUrgentHandOver(tx, { id, departmentId, processId, createdBy: user.id, createdAt: new Date(at), idempotencyKey: key, items: request.items });
    await insertAudit(tx, [{ key: `${processId}:filed`, at, processId, event: 'hand_over.filed', actorId: user.id, ruleId: 'CYC-3', detail: { handOverId: id, departmentId, items: request.items.length } }]);
    await enqueueStart(tx, { key: handOverProcessKey, processId, initiator: { id: user.id, departmentId: user.departmentId }, variables: { handOverId: id, departmentId, listGiven: true } });
  });
  await deps.outbox.deliver([processId]);
  return { ...(await handOverDetail(deps, user, id)), created: true };
}

export interface HandOverDetail {
  handOver: HandOver;
  items: HandOverItem[];
  /** ARC-3: the originals its department still holds. */
  outstanding: HeldOriginalRef[];
}

/** A hand-over, its items and the originals its department still holds, for its manager and those who oversee campaigns. */
export async function handOverDetail(deps: CampaignDeps, user: User, id: string): Promise<HandOverDetail> {
  const handOver = await findHandOver(deps.sql, id);
  if (!handOver || !(managesDepartment(user.roles, handOver.departmentId) || mayOverseeCampaigns(user.roles))) {
    throw new NotFound('HAND_OVER_NOT_FOUND', `No hand-over ${id}.`);
  }
  const [items, outstanding] = await Promise.all([itemsOf(deps.sql, id), outstandingHeldOriginals(deps.sql, handOver.departmentId)]);
  return { handOver, items, outstanding };
}

// ------------------------------------------------------------------ held originals (ARC-3)

export async function registerHeldOriginal(
  deps: CampaignDeps,
  user: User,
  request: { departmentId: string; title: string; secrecy: HeldOriginal['secrecy']; note?: string | undefined; idempotencyKey?: string | undefined },
): Promise<{ held: HeldOriginal; created: boolean }> {
  if (!keepsHeldOriginals(user.roles)) throw new Forbidden('ARCHIVIST_ONLY', 'Only the Archivist keeps the register of originals held by departments.', 'ARC-3');
  try {
    return await insertHeldOriginal(deps.sql, {
      id: randomUUID(),
      departmentId: request.departmentId,
      title: request.title,
      secrecy: request.secrecy,
      note: request.note ?? null,
      registeredBy: user.id,
      registeredAt: new Date(),
      idempotencyKey: request.idempotencyKey ?? null,
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23503') {
      throw new PolicyViolation('UNKNOWN_DEPARTMENT', undefined, `No department ${request.departmentId}.`, [{ path: 'departmentId', message: 'no such department' }]);
    }
    throw error;
  }
}

export async function heldOriginalPage(deps: CampaignDeps, user: User, query: Parameters<typeof listHeldOriginals>[1]) {
  if (!mayOverseeCampaigns(user.roles)) throw new Forbidden('CAMPAIGN_OVERSIGHT_ONLY', 'The register of held originals is read by the Archivist, the Office Director, the GM and the Deputy GMs.', 'ARC-3');
  return listHeldOriginals(deps.sql, query);
}

// ------------------------------------------------------------------ the processes' steps (service tasks)

/**
 * CYC-1/2: the campaign this instance runs (stored by the API, or opened now by its Schedule) and
 * a hand-over per department. Keyed by the instance: a retried step finds what it wrote.
 */
export async function openCampaignRun(sql: Sql, run: { processId: string; departments: readonly { id: string }[]; openedBy: string; at: number }) {
  return sql.begin(async (tx) => {
    let campaign = await findCampaignByProcess(tx, run.processId);
    if (!campaign) {
      const kind = scheduledCampaignKind(run.processId) ?? 'quarterly';
      await insertCampaign(tx, {
        id: randomUUID(),
        processId: run.processId,
        kind,
        period: campaignPeriod(kind, run.at),
        openedBy: run.openedBy,
        openedAt: new Date(run.at),
        dueAt: campaignDueAt(run.at),
        idempotencyKey: null,
      });
      campaign = (await findCampaignByProcess(tx, run.processId))!;
      await insertAudit(tx, [{ key: `${run.processId}:opened`, at: run.at, processId: run.processId, event: 'campaign.opened', actorId: run.openedBy, ruleId: 'CYC-1', detail: { campaignId: campaign.id, kind, period: campaign.period } }]);
    }
    const handOvers = await insertCampaignHandOvers(tx, campaign, run.departments.map((department) => ({ id: department.id, handOverId: randomUUID() })));
    return { campaignId: campaign.id, handOvers: handOvers.map((h) => ({ id: h.id, departmentId: h.departmentId, dueAt: h.dueAt!.toISOString() })) };
  });
}

/** ARC-3: links the hand-over to its instance and lists the originals its department still holds. */
export async function beginHandOverRun(sql: Sql, run: { handOverId: string; processId: string }) {
  const handOver = await findHandOver(sql, run.handOverId);
  if (!handOver) throw new Error(`no hand-over ${run.handOverId}`);
  const held = await outstandingHeldOriginals(sql, handOver.departmentId);
  await beginHandOverRow(sql, run.handOverId, run.processId, held);
  return { heldOriginals: held.map((entry) => ({ ...entry })) };
}

/** CYC-2: stores the manager's list; the number of items on it. */
export async function recordListRun(sql: Sql, run: { handOverId: string; items: readonly NewItem[]; submittedBy: string; at: number }): Promise<number> {
  return sql.begin((tx) => submitList(tx, run.handOverId, { items: run.items, submittedBy: run.submittedBy, at: new Date(run.at) }));
}

export type CheckResult = { valid: true; accepted: number; returned: number } | { valid: false; problem: string };

/**
 * CYC-2/4, ARC-3: registers the Archivist's check in one transaction: each accepted item becomes a
 * document (under the reference and volume the Archivist set), closing the held original it
 * deposits; each returned item keeps its reason. A check that cannot be registered changes
 * nothing but the problem noted on the hand-over.
 */
export async function registerCheckRun(sql: Sql, run: { handOverId: string; verdicts: readonly ItemVerdict[]; checkedBy: string; at: number }): Promise<CheckResult> {
  const outcome = await sql.begin(async (tx): Promise<CheckResult> => {
    const handOver = await lockHandOver(tx, run.handOverId);
    if (!handOver) throw new Error(`no hand-over ${run.handOverId}`);
    // A retried step: registered already.
    if (handOver.status === 'checked') return { valid: true, ...(await verdictCounts(tx, run.handOverId)) };
    const items = await itemsOf(tx, run.handOverId);
    const outstanding = new Set((await outstandingHeldOriginals(tx, handOver.departmentId)).map((entry) => entry.id));
    const problems = checkProblems(items, run.verdicts, outstanding);
    const accepted = run.verdicts.filter((v) => v.verdict === 'accepted');
    const references = accepted.map((v) => v.reference?.trim() || itemReference(run.handOverId, v.item));
    const repeated = references.filter((reference, index) => references.indexOf(reference) !== index);
    const taken = await tx<{ reference: string }[]>`select reference from documents where reference = any(${references})`;
    for (const reference of new Set([...repeated, ...taken.map((row) => row.reference)])) problems.push(`reference ${reference} is already taken`);
    if (problems.length) return { valid: false, problem: `CYC-2: the check cannot be registered: ${problems.join('; ')}. Check the list again.` };

    for (const verdict of run.verdicts) {
      const item = items.find((i) => i.item === verdict.item)!;
      let documentId: string | null = null;
      if (verdict.verdict === 'accepted') {
        documentId = randomUUID();
        await insertDocument(tx, {
          id: documentId,
          reference: references[accepted.indexOf(verdict)]!,
          title: item.title,
          category: item.category as DocumentCategory,
          secrecy: item.secrecy,
          departmentId: handOver.departmentId,
          original: item.original,
          retentionYears: null,
          archivedOn: archivingDate(run.at),
          location: verdict.location?.trim() || campaignSettings.defaultLocation,
          registeredBy: run.checkedBy,
        });
        if (item.heldOriginalId !== null) await depositHeldOriginal(tx, { id: item.heldOriginalId, documentId, handOverId: run.handOverId, at: new Date(run.at) });
      }
      await saveVerdict(tx, run.handOverId, { item: verdict.item, verdict: verdict.verdict, reason: verdict.reason?.trim() || null, volume: verdict.volume?.trim() || null, documentId });
    }
    await markChecked(tx, run.handOverId, run.checkedBy, new Date(run.at));
    const counts = { accepted: accepted.length, returned: run.verdicts.length - accepted.length };
    await insertAudit(tx, [
      { key: `${handOver.processId ?? run.handOverId}:checked`, at: run.at, processId: handOver.processId, event: 'hand_over.checked', actorId: run.checkedBy, ruleId: 'CYC-2', detail: { handOverId: run.handOverId, ...counts } },
    ]);
    return { valid: true, ...counts };
  });
  if (!outcome.valid) await setCheckProblem(sql, run.handOverId, outcome.problem);
  return outcome;
}

export async function closeCampaignRun(sql: Sql, campaignId: string, at: number): Promise<void> {
  await closeCampaignRow(sql, campaignId, new Date(at));
}
