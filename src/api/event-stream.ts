import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import { MyoError } from '../core/errors.js';
import type { ApiView } from './api-view.js';
import { healthBody } from './health-body.js';
import type { LatencyWindow } from './latency-window.js';
import type { ModelTracker } from './model-tracker.js';
import { examState } from './status-body.js';

export interface EventStreamOptions {
  readonly maxClients: number;
  /** A comment line this often keeps proxies and the browser from timing the stream out. */
  readonly heartbeatMs?: number;
  /** How often frame statistics (fps, drops, latency, exam progress) go out. */
  readonly statsMs?: number;
  /** How often the full health body goes out even without a change. */
  readonly healthMs?: number;
}

/**
 * Server-sent events for the dashboard (`/api/v1/events`): `stats` (frame statistics and exam progress, once a
 * second), `exam` (started / ended), `health` (on change and every few seconds), `model` (load and update
 * progress), `inference` (rate changes). Bus listeners and timers exist only while a client is connected; at most
 * `maxClients` at once; `closeAll()` ends every stream (the app calls it before the server closes).
 */
/** Bytes an event-stream client may leave unread before it is cut off (minutes of events). */
const MAX_UNREAD_BYTES = 256 * 1024;

export class EventStreamHub {
  readonly #view: ApiView;
  readonly #latency: LatencyWindow;
  readonly #models: ModelTracker;
  readonly #logger: Logger;
  readonly #options: Required<EventStreamOptions>;
  readonly #clients = new Set<ServerResponse>();
  #off: (() => void)[] = [];
  #timers: NodeJS.Timeout[] = [];
  #nextId = 1;

  constructor(deps: { view: ApiView; latency: LatencyWindow; models: ModelTracker; logger: Logger }, options: EventStreamOptions) {
    this.#view = deps.view;
    this.#latency = deps.latency;
    this.#models = deps.models;
    this.#logger = deps.logger;
    this.#options = { heartbeatMs: 15_000, statsMs: 1000, healthMs: 5000, ...options };
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Takes over a response as an event stream; refuses (MYO_ERR_TOO_MANY_CLIENTS) past the cap. */
  attach(response: ServerResponse, origin?: string): void {
    if (this.#clients.size >= this.#options.maxClients) {
      throw new MyoError('MYO_ERR_TOO_MANY_CLIENTS', `the event stream already has ${this.#clients.size} clients (api.maxEventClients)`);
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...(origin ? { vary: 'origin' } : {}),
    });
    response.write('retry: 2000\n\n');
    this.#clients.add(response);
    response.on('close', () => this.#detach(response));
    if (this.#clients.size === 1) this.#subscribe();
    this.#send(response, 'health', healthBody(this.#view.health.checks()));
    this.#send(response, 'stats', this.#stats());
    this.#send(response, 'model', this.#models.body());
  }

  closeAll(): void {
    for (const client of [...this.#clients]) client.end();
    this.#clients.clear();
    this.#unsubscribe();
  }

  #detach(response: ServerResponse): void {
    this.#clients.delete(response);
    if (this.#clients.size === 0) this.#unsubscribe();
  }

  #subscribe(): void {
    const { bus } = this.#view;
    const every = (ms: number, fn: () => void): void => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#options.statsMs, () => this.#broadcast('stats', this.#stats()));
    every(this.#options.healthMs, () => this.#broadcast('health', healthBody(this.#view.health.checks())));
    every(this.#options.heartbeatMs, () => {
      for (const client of this.#clients) client.write(': ping\n\n');
    });
    this.#off.push(
      bus.on('examStarted', (e) => this.#broadcast('exam', { event: 'started', examId: e.examId, cause: e.cause, exam: examState(this.#view.exam(), this.#view.now()) })),
      bus.on('examEnded', (e) =>
        this.#broadcast('exam', { event: 'ended', examId: e.examId, decision: e.decision, reason: e.reason, score: e.score, cause: e.cause, exam: examState(this.#view.exam(), this.#view.now()) }),
      ),
      bus.on('healthChanged', () => this.#broadcast('health', healthBody(this.#view.health.checks()))),
      bus.on('modelLoaded', () => this.#broadcast('model', this.#models.body())),
      bus.on('modelStateChanged', () => this.#broadcast('model', this.#models.body())),
      bus.on('inferenceRateChanged', (e) => this.#broadcast('inference', { stride: e.stride, previous: e.previous, p95Ms: e.p95Ms, budgetMs: e.budgetMs })),
    );
  }

  #unsubscribe(): void {
    for (const off of this.#off) off();
    this.#off = [];
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  #stats(): Record<string, unknown> {
    const capture = this.#view.capture();
    const pipeline = this.#view.pipeline();
    return {
      fps: Math.round(capture.fps * 10) / 10,
      framesCaptured: capture.framesCaptured,
      framesDropped: capture.framesDropped,
      signal: capture.signal,
      stride: pipeline.stride,
      inferred: pipeline.inferred,
      rejected: pipeline.rejected,
      latencyMs: this.#latency.percentiles(),
      exam: examState(this.#view.exam(), this.#view.now()),
    };
  }

  #broadcast(event: string, data: unknown): void {
    for (const client of this.#clients) this.#send(client, event, data);
  }

  #send(client: ServerResponse, event: string, data: unknown): void {
    // A client that stopped reading (a frozen tab, a half-dead link) would otherwise buffer every event in this
    // process for as long as its socket lives: past the limit it is cut off, and EventSource-style clients reconnect.
    if (client.writableLength > MAX_UNREAD_BYTES) {
      this.#logger.warn({ unreadBytes: client.writableLength }, 'event stream client is not reading; closing it');
      this.#detach(client);
      client.destroy();
      return;
    }
    try {
      client.write(`id: ${this.#nextId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      this.#nextId += 1;
    } catch (error) {
      this.#logger.debug({ err: error }, 'event stream write failed');
      this.#detach(client);
    }
  }
}
