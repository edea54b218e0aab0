import { isReady } from '../health.js';
import { healthBody } from '../health-body.js';
import type { ApiApp, RouteContext } from '../api-types.js';
import { ErrorSchema, HealthBodySchema, LivezSchema, MetricsTextSchema, ReadyzSchema } from '../schemas.js';

/** Probes for the supervisor and the scraper: liveness, readiness, verbose health and Prometheus metrics. */
export function registerHealthRoutes(app: ApiApp, { view }: RouteContext): void {
  app.get('/livez', { schema: { summary: 'The process runs and answers', tags: ['health'], response: { 200: LivezSchema } } }, async () => ({
    status: 'alive' as const,
    version: view.version,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Ready to screen: capture, model and storage; MQTT and the display degrade without blocking',
        tags: ['health'],
        response: { 200: ReadyzSchema, 503: ReadyzSchema },
      },
    },
    async (_request, reply) => {
      const checks = view.health.checks();
      const ready = isReady(checks);
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );

  app.get(
    '/healthz',
    { schema: { summary: 'Verbose health: the same body as the MQTT health message', tags: ['health'], response: { 200: HealthBodySchema, 401: ErrorSchema } } },
    async () => healthBody(view.health.checks()),
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text format)', tags: ['health'], response: { 200: { content: { 'text/plain': { schema: MetricsTextSchema } } } } } },
    async (_request, reply) => {
      const body = await view.metrics.render();
      return reply.header('content-type', view.metrics.contentType).send(body);
    },
  );
}
