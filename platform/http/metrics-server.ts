// The API's /metrics on an address of their own (API_METRICS_ADDRESS), e.g. an interface only
// Prometheus reaches, instead of the API's public port.
import { createRouter } from './router.ts';
import { metricsHandler } from './observability.ts';
import { listen, type Api, type ApiConfig, type HttpServer } from './server.ts';

/** Serves `api`'s metrics on API_METRICS_ADDRESS; undefined when that is unset or API_METRICS is off. */
export async function listenMetrics(api: Pick<Api, 'metrics'>, config: Pick<ApiConfig, 'API_METRICS' | 'API_METRICS_ADDRESS'>): Promise<HttpServer | undefined> {
  if (config.API_METRICS === false || config.API_METRICS_ADDRESS === undefined) return undefined;
  const separator = config.API_METRICS_ADDRESS.lastIndexOf(':');
  const hostname = config.API_METRICS_ADDRESS.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const app = createRouter();
  app.get('/metrics', metricsHandler(api.metrics));
  return listen(app, { hostname, port: Number(config.API_METRICS_ADDRESS.slice(separator + 1)) });
}
