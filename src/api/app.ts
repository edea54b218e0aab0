import { fastify, LogController } from 'fastify';
import type { Logger } from '../core/logger.js';
import { isMyoError } from '../core/errors.js';
import type { MetricsRegistry } from '../telemetry/metrics.js';
import { isReady, type HealthView } from './health.js';

export interface ApiDeps {
  readonly logger: Logger;
  readonly health: HealthView;
  readonly metrics: MetricsRegistry;
  readonly version: string;
}

/**
 * Builds the HTTP app without listening, so tests `inject()` into it and the server part only calls `listen`.
 * Errors leave as `{ code, message }` with the catalogue's status; never a stack trace.
 */
export function buildApiApp(deps: ApiDeps) {
  const app = fastify({
    loggerInstance: deps.logger,
    // Scrapes and health probes arrive every few seconds: per-request lines would drown the log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  });

  app.setErrorHandler((error, request, reply) => {
    if (isMyoError(error)) {
      void reply.status(error.httpStatus).send({ code: error.code, message: error.message });
      return;
    }
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send({
      code: status >= 500 ? 'MYO_ERR_INTERNAL' : 'MYO_ERR_BAD_REQUEST',
      message: status >= 500 ? 'internal error' : error instanceof Error ? error.message : 'bad request',
    });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'MYO_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url}` });
  });

  app.get('/livez', async () => ({ status: 'alive', version: deps.version }));

  app.get('/readyz', async (_request, reply) => {
    const checks = deps.health.checks();
    const ready = isReady(checks);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.render();
    return reply.header('content-type', deps.metrics.contentType).send(body);
  });

  return app;
}

export type ApiApp = ReturnType<typeof buildApiApp>;
