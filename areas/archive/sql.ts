// The archive registry's queries.
import type { DocumentCategory, DocumentStatus } from './rules.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';

export interface ArchiveDocument {
  id: string;
  reference: string;
  title: string;
  category: DocumentCategory;
  secrecy: SecrecyLevel;
  departmentId: string;
  original: boolean;
  /** The document's own retention, set when it was registered; null: its category's period in the schedule. */
  retentionYears: number | null;
  retentionPermanent: boolean;
  /** What holds now: its own retention or the schedule's; null when kept permanently. */
  effectiveRetentionYears: number | null;
  archivedOn: string;
  location: string;
  status: DocumentStatus;
  registeredBy: string;
  createdAt: Date;
}

export type NewDocument = Omit<ArchiveDocument, 'status' | 'createdAt' | 'effectiveRetentionYears' | 'retentionPermanent'> & { retentionPermanent?: boolean };

export async function insertDocument(sql: Sql | TransactionSql, document: NewDocument): Promise<ArchiveDocument> {
  const [row] = await sql<ArchiveDocument[]>`
    insert into documents (id, reference, title, category, secrecy, department_id, original, retention_years, retention_permanent, archived_on, location, registered_by)
    values (${document.id}, ${document.reference}, ${document.title}, ${document.category}, ${document.secrecy}, ${document.departmentId},
            ${document.original}, ${document.retentionYears}, ${document.retentionPermanent ?? false}, ${document.archivedOn}, ${document.location}, ${document.registeredBy})
    returning ${documentColumns(sql)}`;
  return row!;
}

export async function findDocument(sql: Sql | TransactionSql, id: string): Promise<ArchiveDocument | undefined> {
  const [row] = await sql<ArchiveDocument[]>`select ${documentColumns(sql)} from documents where id = ${id}`;
  return row;
}

/** The columns as the ArchiveDocument shape; one list so every query reads documents alike. */
export function documentColumns(sql: Sql | TransactionSql) {
  return sql`id, reference, title, category, secrecy, department_id as "departmentId", original,
    retention_years as "retentionYears", retention_permanent as "retentionPermanent",
    document_retention_years(category, retention_years, retention_permanent) as "effectiveRetentionYears",
    to_char(archived_on, 'YYYY-MM-DD') as "archivedOn", location, status,
    registered_by as "registeredBy", created_at as "createdAt"`;
}

export interface DocumentQuery {
  category?: DocumentCategory | undefined;
  secrecy?: SecrecyLevel | undefined;
  status?: DocumentStatus | undefined;
  departmentId?: string | undefined;
  /** Part of the title or the reference number, case-insensitive. */
  q?: string | undefined;
  /** Whether Top Secret documents are listed (only to those who may know they exist). */
  includeTopSecret: boolean;
  limit: number;
  after?: DocumentCursor | undefined;
}

/** Where a page of documents ended: the newest archived first, then by id. */
export interface DocumentCursor {
  archivedOn: string;
  id: string;
}

/** Documents matching the filters, a page at a time (keyset on archived_on desc, id desc). */
export async function listDocuments(sql: Sql | TransactionSql, query: DocumentQuery): Promise<{ documents: ArchiveDocument[]; next: DocumentCursor | null }> {
  const pattern = query.q === undefined ? undefined : `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await sql<ArchiveDocument[]>`
    select ${documentColumns(sql)} from documents
    where true
      ${query.includeTopSecret ? sql`` : sql`and secrecy <> 'top_secret'`}
      ${query.category === undefined ? sql`` : sql`and category = ${query.category}`}
      ${query.secrecy === undefined ? sql`` : sql`and secrecy = ${query.secrecy}`}
      ${query.status === undefined ? sql`` : sql`and status = ${query.status}`}
      ${query.departmentId === undefined ? sql`` : sql`and department_id = ${query.departmentId}`}
      ${pattern === undefined ? sql`` : sql`and (title ilike ${pattern} or reference ilike ${pattern})`}
      ${query.after === undefined ? sql`` : sql`and (archived_on, id) < (${query.after.archivedOn}::date, ${query.after.id})`}
    order by archived_on desc, id desc
    limit ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { documents: page, next: rows.length > query.limit && last ? { archivedOn: last.archivedOn, id: last.id } : null };
}

/** Why the database refused a new document, when the caller is at fault: a taken reference or an unknown department. */
export function documentRefusal(error: unknown): 'reference_taken' | 'unknown_department' | undefined {
  const e = error as { code?: string; constraint_name?: string } | undefined;
  if (e?.code === '23505' && e.constraint_name === 'documents_reference_key') return 'reference_taken';
  if (e?.code === '23503' && e.constraint_name === 'documents_department_id_fkey') return 'unknown_department';
  return undefined;
}
