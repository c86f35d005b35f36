// The interpreter's side effects: who may decide, and the projections people query
// (task inbox, instance list, notices, audit trail). Every write is keyed so that a retried
// activity writes once, and the workflow hands them over in batches, one transaction each.
import { ApplicationFailure } from '@temporalio/common';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import { candidateUsers } from '../sql/candidates.ts';
import type { TransactionSql } from '../../platform/db/client.ts';
import { lockPrincipals } from '../sql/delegates.ts';
import { formValidator } from '../definition/forms.ts';
import { serviceSpec } from '../definition/services.ts';
import { withinSecrecy } from '../../platform/organisation/secrecy.ts';
import { writeActionRows } from '../sql/task-actions.ts';
import type { EngineActivities, InstanceWrite, ProjectionBatch, ResolveCandidatesInput, ResolvedCandidates, ResolvedRule, TaskWrite } from './engine-types.ts';
import type { ServiceDeps, ServiceRegistry } from './services.ts';

/** Upserts a task; a write older than the stored revision changes nothing. */
async function writeTask(tx: TransactionSql, task: TaskWrite): Promise<void> {
  const decision = task.decision;
  await tx`
    insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, delegate_ids, outcomes, due_at,
                       outcome, decided_by, on_behalf_of, delegation_id, comment, data, revision, created_at, completed_at)
    values (${task.id}, ${task.processId}, ${task.nodeId}, ${task.name.en}, ${task.name.zh}, ${task.state},
            ${task.candidateIds}, ${task.delegateIds}, ${task.outcomes}, ${task.dueAt === null ? null : new Date(task.dueAt)},
            ${decision?.outcome ?? null}, ${decision?.actorId ?? null}, ${decision?.onBehalfOf ?? null},
            ${decision?.delegationId ?? null}, ${decision?.comment ?? null}, ${decision ? tx.json(decision.data as never) : null},
            ${task.revision}, ${new Date(task.createdAt)}, ${decision ? new Date(decision.at) : task.state === 'open' ? null : new Date()})
    on conflict (id) do update set
      state = excluded.state, candidate_ids = excluded.candidate_ids, delegate_ids = excluded.delegate_ids,
      outcome = excluded.outcome, decided_by = excluded.decided_by, on_behalf_of = excluded.on_behalf_of,
      delegation_id = excluded.delegation_id, comment = excluded.comment, data = excluded.data,
      revision = excluded.revision, completed_at = coalesce(excluded.completed_at, tasks.completed_at)
    where tasks.revision < excluded.revision`;
}

/** Upserts an instance; an ended instance stays as it ended. */
async function writeInstance(tx: TransactionSql, instance: InstanceWrite): Promise<void> {
  await tx`
    insert into process_instances (id, definition_key, definition_version, business_key, initiator_id, status, started_at, ended_at)
    values (${instance.processId}, ${instance.key}, ${instance.version}, ${instance.businessKey}, ${instance.initiatorId},
            ${instance.status}, ${new Date(instance.startedAt)}, ${instance.endedAt === null ? null : new Date(instance.endedAt)})
    on conflict (id) do update set status = excluded.status, ended_at = excluded.ended_at, updated_at = now()
    where process_instances.ended_at is null`;
}

async function writeBatch(tx: TransactionSql, batch: ProjectionBatch): Promise<void> {
  // Instances first: tasks refer to them.
  for (const instance of batch.instances) await writeInstance(tx, instance);
  for (const task of batch.tasks) await writeTask(tx, task);
  await insertAudit(tx, [...batch.instances.flatMap((i) => i.audit), ...batch.tasks.flatMap((t) => t.audit), ...batch.audit]);
  for (const notice of batch.notices) await insertNotices(tx, notice);
  await writeActionRows(tx, batch);
}

/** Who fits the rule (following fallbacks), minus the initiator unless allowed, with active delegates. */
async function resolve(sql: TransactionSql, input: ResolveCandidatesInput): Promise<ResolvedCandidates> {
  let rule: ResolvedRule | undefined = input.rule;
  for (let depth = 0; rule; depth += 1, rule = rule.fallback) {
    const found = new Set<string>();
    for (const spec of rule.anyOf) for (const id of await candidateUsers(sql, spec)) found.add(id);
    // The initiator never approves their own request.
    if (input.initiatorId !== null) found.delete(input.initiatorId);
    if (found.size === 0) continue;
    const candidateIds = [...found].sort();
    // BOR-7: a power of attorney reaches only the processes whose definitions say it does.
    if (!input.powerOfAttorney) return { candidateIds, delegates: {}, fallbackDepth: depth };
    await lockPrincipals(sql, candidateIds);
    const rows = await sql<{ id: string; principal_id: string; delegate_id: string; valid_to: Date; process_keys: string[] | null; max_secrecy: string }[]>`
      select id, principal_id, delegate_id, valid_to, process_keys, max_secrecy from delegations
      where principal_id = any(${candidateIds}) and revoked_at is null
        -- started by workflow time, or by the clock once the lock is held: a delegation that
        -- started while this task was being opened is seen here or announced to the instance
        and valid_from <= greatest(${new Date(input.at)}::timestamptz, clock_timestamp()) and valid_to > ${new Date(input.at)}
        and delegate_id is distinct from ${input.initiatorId}
      order by valid_from, id`;
    const delegates: ResolvedCandidates['delegates'] = {};
    for (const row of rows) {
      if (row.process_keys && !row.process_keys.includes(input.processKey)) continue;
      if (!withinSecrecy(input.secrecy, row.max_secrecy)) continue;
      delegates[row.delegate_id] ??= { delegationId: row.id, principalId: row.principal_id, validTo: row.valid_to.getTime() };
    }
    return { candidateIds, delegates, fallbackDepth: depth };
  }
  return { candidateIds: [], delegates: {}, fallbackDepth: -1 };
}

export function createEngineActivities({ sql }: ServiceDeps, services: ServiceRegistry): EngineActivities {
  return {
    async resolveCandidates(input) {
      return sql.begin(async (tx) => {
        if (input.batch) await writeBatch(tx, input.batch);
        const resolved = await resolve(tx, input);
        if (input.open && resolved.candidateIds.length > 0) {
          const { candidateIds } = resolved;
          const opened = { ...input.open.audit, detail: { ...input.open.audit.detail, candidateIds } };
          const task = { ...input.open.task, candidateIds, delegateIds: Object.keys(resolved.delegates), audit: [opened] };
          await writeBatch(tx, { tasks: [task], instances: [], audit: [], notices: [] });
        }
        return resolved;
      });
    },

    async project(batch) {
      await sql.begin((tx) => writeBatch(tx, batch));
    },

    async runService({ name, processId, key, input, at }) {
      // Definitions are checked at registration; this guards against a definition published by other means.
      const spec = serviceSpec(services.specs, name);
      const handler = Object.hasOwn(services.handlers, name) ? services.handlers[name] : undefined;
      if (!spec || !handler) throw ApplicationFailure.nonRetryable(`service ${name} is not on the allow-list`, 'UNKNOWN_SERVICE');
      const parsed = formValidator(spec.input).safeParse(input);
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`service ${name}: ${parsed.error.message}`, 'INVALID_SERVICE_INPUT');
      return handler(parsed.data, { processId, key, at });
    },
  };
}
