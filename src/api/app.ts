import { createServer as createHttpsServer } from 'node:https';
import { fastify, LogController, type FastifyError, type FastifyReply, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import type { Logger } from '../core/logger.js';
import { isMyoError, MyoError } from '../core/errors.js';
import { stageDurations } from '../pipeline/frame-timings.js';
import type { ApiView } from './api-view.js';
import type { ApiApp, RouteContext } from './api-types.js';
import { FailedAttemptLimiter, matchBearer, type ApiAuthSettings } from './auth.js';
import { loadDashboardFiles } from './dashboard-files.js';
import { EventStreamHub, type EventStreamOptions } from './event-stream.js';
import { LatencyWindow } from './latency-window.js';
import { ModelTracker } from './model-tracker.js';
import { OpenApiCollector } from './openapi.js';
import { registerDashboardRoutes } from './routes/dashboard-routes.js';
import { registerImageRoutes } from './routes/display-routes.js';
import { registerEventRoutes } from './routes/event-routes.js';
import { registerExamRoutes } from './routes/exam-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerSelfTestRoutes } from './routes/selftest-routes.js';
import { registerStatusRoutes } from './routes/status-routes.js';

export type { ApiApp } from './api-types.js';

export interface ApiDeps {
  readonly logger: Logger;
  readonly view: ApiView;
  readonly auth: ApiAuthSettings;
  /** PEM key and certificate: the app serves HTTPS. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer } | null;
  /** Folder of the dashboard's static files; null or missing: the dashboard routes answer 404. */
  readonly dashboardDir?: string | null;
  readonly events?: EventStreamOptions;
  /** Monotonic ms for the failed-attempt limiter (tests pass a fake). */
  readonly now?: () => number;
}

/** Paths that carry no data and must load before a token can be entered: the dashboard shell. */
function isShell(path: string): boolean {
  return path === '/' || path === '/dashboard/' || path === '/dashboard' || path.startsWith('/dashboard/');
}

/** The catalogue code for a fastify or validation error of this status. */
function codeForStatus(status: number): string {
  if (status === 404) return 'MYO_ERR_NOT_FOUND';
  if (status === 401) return 'MYO_ERR_UNAUTHORIZED';
  if (status === 429) return 'MYO_ERR_RATE_LIMITED';
  return 'MYO_ERR_BAD_REQUEST';
}

/**
 * Builds the HTTP app without listening, so tests `inject()` into it and the server part only calls `listen`.
 * Every route has TypeBox schemas (validated in, serialised out, and published as /api/v1/openapi.json). Errors
 * leave as `{ code, message }` with the catalogue's status: a bad request is a coded 4xx, never a 5xx or a stack.
 */
export function buildApiApp(deps: ApiDeps): ApiApp {
  const { view, auth, logger } = deps;
  const now = deps.now ?? ((): number => performance.now());
  const tls = deps.tls ?? null;
  // fastify types the server by its options; an HTTPS server hands the app the same request/response objects.
  const serverFactory: FastifyServerFactory | null = tls
    ? (handler) => createHttpsServer({ key: tls.key, cert: tls.cert }, handler)
    : null;
  const app: ApiApp = fastify({
    loggerInstance: logger,
    // Scrapes and health probes arrive every few seconds: per-request lines would drown the log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    // Query strings, headers and URLs are untrusted: bounded, and parameters longer than this are a 414/400.
    routerOptions: { maxParamLength: 200 },
    ...(serverFactory ? { serverFactory } : {}),
    // A URL the router cannot decode (`/%`) never reaches the error handler: answer it here, coded, as a 400.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply.status(400).send({ code: 'MYO_ERR_BAD_REQUEST', message: error.message });
    },
  });
  if (auth.open) logger.warn('api.auth.tokens is empty: the API on loopback is open to every local process');

  const openapi = new OpenApiCollector();
  app.addHook('onRoute', (route) => openapi.collect(route));
  const latency = new LatencyWindow();
  const models = new ModelTracker(view);
  const events = new EventStreamHub({ view, latency, models, logger }, { maxClients: 8, ...deps.events });
  const ctx: RouteContext = {
    view,
    auth,
    latency,
    models,
    events,
    openapi,
    dashboard: deps.dashboardDir ? loadDashboardFiles(deps.dashboardDir) : new Map(),
    startedAt: view.now(),
  };

  let offFrames: (() => void) | null = null;
  app.addHook('onReady', async () => {
    models.start();
    offFrames = view.frames.onFrame((result) => {
      if (result.probability !== null) latency.record(stageDurations(result.timings).captureToDecision);
    });
  });
  // Open event streams would keep server.close() waiting: end them first.
  app.addHook('preClose', async () => events.closeAll());
  app.addHook('onClose', async () => {
    offFrames?.();
    offFrames = null;
    models.stop();
  });

  const limiter = new FailedAttemptLimiter(auth, now);
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (auth.open || auth.publicRoutes.has(path) || isShell(path)) return;
    const wait = limiter.blockedFor(request.ip);
    if (wait > 0) {
      void reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw new MyoError('MYO_ERR_RATE_LIMITED', `too many failed attempts from this address; retry in ${Math.ceil(wait / 1000)} s`);
    }
    const header = request.headers.authorization;
    const client = matchBearer(auth.tokens, header);
    if (client === null) {
      // Only a presented, wrong token counts towards the limit: a dashboard that has no token yet is not guessing.
      if (header !== undefined) {
        limiter.recordFailure(request.ip);
        request.log.warn({ ip: request.ip, path }, 'API request with an unknown bearer token');
      }
      void reply.header('www-authenticate', 'Bearer realm="myoscreen"');
      throw new MyoError('MYO_ERR_UNAUTHORIZED', header === undefined ? 'a bearer token is required' : 'the bearer token is not valid');
    }
    limiter.recordSuccess(request.ip);
  });

  app.setErrorHandler((error, request, reply) => {
    if (isMyoError(error)) {
      if (error.httpStatus >= 500 && error.code !== 'MYO_ERR_TOO_MANY_CLIENTS') request.log.error({ err: error }, 'request failed');
      void reply.status(error.httpStatus).send({ code: error.code, message: error.message });
      return;
    }
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send({
      code: status >= 500 ? 'MYO_ERR_INTERNAL' : codeForStatus(status),
      message: status >= 500 ? 'internal error' : error instanceof Error ? error.message : 'bad request',
    });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'MYO_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.slice(0, 200)}` });
  });

  registerHealthRoutes(app, ctx);
  registerStatusRoutes(app, ctx);
  registerExamRoutes(app, ctx);
  registerSelfTestRoutes(app, ctx);
  registerImageRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerDashboardRoutes(app, ctx);
  return app;
}
