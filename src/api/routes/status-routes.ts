import type { ApiApp, RouteContext } from '../api-types.js';
import { ErrorSchema, ModelSchema, StatusSchema } from '../schemas.js';
import { statusBody } from '../status-body.js';

/** The dashboard's overview and the model's state. */
export function registerStatusRoutes(app: ApiApp, ctx: RouteContext): void {
  app.get(
    '/api/v1/status',
    { schema: { summary: 'Exam state, capture, latency, health, model and exam counts in one document', tags: ['status'], response: { 200: StatusSchema, 401: ErrorSchema } } },
    async () => statusBody(ctx.view, ctx.latency, ctx.startedAt),
  );

  app.get(
    '/api/v1/model',
    { schema: { summary: 'Active model, update candidate and phase, model events since start', tags: ['model'], response: { 200: ModelSchema, 401: ErrorSchema } } },
    async () => ctx.models.body(),
  );
}
