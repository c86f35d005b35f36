// What the API tells operators about its requests: one log line per request (method, route,
// status, duration, principal, request id) and Prometheus metrics at GET /metrics: requests by
// route template, method and status, a latency histogram per route template, requests in flight,
// and the Node.js process metrics. docs/deployment.md says which Grafana panels read them.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { silentLogger, type Logger } from '../logging.ts';
import { REQUEST_ID_HEADER, inRequest, requestIdFrom } from './request-context.ts';

export interface ApiMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  inFlight: Gauge;
}

/** The API's metrics, in a registry of their own (one per app, so tests can build several). */
export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'custodian_api_requests_total',
      help: 'HTTP requests answered, by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'custodian_api_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template and method',
      labelNames: ['method', 'route'],
      // From a cached read to a decision that waits for its workflow (API_WORKFLOW_WAIT_MS).
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'custodian_api_requests_in_flight', help: 'HTTP requests being handled', registers: [registry] }),
  };
}

/** Requests no route answered share one label, so that probing random paths cannot grow the series. */
const UNMATCHED = '(unmatched)';
/** Probes and scrapes, every few seconds: logged at debug unless they fail. */
const probes = new Set(['/healthz', '/readyz', '/metrics']);

/** The template of the route that answered ("/api/v1/tasks/:id/complete"), not the path. */
function routeTemplate(c: Context): string {
  const handler = matchedRoutes(c).filter((route) => route.method !== 'ALL').at(-1);
  return handler?.path ?? UNMATCHED;
}

/** The request id, the access log line and the metrics, around every request. */
function observeRequests(logger: Logger, metrics: ApiMetrics): MiddlewareHandler {
  return async (c, next) => {
    const requestId = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', requestId);
    const started = performance.now();
    metrics.inFlight.inc();
    try {
      await inRequest(requestId, next);
    } finally {
      metrics.inFlight.dec();
    }
    c.header(REQUEST_ID_HEADER, requestId);
    const seconds = (performance.now() - started) / 1000;
    const route = routeTemplate(c);
    const status = c.res.status;
    metrics.requests.inc({ method: c.req.method, route, status: String(status) });
    metrics.duration.observe({ method: c.req.method, route }, seconds);
    const principal = c.get('user') as { id?: string } | undefined;
    logger[status >= 500 ? 'error' : probes.has(route) && status < 400 ? 'debug' : 'info'](
      { requestId, method: c.req.method, route, path: c.req.path, status, durationMs: Math.round(seconds * 1000), principal: principal?.id ?? null },
      'request',
    );
  };
}

/** Serves the metrics in Prometheus's text exposition format. */
export function metricsHandler(metrics: ApiMetrics): (c: Context) => Promise<Response> {
  return async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
}

export interface ObservabilityDeps {
  /** The access log; silent when absent. */
  logger?: Logger;
  /** The API's metrics; a registry of the app's own when absent. */
  metrics?: ApiMetrics;
  /** Serve GET /metrics on the app itself (API_METRICS, and no API_METRICS_ADDRESS). Default: yes. */
  serveMetrics?: boolean;
}

/** Installs the request id, access log and metrics on `app`, before any of its routes. */
export function observe(app: OpenAPIHono, deps: ObservabilityDeps): void {
  const metrics = deps.metrics ?? createApiMetrics();
  app.use('*', observeRequests(deps.logger ?? silentLogger, metrics));
  if (deps.serveMetrics !== false) app.get('/metrics', metricsHandler(metrics));
}
