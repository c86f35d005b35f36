// What every route may answer besides what its own declaration says, added to the OpenAPI
// document in one place so that the document lists every status and content type a client (or
// a schema-driven fuzzer) can meet: every error is application/problem+json with the Problem
// shape; any route with input may answer 400; any route with a body 413 (API_MAX_BODY_BYTES);
// any route that reads PostgreSQL or Temporal 503 with Retry-After while one is down.

type Json = Record<string, unknown>;
interface Operation {
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, Json>;
  security?: unknown[];
}

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable, `ruleId` cites the policy catalogue when a rule refused the request.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', pattern: '^[A-Z0-9_]+$' },
    ruleId: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    requestId: { type: 'string', description: 'The request id (the X-Request-Id header): give it when reporting a problem; the logs name it.' },
  },
} as const;

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

const common: Record<string, { description: string; when: (operation: Operation, path: string) => boolean; headers?: Json }> = {
  400: { description: 'INVALID_INPUT: a parameter or the body does not match this document (problem+json)', when: (o) => (o.parameters?.length ?? 0) > 0 || o.requestBody !== undefined },
  413: { description: 'PAYLOAD_TOO_LARGE: the body is larger than the API accepts (problem+json)', when: (o) => o.requestBody !== undefined },
  503: {
    description: 'DEPENDENCY_UNAVAILABLE: PostgreSQL or Temporal cannot be reached just now; retry after Retry-After seconds (problem+json)',
    when: (_, path) => path !== '/healthz' && !path.startsWith('/docs'),
    headers: { 'retry-after': { schema: { type: 'integer', minimum: 1 }, description: 'Seconds to wait before retrying' } },
  },
};

/**
 * zod-to-openapi renders a registered schema made nullable (`decision: taskDecision.nullable()`)
 * as `allOf: [{$ref}, {type: [T, 'null']}]`, which no null satisfies (the `$ref` is an object);
 * a validating client then rejects every true null. Rewritten everywhere to what it means:
 * `anyOf: [{$ref}, {type: 'null'}]`.
 */
function nullableReferences(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(nullableReferences);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Json;
  const parts = schema.allOf as Json[] | undefined;
  const [reference, nullable] = parts ?? [];
  if (
    parts?.length === 2 &&
    typeof reference?.$ref === 'string' &&
    nullable !== undefined &&
    Object.keys(nullable).length === 1 &&
    Array.isArray(nullable.type) &&
    nullable.type.includes('null')
  ) {
    delete schema.allOf;
    schema.anyOf = [reference, { type: 'null' }];
  }
  Object.values(schema).forEach(nullableReferences);
}

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The document with the answers every route shares filled in; mutates and returns it. */
export function withCommonAnswers<D extends { paths?: object; components?: object }>(document: D): D {
  const components = (document.components ?? {}) as { schemas?: Json };
  document.components = { ...components, schemas: { ...components.schemas, Problem: problemSchema } };
  nullableReferences(document);
  for (const [path, methods] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    for (const [method, value] of Object.entries(methods)) {
      if (!httpMethods.has(method)) continue;
      const operation = value as Operation;
      const responses = (operation.responses ??= {});
      for (const [status, { description, when, headers }] of Object.entries(common)) {
        if (!responses[status] && when(operation, path)) responses[status] = { description, ...(headers ? { headers } : {}) };
      }
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400 && response.content === undefined) response.content = problemContent;
      }
    }
  }
  return document;
}
