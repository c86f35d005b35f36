// The archive registry (ARC-1..3): the Archivist registers documents; everyone looks them up,
// except that a Top Secret document is known only to those with a role in the archive.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import type { ArchiveDocument, ArchiveService } from './service.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { documentCategories, documentCategoryIds, documentStatuses } from './rules.ts';
import { secrecyLabels, secrecyLevels } from '../../platform/organisation/secrecy.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { acceptedDates, dateInput, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';

const label = z.object({ en: z.string(), zh: z.string() });
const date = z.iso.date().openapi({ example: '2026-03-01' });

const retention = z.union([z.literal('permanent'), z.number().int().min(1).max(100)]);

export const archiveDocument = z
  .object({
    id: z.string(),
    reference: z.string().openapi({ example: 'GMO-2026-001' }),
    title: z.string(),
    category: z.enum(documentCategoryIds),
    categoryLabel: label.openapi({ example: { en: 'Contract', zh: '合同' } }),
    secrecy: z.enum(secrecyLevels),
    secrecyLabel: label.openapi({ example: { en: 'Secret', zh: '秘密' } }),
    departmentId: z.string(),
    original: z.boolean().openapi({ description: 'An original; false for a copy (ARC-3: Confidential and above are originals).' }),
    retention: retention.openapi({ description: '`permanent`, or the years the document is kept: its own, or else its category\'s period in the retention schedule (GET /api/v1/retention-periods).', example: 30 }),
    retentionSource: z.enum(['document', 'schedule']).openapi({ description: 'document: set when it was registered; schedule: its category\'s period, which follows changes to the schedule.' }),
    archivedOn: date,
    location: z.string(),
    status: z.enum(documentStatuses),
    registeredBy: z.string(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('ArchiveDocument');

export const newDocument = z
  .object({
    reference: z.string().trim().min(1).max(100).openapi({ example: 'GMO-2026-001' }),
    title: z.string().trim().min(1).max(500),
    category: z.enum(documentCategoryIds).openapi({ description: 'ARC-1: the kinds of material the company archives.' }),
    secrecy: z.enum(secrecyLevels).openapi({ description: 'top_secret 绝密 · confidential 机密 · secret 秘密 · none 非密' }),
    departmentId: identifier(100).openapi({ description: 'The owning department.', example: 'finance' }),
    original: z.boolean(),
    retention: retention.optional().openapi({
      description:
        "`permanent`, or the years this document is kept. Leave it out to follow its category's period in the retention schedule, which the Office Director keeps (a category without one: kept permanently).",
      example: 30,
    }),
    archivedOn: dateInput.optional().openapi({ description: `A date ${acceptedDates}; defaults to today (Asia/Shanghai).` }),
    location: z.string().trim().min(1).max(200).openapi({ example: 'Archive room, cabinet 3, shelf 2' }),
  })
  .strict()
  .openapi('NewArchiveDocument');

const documentParams = idParam();

/** Pages of the registry: archived_on desc, id desc. */
const documentKey = keysetCursor('date', 'text');

const documentQuery = z.object({
  category: z.enum(documentCategoryIds).optional(),
  secrecy: z.enum(secrecyLevels).optional(),
  status: z.enum(documentStatuses).optional(),
  department: identifier(100).optional(),
  q: z.string().trim().min(1).max(200).optional().openapi({ description: 'Part of the title or the reference number (case-insensitive).' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: documentKey.query,
});

const documentPage = z
  .object({ documents: z.array(archiveDocument), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('ArchiveDocumentPage');

function documentCursor(text: string): { archivedOn: string; id: string } | undefined {
  const parts = documentKey.parse(text);
  return parts && { archivedOn: parts[0], id: parts[1] };
}

export function documentBody(document: ArchiveDocument): z.infer<typeof archiveDocument> {
  return {
    id: document.id,
    reference: document.reference,
    title: document.title,
    category: document.category,
    categoryLabel: { en: documentCategories[document.category].en, zh: documentCategories[document.category].zh },
    secrecy: document.secrecy,
    secrecyLabel: secrecyLabels[document.secrecy],
    departmentId: document.departmentId,
    original: document.original,
    retention: document.effectiveRetentionYears ?? 'permanent',
    retentionSource: document.retentionYears === null && !document.retentionPermanent ? 'schedule' : 'document',
    archivedOn: document.archivedOn,
    location: document.location,
    status: document.status,
    registeredBy: document.registeredBy,
    createdAt: document.createdAt.toISOString(),
  };
}

const visibility =
  '[interpretation] A Top Secret 绝密 document is known only to those with a role in the archive: the Archivist, the Office Director and the GM. ' +
  'Anyone else gets 404 for it and never sees it in a list.';

export function documentRoutes(deps: { archive: ArchiveService; sql: Sql; authenticator: Authenticator }) {
  const { archive } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/documents',
      tags: ['archive'],
      summary: 'Register a document in the archive (the Archivist only, ARC-2)',
      description: 'ARC-3: at Confidential 机密 and above only an original may be registered. Without a retention of its own the document follows its category\'s period in the retention schedule.',
      middleware: [authenticated] as const,
      request: { body: { required: true, content: { 'application/json': { schema: newDocument } } } },
      responses: {
        201: { description: 'Registered', content: { 'application/json': { schema: archiveDocument } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'ARCHIVIST_ONLY (ARC-2) (problem+json)' },
        409: { description: 'DOCUMENT_REFERENCE_TAKEN: another document has this reference number (problem+json)' },
        422: { description: 'ORIGINAL_REQUIRED (ARC-3), or UNKNOWN_DEPARTMENT (problem+json)' },
      },
    }),
    async (c) => {
      const document = await archive.registerDocument(c.var.user, c.req.valid('json'));
      c.header('location', `/api/v1/documents/${document.id}`);
      return c.json(documentBody(document), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/documents/{id}',
      tags: ['archive'],
      summary: 'One document',
      description: visibility,
      middleware: [authenticated] as const,
      request: { params: documentParams },
      responses: {
        200: { description: 'The document', content: { 'application/json': { schema: archiveDocument } } },
        401: unauthorized,
        404: { description: 'DOCUMENT_NOT_FOUND: no such document, or one the caller may not know exists (problem+json)' },
      },
    }),
    async (c) => c.json(documentBody(await archive.visibleDocument(c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/documents',
      tags: ['archive'],
      summary: 'Search the registry: by category, secrecy, status, department, or words of the title or reference',
      description: `The most recently archived first, a page at a time. ${visibility}`,
      middleware: [authenticated] as const,
      request: { query: documentQuery },
      responses: {
        200: { description: 'A page of documents', content: { 'application/json': { schema: documentPage } } },
        400: { description: 'INVALID_INPUT: an unknown filter value, a bad limit or cursor (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await archive.searchDocuments(c.var.user, {
        category: query.category,
        secrecy: query.secrecy,
        status: query.status,
        departmentId: query.department,
        q: query.q,
        limit: query.limit,
        after: query.cursor === undefined ? undefined : documentCursor(query.cursor),
      });
      return c.json({ documents: page.documents.map(documentBody), nextCursor: page.next && documentKey.format([page.next.archivedOn, page.next.id]) }, 200);
    },
  );

  return router;
}
