// The penalties ledger's application service (CUS-2): the only code that opens its transactions.
// Other areas propose fines inside their own transactions through proposePenalty (index.ts).
import { randomUUID } from 'node:crypto';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { findUser, usersWithRole } from '../../platform/organisation/sql.ts';
import { decidesPenalties, mayPropose, penaltyKinds, readsWholeLedger, type PenaltyKindId } from './rules.ts';
import { decidePenalty, findPenalty, insertPenalty, listPenalties, penaltyTotals, type Penalty, type PenaltyQuery } from './sql.ts';

export interface PenaltyProposal {
  kind: PenaltyKindId;
  personId: string;
  /** A link or reference to what shows the offence (a process, a record, a visit). */
  evidence: string;
  note?: string | null;
  /** What proposes it, once: a process step (workflow id + step) or an Idempotency-Key. */
  sourceKey: string;
  /** A user id, or `system` for a check the system ran. */
  proposedBy: string;
  at: Date;
}

/**
 * Proposes a fine inside the caller's transaction, once per source key: the amount, rule and
 * dismissal flag come from the kind (rules.ts), never from the caller. The person and HR are told.
 */
export async function proposePenalty(tx: TransactionSql, proposal: PenaltyProposal): Promise<{ penalty: Penalty; created: boolean }> {
  const kind = penaltyKinds[proposal.kind];
  const result = await insertPenalty(tx, {
    id: randomUUID(),
    kind: proposal.kind,
    ruleId: kind.ruleId,
    amountYuan: kind.amountYuan,
    dismissal: kind.dismissal,
    personId: proposal.personId,
    evidence: proposal.evidence,
    note: proposal.note ?? null,
    sourceKey: proposal.sourceKey,
    proposedBy: proposal.proposedBy,
    proposedAt: proposal.at,
  });
  if (!result.created) return result;
  const { penalty } = result;
  const at = proposal.at.getTime();
  await insertAudit(tx, [
    {
      key: `penalty:${penalty.id}:proposed`,
      at,
      processId: null,
      event: 'penalty.proposed',
      actorId: proposal.proposedBy === 'system' ? null : proposal.proposedBy,
      ruleId: kind.ruleId,
      detail: { penaltyId: penalty.id, kind: proposal.kind, personId: penalty.personId, amountYuan: kind.amountYuan, dismissal: kind.dismissal, evidence: penalty.evidence },
    },
  ]);
  const hr = (await usersWithRole(tx, 'hr')).map((user) => user.id);
  await insertNotices(tx, {
    key: `penalty:${penalty.id}:proposed`,
    processId: null,
    userIds: [penalty.personId, ...hr],
    ...notice('penalty.proposed', { ruleId: kind.ruleId, amountYuan: kind.amountYuan, dismissal: kind.dismissal, personId: penalty.personId, kindZh: kind.label.zh }),
    at,
  });
  return result;
}

export interface PenaltyService {
  propose(user: User, proposal: { kind: PenaltyKindId; personId: string; evidence: string; note?: string | undefined; idempotencyKey?: string | undefined }): Promise<{ penalty: Penalty; created: boolean }>;
  decide(user: User, id: string, decision: { decision: 'confirm' | 'waive'; reason?: string | undefined }): Promise<Penalty>;
  get(user: User, id: string): Promise<Penalty>;
  list(user: User, query: PenaltyQuery): ReturnType<typeof listPenalties>;
  totals(user: User): ReturnType<typeof penaltyTotals>;
}

export function createPenaltyService(sql: Sql): PenaltyService {
  /** HR, the Marketing Director and the GM read every fine; anyone else their own. */
  const visible = (user: User, penalty: Penalty | undefined): penalty is Penalty => penalty !== undefined && (readsWholeLedger(user) || penalty.personId === user.id);

  return {
    async propose(user, proposal) {
      const person = await findUser(sql, proposal.personId);
      if (!person) throw new PolicyViolation('UNKNOWN_PERSON', 'CUS-2', `No active user ${proposal.personId}.`, [{ path: 'personId', message: 'no such active user' }]);
      if (!mayPropose(user, person)) {
        throw new Forbidden('MAY_NOT_PROPOSE_PENALTY', 'HR proposes fines for anyone; a Department Manager for the people of their own department.', 'CUS-2');
      }
      if (person.id === user.id) throw new Forbidden('OWN_PENALTY', 'Nobody proposes a fine for themself.', 'CUS-2');
      const sourceKey = `api:${user.id}:${proposal.idempotencyKey ?? randomUUID()}`;
      return sql.begin((tx) =>
        proposePenalty(tx, { kind: proposal.kind, personId: person.id, evidence: proposal.evidence, note: proposal.note ?? null, sourceKey, proposedBy: user.id, at: new Date() }),
      );
    },

    async decide(user, id, decision) {
      if (!decidesPenalties(user)) throw new Forbidden('NOT_HR', 'HR confirms or waives fines (CUS-2: 人力资源部为本制度的监督、处罚部门).', 'CUS-2');
      if (decision.decision === 'waive' && !decision.reason) {
        throw new PolicyViolation('REASON_REQUIRED', 'CUS-2', 'A fine is waived with a reason.', [{ path: 'reason', message: 'required to waive' }]);
      }
      return sql.begin(async (tx) => {
        const penalty = await findPenalty(tx, id, { forUpdate: true });
        if (!penalty) throw new NotFound('PENALTY_NOT_FOUND', `No fine ${id}.`);
        if (penalty.personId === user.id) throw new Forbidden('OWN_PENALTY', 'Nobody decides their own fine.', 'CUS-2');
        if (penalty.state !== 'proposed') throw new StateConflict('PENALTY_DECIDED', `Fine ${id} is already ${penalty.state}.`, 'CUS-2');
        const at = new Date();
        const state = decision.decision === 'confirm' ? 'confirmed' : 'waived';
        const decided = await decidePenalty(tx, { id, state, decidedBy: user.id, at, reason: decision.reason ?? null });
        await insertAudit(tx, [
          {
            key: `penalty:${id}:${state}`,
            at: at.getTime(),
            processId: null,
            event: `penalty.${state}`,
            actorId: user.id,
            ruleId: penalty.ruleId,
            detail: { penaltyId: id, personId: penalty.personId, amountYuan: penalty.amountYuan, reason: decision.reason ?? null },
          },
        ]);
        await insertNotices(tx, {
          key: `penalty:${id}:${state}`,
          processId: null,
          userIds: [penalty.personId],
          ...notice(`penalty.${state}`, { ruleId: penalty.ruleId, amountYuan: penalty.amountYuan, proposedOn: penalty.proposedAt.toISOString().slice(0, 10), reason: decision.reason ?? null }),
          at: at.getTime(),
        });
        return decided;
      });
    },

    async get(user, id) {
      const penalty = await findPenalty(sql, id);
      if (!visible(user, penalty)) throw new NotFound('PENALTY_NOT_FOUND', `No fine ${id}.`);
      return penalty;
    },

    async list(user, query) {
      if (!readsWholeLedger(user)) {
        if (query.personId !== undefined && query.personId !== user.id) return { penalties: [], next: null };
        return listPenalties(sql, { ...query, personId: user.id });
      }
      return listPenalties(sql, query);
    },

    async totals(user) {
      if (!readsWholeLedger(user)) throw new Forbidden('NOT_A_LEDGER_READER', 'HR, the Marketing Director and the GM read the whole ledger.', 'CUS-2');
      return penaltyTotals(sql);
    },
  };
}
