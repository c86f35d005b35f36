// The destruction rules that need no database (DES-2..5), the definitions that carry them, the
// register's CSV form and the hash-chain formula's TypeScript twin.
import { describe, expect, it } from 'vitest';
import { registerCsv } from '../../areas/destruction/routes.ts';
import type { RegisterEntry } from '../../areas/destruction/sql.ts';
import {
  checkFiling,
  destructionBlocker,
  executionSummary,
  highestSecrecy,
  mayViewDestructionRequest,
  registerRecord,
  type ApprovedForm,
  needsGmApproval,
  policyDate,
  supervisorDesignationProblem,
  verificationMismatch,
  type DestructionCandidate,
} from '../../areas/destruction/rules.ts';
import { NotFound, PolicyViolation } from '../../platform/errors.ts';
import { validateDefinition } from '../../engine/definition/validate.ts';
import { auditHash, GENESIS_HASH, registerHash, sha256Hex, utcMicros } from '../../scripts/verify-chain.ts';
import { destructionDefinition, destructionProcesses } from '../../areas/destruction/definitions.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';
import type { Role } from '../../platform/organisation/model.ts';

const today = '2026-03-01';
const document = (overrides: Partial<DestructionCandidate> = {}): DestructionCandidate => ({
  id: 'doc-1',
  status: 'in_archive',
  retentionEndsOn: '2026-03-01',
  hold: null,
  ...overrides,
});

describe('which documents may enter destruction', () => {
  it('DES-2 a document whose retention ended by today, in the archive and not held, may enter destruction', () => {
    expect(destructionBlocker(document(), today)).toBeUndefined();
    expect(destructionBlocker(document({ retentionEndsOn: '2019-12-31' }), today)).toBeUndefined();
  });

  it('DES-2 permanent material never reaches a destruction date, and material before its date waits', () => {
    expect(destructionBlocker(document({ retentionEndsOn: null }), today)).toBe('kept permanently');
    expect(destructionBlocker(document({ retentionEndsOn: '2026-03-02' }), today)).toBe('retention runs until 2026-03-02');
  });

  it('DES-2 held, lent, already requested or destroyed material may not enter destruction', () => {
    expect(destructionBlocker(document({ hold: { id: 'h1', reason: 'Tax audit' } }), today)).toBe('held (Tax audit)');
    expect(destructionBlocker(document({ status: 'on_loan' }), today)).toBe('on loan, not in the archive');
    expect(destructionBlocker(document({ status: 'in_reading' }), today)).toBe('being read, not in the archive');
    expect(destructionBlocker(document({ status: 'pending_destruction' }), today)).toBe('already in a destruction request');
    expect(destructionBlocker(document({ status: 'destroyed' }), today)).toBe('already destroyed');
  });

  it('DES-2 the destruction date is read in the company\'s calendar (Asia/Shanghai)', () => {
    expect(policyDate(Date.parse('2026-02-28T15:59:59Z'))).toBe('2026-02-28');
    expect(policyDate(Date.parse('2026-02-28T16:00:00Z'))).toBe('2026-03-01');
  });
});

describe('who approves', () => {
  it('DES-3 any classified item makes the whole request need the GM; general material does not', () => {
    expect(highestSecrecy(['none', 'none'])).toBe('none');
    expect(highestSecrecy(['none', 'secret', 'confidential', 'none'])).toBe('confidential');
    expect(needsGmApproval('none')).toBe(false);
    for (const level of ['secret', 'confidential', 'top_secret'] as const) expect(needsGmApproval(level)).toBe(true);
  });

  it('DES-3 the definition sends classified requests from the Office Director to the GM, and general ones straight on', () => {
    const gateway = destructionDefinition.nodes.find((node) => node.id === 'afterOfficeReview');
    expect(gateway).toMatchObject({ type: 'exclusiveGateway', ruleId: 'DES-3', branches: [{ to: 'reject' }, { when: 'classified', to: 'gmApproval' }], default: 'designateByOffice' });
    expect(destructionDefinition.nodes.find((node) => node.id === 'gmApproval')).toMatchObject({ candidates: { anyOf: [{ role: 'gm' }] } });
  });

  it('every destruction definition passes the registration checks', () => {
    for (const definition of destructionProcesses) expect(() => validateDefinition(definition, { services: serviceSpecs })).not.toThrow();
  });
});

describe('the supervisors', () => {
  const people = {
    'finance-director': { active: true, archivist: false },
    'hr-manager': { active: true, archivist: false },
    archivist: { active: true, archivist: true },
    'left-last-year': { active: false, archivist: false },
  };
  const problem = (supervisorIds: string[], required = 1) => supervisorDesignationProblem({ supervisorIds, required, people, approvers: [] });

  it('DES-5 the final approver designates the supervisor', () => {
    expect(problem([])).toBe('DES-5: designate the supervisor of the destruction (supervisorIds)');
    expect(problem(['finance-director'])).toBeUndefined();
  });

  it('DES-5 supervisors are active people other than the Archivist', () => {
    expect(problem(['archivist'])).toMatch(/archivist is an Archivist/);
    expect(problem(['left-last-year'])).toBe('DES-5: left-last-year is no longer active');
    expect(problem(['nobody'])).toBe('DES-5: no user nobody');
  });

  it('DES-5 the two-supervisor setting needs two different people', () => {
    expect(problem([], 2)).toBe('DES-5: designate 2 supervisors of the destruction (supervisorIds)');
    expect(problem(['finance-director'], 2)).toBe('DES-5: the policy requires 2 supervisors; 1 designated');
    expect(problem(['finance-director', 'finance-director'], 2)).toBe('DES-5: the supervisors must be different people');
    expect(problem(['finance-director', 'hr-manager'], 2)).toBeUndefined();
    expect(problem(['finance-director', 'hr-manager', 'a', 'b'], 2)).toBe('DES-5: at most 3 supervisors');
  });

  it('DES-5 every designated supervisor confirms the destruction (会签)', () => {
    expect(destructionDefinition.nodes.find((node) => node.id === 'supervise')).toMatchObject({
      type: 'userTask',
      multiInstance: { mode: 'parallel', completion: 'all', approve: 'confirm', reject: 'refuse' },
    });
  });
});

describe('the Archivist\'s item check', () => {
  it('DES-4 every approved item is checked and nothing else; items held since the approval may be left out', () => {
    const approvedIds = ['a', 'b', 'c'];
    expect(verificationMismatch({ approvedIds, heldIds: [], checkedIds: ['c', 'b', 'a'] })).toEqual({ missing: [], unexpected: [] });
    expect(verificationMismatch({ approvedIds, heldIds: [], checkedIds: ['a', 'x'] })).toEqual({ missing: ['b', 'c'], unexpected: ['x'] });
    expect(verificationMismatch({ approvedIds, heldIds: ['b'], checkedIds: ['a', 'c'] })).toEqual({ missing: [], unexpected: [] });
    expect(verificationMismatch({ approvedIds, heldIds: ['b'], checkedIds: ['a', 'b', 'c'] })).toEqual({ missing: [], unexpected: [] });
  });
});

describe('the register', () => {
  const entry: RegisterEntry = {
    seq: 7,
    requestId: 'r-1',
    processId: 'destruction-r-1',
    requestedBy: 'archivist',
    reason: 'Retention ended, "all" of 2015, reviewed',
    approvalForm: {},
    approvers: [
      { step: 'office_review', decidedBy: 'office-director', onBehalfOf: null, comment: null, at: '2026-03-01T00:00:00.000Z' },
      { step: 'gm_approval', decidedBy: 'dgm-admin', onBehalfOf: 'gm', comment: null, at: '2026-03-02T00:00:00.000Z' },
    ],
    items: [
      { documentId: 'd1', reference: 'ACC-1', title: 't', category: 'accounting_record', secrecy: 'secret', outcome: 'destroyed' },
      { documentId: 'd2', reference: 'ACC-2', title: 't', category: 'accounting_record', secrecy: 'none', outcome: 'withdrawn', hold: { id: 'h', reason: 'audit' } },
    ],
    supervisors: { designated: ['finance-director', 'hr-manager'], designatedBy: 'dgm-admin', designatedOnBehalfOf: 'gm', confirmedBy: ['finance-director', 'hr-manager'] },
    method: 'shredding',
    place: 'Room 2\nbasement',
    executedAt: new Date('2026-03-03T02:00:00Z'),
    registeredAt: new Date('2026-03-03T02:05:00Z'),
    prevHash: GENESIS_HASH,
    hash: 'f'.repeat(64),
  };

  it('DES-4 exports as CSV with the approvers on behalf of their principals, quoting what needs quoting', () => {
    const lines = registerCsv([entry]).split('\r\n');
    expect(lines[0]).toBe('seq,registered_at,request_id,requested_by,reason,destroyed,withdrawn,approvers,supervisors,method,place,executed_at,prev_hash,hash');
    expect(lines[1]).toBe(
      '7,2026-03-03T02:05:00.000Z,r-1,archivist,"Retention ended, ""all"" of 2015, reviewed",ACC-1,ACC-2 (held: audit),' +
        'office_review: office-director; gm_approval: dgm-admin for gm,finance-director; hr-manager,shredding,"Room 2\nbasement",' +
        `2026-03-03T02:00:00.000Z,${GENESIS_HASH},${'f'.repeat(64)}`,
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });

  it('DES-4 formula injection (issue 17): register CSV cells beginning with =, +, -, @, a tab or a CR get a leading apostrophe', () => {
    const hostile = ['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];
    for (const text of hostile) {
      const line = registerCsv([{ ...entry, reason: text, method: text }]).split('\r\n')[1]!;
      const cell = /[",\r\n]/.test(text) ? `"'${text.replaceAll('"', '""')}"` : `'${text}`;
      expect(line).toContain(`,archivist,${cell},`);
      expect(line).toContain(`,${cell},"Room 2`);
    }
    // Text that only contains such characters later is left as it is, and so are numbers.
    const plain = registerCsv([{ ...entry, reason: 'a=b', seq: 7 }]).split('\r\n')[1]!;
    expect(plain.startsWith('7,')).toBe(true);
    expect(plain).toContain(',archivist,a=b,');
  });

  it('DES-4 the chain formula prints times as the trigger does, to the microsecond, before and after 1970', () => {
    expect(utcMicros(1_772_352_000_123_456n)).toBe('2026-03-01T08:00:00.123456Z');
    expect(utcMicros(0n)).toBe('1970-01-01T00:00:00.000000Z');
    expect(utcMicros(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });

  it('DES-4 each row\'s hash covers the previous hash and every field, so any change shows', () => {
    const row = {
      seq: '1',
      requestId: 'r',
      processId: 'p',
      requestedBy: 'archivist',
      reason: 'x',
      approvalForm: '{}',
      approvers: '[]',
      items: '[]',
      supervisors: '{}',
      method: 'shredding',
      place: 'room',
      executedAtMicros: 0n,
      registeredAtMicros: 1n,
    };
    const hash = registerHash(GENESIS_HASH, row);
    expect(hash).toBe(sha256Hex(`${GENESIS_HASH}|1|r|p|archivist|x|{}|[]|[]|{}|shredding|room|1970-01-01T00:00:00.000000Z|1970-01-01T00:00:00.000001Z`));
    expect(registerHash(GENESIS_HASH, { ...row, place: 'other room' })).not.toBe(hash);
    expect(registerHash('1'.repeat(64), row)).not.toBe(hash);
    const audit = { seq: '1', atMicros: 0n, processId: null, taskId: null, event: 'e', actorId: null, onBehalfOf: null, delegationId: null, ruleId: null, detail: '{}', idempotencyKey: 'k' };
    expect(auditHash(GENESIS_HASH, audit)).toBe(sha256Hex(`${GENESIS_HASH}|1|1970-01-01T00:00:00.000000Z|||e|||||{}|k`));
  });
});

describe('filing, access and execution (the service applies these in its transactions)', () => {
  const candidate = (id: string, overrides: Partial<DestructionCandidate> = {}) => ({ ...document({ id, ...overrides }), reference: `REF-${id}` });

  it('DES-2 a request names existing documents only, each of which may enter destruction; the refusal names each one and why', () => {
    const a = candidate('a');
    const held = candidate('b', { hold: { id: 'h1', reason: 'audit' } });
    expect(checkFiling(['a'], [a], today)).toEqual([a]);
    expect(() => checkFiling(['a', 'x'], [a], today)).toThrow(NotFound);
    try {
      checkFiling(['a', 'b'], [held, a], today);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyViolation);
      expect(error).toMatchObject({ code: 'NOT_DESTRUCTIBLE', ruleId: 'DES-2', errors: [{ path: 'documentIds.1', message: 'b (REF-b): held (audit)' }] });
    }
  });

  it("DES-4 a request is seen by the archive's staff and executives and by whoever filed, decided or supervises it", () => {
    const request = { requestedBy: 'archivist', supervisorIds: ['hr-manager'], decisions: [{ decidedBy: 'office-director', onBehalfOf: null }, { decidedBy: 'deputy-gm-1', onBehalfOf: 'gm' }] };
    const user = (id: string, ...roles: Role[]) => ({ id, roles: roles.map((role) => ({ role, departmentId: null })) });
    expect(mayViewDestructionRequest(user('someone', 'deputy_gm'), request)).toBe(true);
    expect(mayViewDestructionRequest(user('hr-manager', 'hr'), request)).toBe(true);
    expect(mayViewDestructionRequest(user('gm'), request)).toBe(true);
    expect(mayViewDestructionRequest(user('biz-sales-1', 'salesperson'), request)).toBe(false);
  });

  it('DES-4 the register entry withdraws what a hold stands on at execution and names the approvers whose approval stands', () => {
    const at = new Date('2026-03-02T02:00:00Z');
    const item = (documentId: string) => ({ documentId, reference: `REF-${documentId}`, title: documentId, category: 'accounting_record' as const, secrecy: 'secret' as const, retentionEndsOn: '2026-01-01' });
    const form: ApprovedForm = {
      id: 'r1',
      requestedBy: 'archivist',
      createdAt: at,
      reason: 'retention ended',
      secrecy: 'secret',
      supervisorIds: ['hr-manager'],
      designatedBy: 'gm',
      designatedOnBehalfOf: null,
      items: [item('d1'), item('d2')],
      decisions: [
        { step: 'office_review', outcome: 'reject', decidedBy: 'office-director', onBehalfOf: null, comment: 'not yet', detail: {}, at },
        { step: 'office_review', outcome: 'approve', decidedBy: 'office-director', onBehalfOf: null, comment: null, detail: {}, at },
        { step: 'gm_approval', outcome: 'approve', decidedBy: 'gm', onBehalfOf: null, comment: null, detail: {}, at },
        { step: 'verification', outcome: 'match', decidedBy: 'archivist', onBehalfOf: null, comment: null, detail: { checkedIds: ['d1'] }, at },
      ],
    };
    const entry = registerRecord(form, form.items, new Map([['d2', { id: 'h1', reason: 'audit' }]]), ['hr-manager']);
    expect(entry.items.map((i) => [i.documentId, i.outcome, i.hold?.id])).toEqual([
      ['d1', 'destroyed', undefined],
      ['d2', 'withdrawn', 'h1'],
    ]);
    expect(entry.approvers.map((a) => [a.step, a.decidedBy])).toEqual([
      ['office_review', 'office-director'],
      ['gm_approval', 'gm'],
    ]);
    expect(entry.approvalForm).toMatchObject({ form: '公司档案资料销毁审批表', requestId: 'r1', verification: { verifiedBy: 'archivist', checkedIds: ['d1'] } });
    expect(entry.supervisors).toEqual({ designated: ['hr-manager'], designatedBy: 'gm', designatedOnBehalfOf: null, confirmedBy: ['hr-manager'] });
    expect(executionSummary(7, entry.items)).toEqual({ registerSeq: 7, destroyed: 1, withdrawn: 1 });
  });
});
