import { cpus, platform, arch, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { HealthCheck } from '../api/health.js';
import { healthBody } from '../api/health-body.js';
import type { Config } from '../core/config/index.js';
import { MyoError, toMyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';
import type { ExamStore } from '../records/exam-store.js';
import {
  encodePayload,
  examSummaryFromRecord,
  HEALTH_EXPIRY_S,
  TOPICS,
  topicFor,
  type Envelope,
  type EventType,
  type OutboundTopicName,
  type TopicBody,
  type TopicParams,
} from './contract/index.js';
import { CommandHandler, type CommandActions } from './commands/command-handler.js';
import { topicMatches } from './topic-filter.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { MqttConnection } from './mqtt/mqtt-connection.js';
import { createMessageIdGenerator } from './outbox/message-id.js';
import type { OutboxClass } from './outbox/outbox.js';
import { SqliteOutbox } from './outbox/sqlite-outbox.js';
import { OutboxDrainer } from './outbox-drainer.js';
import { nextSession } from './session-counter.js';

/** What telemetry reads from the rest of the daemon (narrow, so tests can hand in fakes). */
export interface TelemetryView {
  health(): { status: 'ok' | 'degraded' | 'failed'; ready: boolean; checks: Readonly<Record<string, HealthCheck>> };
  model(): { id: string; version: string; sha256: string; provider: string } | null;
  metrics(): { fps: number; framesDropped: number; inferenceStride: number; latencyMs: { p50: number; p95: number; p99: number } | null; eventLoopLagMs: number };
  /** The effective configuration with secrets redacted. */
  config(): Record<string, unknown>;
  /** Installed model, candidate and update phase for the retained `model/state`. */
  modelState(): TopicBody<'modelState'>;
  /** The commands the daemon carries out; telemetry answers health_check, republish and config/get itself. */
  readonly commands: Omit<CommandActions, 'health' | 'republish' | 'config'>;
}

type MessageHandler = (topic: string, payload: Buffer) => void;

const HEALTH_EVERY_MS = 60_000;

/**
 * Telemetry over MQTT (ARCHITECTURE section 6): the connection (or the embedded broker when none is configured),
 * the durable outbox and its drainer, the publishers and the command handler. Retained state (`info`, `status`) is
 * published directly on each connection, `info` before `online`; everything that must not be lost goes through the
 * outbox. Commands arrive on `cmd/req/#` and are answered on `cmd/res/{name}`; nothing a request contains can crash
 * the daemon.
 */
export class TelemetryService implements Lifecycle {
  readonly name = 'telemetry';
  readonly #config: Readonly<Config>;
  readonly #bus: EventBus;
  readonly #logger: Logger;
  readonly #view: TelemetryView;
  readonly #store: ExamStore;
  readonly #version: string;
  readonly #newId = createMessageIdGenerator();
  #session = 0;
  #broker: EmbeddedBroker | null = null;
  #connection: MqttConnection | null = null;
  #outbox: SqliteOutbox | null = null;
  #drainer: OutboxDrainer | null = null;
  #timers: NodeJS.Timeout[] = [];
  #offBus: (() => void)[] = [];
  #commands: CommandHandler | null = null;
  readonly #subscriptions = new Set<{ readonly filter: string; readonly handler: MessageHandler }>();
  #startError: string | null = null;

  constructor(deps: { config: Readonly<Config>; bus: EventBus; logger: Logger; view: TelemetryView; store: ExamStore; version: string }) {
    this.#config = deps.config;
    this.#bus = deps.bus;
    this.#logger = deps.logger;
    this.#view = deps.view;
    this.#store = deps.store;
    this.#version = deps.version;
  }

  get connection(): MqttConnection | null {
    return this.#connection;
  }

  get brokerUrl(): string | null {
    return this.#config.mqtt.url || (this.#broker?.address ? this.#broker.url : null);
  }

  stats(): { connected: boolean; pending: number; commandsHandled: number; commandsRefused: number; commandsRepeated: number } {
    const c = this.#commands?.stats();
    return {
      connected: this.#connection?.connected ?? false,
      pending: this.#outbox?.size() ?? 0,
      commandsHandled: c?.handled ?? 0,
      commandsRefused: c?.refused ?? 0,
      commandsRepeated: c?.repeated ?? 0,
    };
  }

  /**
   * Receives the messages on `filter` (QoS 1, persistent session) from now on, across reconnects; the fleet update
   * agent listens for its jobs this way. Returns the unsubscribe function (local only: the broker keeps the filter
   * in the persistent session until the next start, which costs nothing).
   */
  subscribe(filter: string, handler: MessageHandler): () => void {
    const entry = { filter, handler };
    this.#subscriptions.add(entry);
    if (this.#connection?.connected) void this.#connection.subscribe([filter]);
    return () => this.#subscriptions.delete(entry);
  }

  /**
   * Publishes a contract topic through the durable outbox: checked against its schema, enveloped, on disk before
   * this returns (MYO_ERR_OUTBOX_FULL when its class cannot make room), sent in order when the broker is reachable.
   */
  publishDurable<N extends OutboundTopicName>(name: N, params: TopicParams<N>, body: TopicBody<N>): void {
    const spec = TOPICS[name];
    const klass = spec.outbox;
    if (klass === null) throw new TypeError(`${name} does not travel through the outbox`);
    const drainer = this.#drainer;
    if (!drainer) throw new MyoError('MYO_ERR_NOT_READY', `telemetry is not started: ${name} not queued`);
    const expiresAt = spec.messageExpiryS === null ? null : Date.now() + spec.messageExpiryS * 1000;
    drainer.enqueue({ topic: topicFor(this.#config.device.id, name, params), payload: this.#encode(name, body), qos: spec.qos, retain: spec.retained, class: klass, expiresAt });
  }

  #dispatch(topic: string, payload: Buffer): void {
    for (const { filter, handler } of this.#subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      try {
        handler(topic, payload);
      } catch (error) {
        this.#logger.error({ err: error, topic: topic.slice(0, 200) }, 'MQTT message handler failed');
      }
    }
  }

  #publishModelState(): void {
    try {
      this.publishDurable('modelState', {}, this.#view.modelState());
    } catch (error) {
      this.#logger.error({ err: error }, 'model/state could not be queued');
    }
  }

  health(): HealthCheck {
    const c = this.#connection;
    if (!c) return { status: 'degraded', reason: this.#startError ?? 'telemetry not started', critical: false };
    const pending = this.#outbox?.size() ?? 0;
    if (!c.connected) return { status: 'degraded', reason: `broker unreachable, ${pending} message(s) held in the outbox`, critical: false };
    return { status: 'ok', reason: `connected to ${this.brokerUrl ?? '?'} (MQTT ${c.protocolVersion === 5 ? '5' : '3.1.1'}), ${pending} pending`, critical: false };
  }

  #envelope(): Envelope {
    return { v: 1, messageId: this.#newId(), sentAt: new Date().toISOString(), deviceId: this.#config.device.id, session: this.#session };
  }

  #encode<N extends OutboundTopicName>(name: N, body: TopicBody<N>): Buffer {
    return encodePayload(name, body, this.#envelope());
  }

  /** Queues a must-not-lose message durably (resolves once it is on disk), then wakes the drainer. */
  #enqueue(topic: string, payload: Buffer, klass: OutboxClass, options: { qos?: 0 | 1; retain?: boolean; expiresAt?: number } = {}): void {
    const drainer = this.#drainer;
    if (!drainer) return;
    try {
      drainer.enqueue({ topic, payload, qos: options.qos ?? 1, retain: options.retain ?? false, class: klass, expiresAt: options.expiresAt ?? null });
    } catch (error) {
      this.#logger.error({ err: error, topic }, 'telemetry message could not be queued');
    }
  }

  async start(): Promise<void> {
    const { mqtt, state, device } = this.#config;
    const stateDir = resolve(state.dir);
    this.#session = nextSession(join(stateDir, 'mqtt-session'));
    this.#outbox = SqliteOutbox.open(join(stateDir, 'outbox.sqlite'), mqtt.outbox);
    let url = mqtt.url;
    if (url === '') {
      const broker = new EmbeddedBroker({ host: mqtt.embedded.host, port: mqtt.embedded.port, logger: this.#logger });
      try {
        await broker.start();
      } catch (error) {
        // Telemetry is not screening: a port already taken (a second daemon, a local mosquitto) degrades, it does not
        // stop the appliance. Messages stay in the outbox for the next start.
        this.#startError = toMyoError(error).message;
        this.#logger.error({ err: error }, 'embedded MQTT broker could not start; telemetry stays queued in the outbox');
        return;
      }
      this.#broker = broker;
      url = broker.url;
    }
    const commandFilter = `${topicFor(device.id, 'commandRequest', { name: 'x' }).slice(0, -1)}#`;
    const commands = new CommandHandler({
      deviceId: device.id,
      logger: this.#logger,
      envelope: () => this.#envelope(),
      publish: (topic, payload, correlationData) => {
        const c = this.#connection;
        if (!c?.connected) return Promise.reject(new MyoError('MYO_ERR_NOT_READY', 'MQTT is not connected'));
        return c.publish(topic, payload, { qos: 1, ...(correlationData ? { properties: { correlationData } } : {}) });
      },
      actions: {
        ...this.#view.commands,
        health: () => this.#view.health(),
        republish: (topics) => this.#republish(topics),
        config: () => this.#view.config(),
      },
    });
    this.#commands = commands;
    const connection = new MqttConnection({
      url,
      deviceId: device.id,
      session: this.#session,
      // aedes does not speak MQTT 5 fully (FACTS.md): the embedded broker gets 3.1.1.
      protocol: this.#broker ? 4 : mqtt.protocol,
      tls: {
        ...(mqtt.tls.caFile ? { caFile: mqtt.tls.caFile } : {}),
        ...(mqtt.tls.certFile ? { certFile: mqtt.tls.certFile } : {}),
        ...(mqtt.tls.keyFile ? { keyFile: mqtt.tls.keyFile } : {}),
      },
      willDelaySec: mqtt.willDelaySec,
      keepaliveSec: mqtt.keepaliveSec,
      reconnect: mqtt.reconnect,
      logger: this.#logger,
      statusPayload: (s) => this.#encode('status', { state: s }).toString(),
      onDisconnected: () => this.#drainer?.linkLost(),
      onMessage: (topic, payload, packet) => {
        if (topicMatches(commandFilter, topic)) void commands.handle(topic, payload, packet);
        else this.#dispatch(topic, payload);
      },
      onConnected: async (c) => {
        await c.subscribe([commandFilter, ...[...this.#subscriptions].map((s) => s.filter)]);
        await c.publish(topicFor(device.id, 'info', {}), this.#infoPayload(), { qos: 1, retain: true });
        await c.publish(topicFor(device.id, 'status', {}), this.#encode('status', { state: 'online' }), { qos: 1, retain: true });
        this.#publishHealth();
        this.#publishModelState();
        this.#drainer?.kick();
      },
    });
    this.#connection = connection;
    this.#drainer = new OutboxDrainer({ outbox: this.#outbox, link: connection, logger: this.#logger });
    await this.#drainer.start();
    await connection.start();
    this.#listen();
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(HEALTH_EVERY_MS, () => this.#publishHealth());
    every(mqtt.metricsIntervalMs, () => this.#publishMetrics());
  }

  #infoPayload(): Buffer {
    const model = this.#view.model();
    return this.#encode('info', {
      daemonVersion: this.#version,
      nodeVersion: process.version,
      hardware: { platform: platform(), arch: arch(), model: null, cpus: Math.max(1, cpus().length), memoryMb: Math.round(totalmem() / 2 ** 20) },
      model: model ? { id: model.id, version: model.version, sha256: model.sha256 } : null,
      provider: model?.provider ?? null,
      config: this.#view.config(),
    });
  }

  #publishHealth(): void {
    const expiresAt = Date.now() + HEALTH_EXPIRY_S * 1000;
    // The same body as /healthz, with this connection's own check in it.
    const body = healthBody({ ...this.#view.health().checks, mqtt: this.health() });
    const payload = this.#encode('health', { ...body, expiresAt: new Date(expiresAt).toISOString() });
    this.#enqueue(topicFor(this.#config.device.id, 'health', {}), payload, 'health', { retain: true, expiresAt });
  }

  #publishMetrics(): void {
    const m = this.#view.metrics();
    const payload = this.#encode('metrics', { intervalS: this.#config.mqtt.metricsIntervalMs / 1000, ...m });
    this.#enqueue(topicFor(this.#config.device.id, 'metrics', {}), payload, 'metrics', { qos: 0, expiresAt: Date.now() + this.#config.mqtt.metricsIntervalMs * 3 });
  }

  #event(type: EventType, reason: string, data?: Record<string, string | number | boolean | null>): void {
    const payload = this.#encode('event', { type, at: new Date().toISOString(), reason: reason.slice(0, 500), ...(data ? { data } : {}) });
    this.#enqueue(topicFor(this.#config.device.id, 'event', { type }), payload, 'event');
  }

  #listen(): void {
    const bus = this.#bus;
    this.#offBus.push(
      bus.on('examEnded', (e) => {
        const record = this.#store.get(e.examId);
        if (!record) return;
        this.#enqueue(topicFor(this.#config.device.id, 'examSummary', {}), this.#encode('examSummary', examSummaryFromRecord(record)), 'exam_summary');
      }),
      bus.on('signalChanged', (e) => {
        if (e.state === 'no_signal' || e.state === 'disconnected') this.#event('signal_lost', e.reason);
        else if (e.state === 'ok' && (e.previous === 'no_signal' || e.previous === 'disconnected')) this.#event('signal_restored', e.reason);
      }),
      bus.on('throttlingChanged', (e) => this.#event(e.throttled ? 'throttling_started' : 'throttling_ended', e.reason)),
      bus.on('displayDisconnected', (e) => this.#event('display_lost', e.reason)),
      bus.on('displayConnected', () => this.#event('display_restored', 'display answered')),
      bus.on('modelLoaded', (e) => {
        this.#event('model_activated', `${e.id} ${e.version} on ${e.provider}`, { id: e.id, version: e.version });
        const c = this.#connection;
        if (c?.connected) void c.publish(topicFor(this.#config.device.id, 'info', {}), this.#infoPayload(), { qos: 1, retain: true }).catch(() => undefined);
        this.#publishModelState();
      }),
      bus.on('healthChanged', () => this.#publishHealth()),
      bus.on('modelStateChanged', () => this.#publishModelState()),
    );
  }

  #republish(topics: readonly string[]): { republished: readonly string[] } {
    const c = this.#connection;
    const id = this.#config.device.id;
    if (c?.connected) {
      if (topics.includes('info')) void c.publish(topicFor(id, 'info', {}), this.#infoPayload(), { qos: 1, retain: true }).catch(() => undefined);
      if (topics.includes('status')) void c.publish(topicFor(id, 'status', {}), this.#encode('status', { state: 'online' }), { qos: 1, retain: true }).catch(() => undefined);
    }
    if (topics.includes('health')) this.#publishHealth();
    if (topics.includes('model/state')) this.#publishModelState();
    return { republished: topics };
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const off of this.#offBus) off();
    this.#offBus = [];
    await this.#drainer?.stop();
    await this.#connection?.stop();
    await this.#broker?.stop();
    this.#outbox?.close();
  }
}
