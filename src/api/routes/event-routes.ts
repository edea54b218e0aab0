import type { ApiApp, RouteContext } from '../api-types.js';
import { ErrorSchema, SseSchema } from '../schemas.js';

/** Server-sent events for the dashboard. */
export function registerEventRoutes(app: ApiApp, { events }: RouteContext): void {
  app.get(
    '/api/v1/events',
    {
      schema: {
        summary: 'Server-sent events: stats (1/s), exam, health, model, inference',
        tags: ['events'],
        response: { 200: { content: { 'text/event-stream': { schema: SseSchema } } }, 401: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      // Throws (503, coded) before anything is written when the stream is full.
      events.attach(reply.raw, request.headers.origin);
      reply.hijack();
    },
  );
}
