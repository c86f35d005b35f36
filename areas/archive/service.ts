// The archive's application service: registering documents (ARC-2/3), who may know of one, the
// registry's search, and the retention schedule (DES-2). The only archive code that opens
// transactions; routes and other areas (through index.ts) call it.
import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import { listRetentionPeriods, setRetentionPeriod, type RetentionPeriod } from './retention-sql.ts';
import { archiveDate, documentCategoryIds, hasArchiveRole, isArchivist, keepsRetentionSchedule, mayKnowDocument, requiresOriginal, type DocumentCategory, type DocumentStatus } from './rules.ts';
import { documentRefusal, findDocument, insertDocument, listDocuments, type ArchiveDocument, type DocumentCursor, type NewDocument } from './sql.ts';

export type { ArchiveDocument, DocumentCursor, RetentionPeriod };

/** What the Archivist registers: the document as the register keeps it, its retention and date optional. */
export type DocumentRegistration = Pick<NewDocument, 'reference' | 'title' | 'category' | 'secrecy' | 'departmentId' | 'original' | 'location'> & {
  /** `permanent`, the years kept, or undefined: its category's period in the schedule. */
  retention?: 'permanent' | number | undefined;
  /** YYYY-MM-DD; today (Asia/Shanghai) when undefined. */
  archivedOn?: string | undefined;
};

export interface DocumentSearch {
  category?: DocumentCategory | undefined;
  secrecy?: SecrecyLevel | undefined;
  status?: DocumentStatus | undefined;
  departmentId?: string | undefined;
  q?: string | undefined;
  limit: number;
  after?: DocumentCursor | undefined;
}

/**
 * Files a document in the caller's transaction, for an area whose records are archived with
 * them (a power of attorney, ARC-1): the registration and the record commit together.
 */
export function fileDocument(tx: TransactionSql, document: NewDocument): Promise<ArchiveDocument> {
  return insertDocument(tx, document);
}

/** ARC-3: at Confidential 机密 and above only an original is registered. */
export function checkOriginal(document: Pick<DocumentRegistration, 'secrecy' | 'original'>): void {
  if (requiresOriginal(document.secrecy) && !document.original) {
    throw new PolicyViolation('ORIGINAL_REQUIRED', 'ARC-3', 'At Confidential 机密 and above the original must be deposited, not a copy.', [
      { path: 'original', message: 'must be true at this secrecy level' },
    ]);
  }
}

/** A registration as the row it makes: without a retention of its own, the schedule's; archived today unless dated. */
export function documentRecord(registration: DocumentRegistration, registeredBy: string, id: string = randomUUID()): NewDocument {
  return {
    id,
    reference: registration.reference,
    title: registration.title,
    category: registration.category,
    secrecy: registration.secrecy,
    departmentId: registration.departmentId,
    original: registration.original,
    retentionYears: typeof registration.retention === 'number' ? registration.retention : null,
    retentionPermanent: registration.retention === 'permanent',
    archivedOn: registration.archivedOn ?? archiveDate(new Date()),
    location: registration.location,
    registeredBy,
  };
}

export function archiveService(sql: Sql) {
  /** A document the user may know of; the same 404 for one that does not exist and one they may not know. */
  async function visibleDocument(user: User, id: string): Promise<ArchiveDocument> {
    const document = await findDocument(sql, id);
    if (!document || !mayKnowDocument(user.roles, document.secrecy)) throw new NotFound('DOCUMENT_NOT_FOUND', `No document ${id}.`);
    return document;
  }

  /** ARC-2: the Archivist registers; ARC-3: at Confidential and above only an original. */
  async function registerDocument(user: User, registration: DocumentRegistration): Promise<ArchiveDocument> {
    if (!isArchivist(user.roles)) throw new Forbidden('ARCHIVIST_ONLY', 'Only the Archivist registers documents in the archive.', 'ARC-2');
    checkOriginal(registration);
    try {
      return await insertDocument(sql, documentRecord(registration, user.id));
    } catch (error) {
      const refusal = documentRefusal(error);
      if (refusal === 'reference_taken') throw new StateConflict('DOCUMENT_REFERENCE_TAKEN', `A document with reference ${registration.reference} is already registered.`);
      if (refusal === 'unknown_department') {
        throw new PolicyViolation('UNKNOWN_DEPARTMENT', undefined, `No department ${registration.departmentId}.`, [{ path: 'departmentId', message: 'no such department' }]);
      }
      throw error;
    }
  }

  /** A page of the registry; Top Secret documents only for those who may know of them. */
  function searchDocuments(user: User, search: DocumentSearch) {
    return listDocuments(sql, { ...search, includeTopSecret: hasArchiveRole(user.roles) });
  }

  /** Every category's period, undefined where none is set (kept permanently). */
  async function retentionSchedule(): Promise<{ category: DocumentCategory; period: RetentionPeriod | undefined }[]> {
    const periods = new Map((await listRetentionPeriods(sql)).map((period) => [period.category, period]));
    return documentCategoryIds.map((category) => ({ category, period: periods.get(category) }));
  }

  /** DES-2 [interpretation]: the Office Director sets a category's period; audited. */
  async function setRetention(user: User, category: DocumentCategory, retention: 'permanent' | number): Promise<RetentionPeriod> {
    if (!keepsRetentionSchedule(user.roles)) throw new Forbidden('NOT_THE_OFFICE_DIRECTOR', 'Only the Office Director keeps the retention schedule.', 'DES-2');
    const { period } = await sql.begin((tx) => setRetentionPeriod(tx, { category, retentionYears: retention === 'permanent' ? null : retention, setBy: user.id, at: new Date() }));
    return period;
  }

  return { visibleDocument, registerDocument, searchDocuments, retentionSchedule, setRetention };
}

export type ArchiveService = ReturnType<typeof archiveService>;
