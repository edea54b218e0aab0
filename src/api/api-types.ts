import type { FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Logger } from '../core/logger.js';
import type { ApiAuthSettings } from './auth.js';
import type { ApiView } from './api-view.js';
import type { EventStreamHub } from './event-stream.js';
import type { LatencyWindow } from './latency-window.js';
import type { ModelTracker } from './model-tracker.js';
import type { OpenApiCollector } from './openapi.js';
import type { StaticFile } from './dashboard-files.js';

export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>;

/** What every route module gets: the daemon's view and the app's own shared parts. */
export interface RouteContext {
  readonly view: ApiView;
  readonly auth: ApiAuthSettings;
  readonly latency: LatencyWindow;
  readonly models: ModelTracker;
  readonly events: EventStreamHub;
  readonly openapi: OpenApiCollector;
  readonly dashboard: ReadonlyMap<string, StaticFile>;
  /** Monotonic ms when the app was built (uptime). */
  readonly startedAt: number;
}

declare module 'fastify' {
  /** Documentation fields the OpenAPI document reads from each route's schema. */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    hide?: boolean;
  }
}
