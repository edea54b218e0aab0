import { cpus, platform, arch, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { IPublishPacket } from 'mqtt';
import type { HealthCheck } from '../api/health.js';
import type { Config } from '../core/config/index.js';
import { MyoError, toMyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';
import type { ExamStore } from '../records/exam-store.js';
import {
  decodeCommand,
  encodePayload,
  examSummaryFromRecord,
  HEALTH_EXPIRY_S,
  isRequestExpired,
  topicFor,
  type Envelope,
  type EventType,
  type OutboundTopicName,
  type TopicBody,
} from './contract/index.js';
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
  setLogLevel(level: string): void;
}

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
  #commands = { handled: 0, refused: 0 };
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

  stats(): { connected: boolean; pending: number; commandsHandled: number; commandsRefused: number } {
    return { connected: this.#connection?.connected ?? false, pending: this.#outbox?.size() ?? 0, commandsHandled: this.#commands.handled, commandsRefused: this.#commands.refused };
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
      onConnected: async (c) => {
        c.subscribe(`${topicFor(device.id, 'commandRequest', { name: 'x' }).slice(0, -1)}#`, (topic, payload, packet) => void this.#onCommand(topic, payload, packet));
        await c.publish(topicFor(device.id, 'info', {}), this.#infoPayload(), { qos: 1, retain: true });
        await c.publish(topicFor(device.id, 'status', {}), this.#encode('status', { state: 'online' }), { qos: 1, retain: true });
        this.#publishHealth();
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
    const h = this.#view.health();
    const expiresAt = Date.now() + HEALTH_EXPIRY_S * 1000;
    const checks: Record<string, HealthCheck> = {};
    for (const [part, check] of Object.entries({ ...h.checks, mqtt: this.health() })) {
      checks[part] = { status: check.status, reason: check.reason.slice(0, 500), critical: check.critical };
    }
    const payload = this.#encode('health', { status: h.status, ready: h.ready, checks, expiresAt: new Date(expiresAt).toISOString() });
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
      }),
      bus.on('healthChanged', () => this.#publishHealth()),
    );
  }

  async #onCommand(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const { device } = this.#config;
    const decoded = decodeCommand(topic, payload, { deviceId: device.id });
    const respond = async (name: string, id: string, body: { ok: true; result?: unknown } | { ok: false; error: { code: string; message: string } }): Promise<void> => {
      const c = this.#connection;
      if (!c?.connected) return;
      const responseTopic = packet.properties?.responseTopic ?? topicFor(device.id, 'commandResponse', { name });
      const correlationData = packet.properties?.correlationData;
      const envelope = this.#envelope();
      let bytes: Buffer;
      try {
        bytes = encodePayload('commandResponse', { id, ...body }, envelope);
      } catch (error) {
        bytes = encodePayload('commandResponse', { id, ok: false, error: { code: 'MYO_ERR_INTERNAL', message: toMyoError(error).message.slice(0, 400) } }, envelope);
      }
      await c.publish(responseTopic, bytes, { qos: 1, ...(correlationData ? { properties: { correlationData } } : {}) }).catch(() => undefined);
    };
    if (!decoded.ok) {
      this.#commands.refused += 1;
      if (decoded.correlationId) await respond(decoded.name ?? 'unknown', decoded.correlationId, { ok: false, error: decoded.error });
      return;
    }
    const { name, request } = decoded;
    if (isRequestExpired(request, new Date())) {
      this.#commands.refused += 1;
      await respond(name, request.id, { ok: false, error: { code: 'MYO_ERR_MQTT_PAYLOAD', message: 'request expired before it arrived' } });
      return;
    }
    this.#commands.handled += 1;
    try {
      const result = this.#run(decoded);
      await respond(name, request.id, { ok: true, result });
    } catch (error) {
      const coded = toMyoError(error);
      await respond(name, request.id, { ok: false, error: { code: coded.code, message: coded.message.slice(0, 400) } });
    }
  }

  #run(decoded: Extract<ReturnType<typeof decodeCommand>, { ok: true }>): unknown {
    switch (decoded.name) {
      case 'health_check':
        return this.#view.health();
      case 'republish': {
        const c = this.#connection;
        if (c?.connected) void c.publish(topicFor(this.#config.device.id, 'info', {}), this.#infoPayload(), { qos: 1, retain: true }).catch(() => undefined);
        this.#publishHealth();
        return { republished: decoded.request.args.topics ?? ['status', 'info', 'health', 'model/state'] };
      }
      case 'config/get': {
        const config = this.#view.config();
        const path = decoded.request.args.path;
        if (!path) return config;
        let node: unknown = config;
        for (const key of path.split('.')) node = typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
        return { path, value: node ?? null };
      }
      case 'log_level/set':
        this.#view.setLogLevel(decoded.request.args.level);
        return { level: decoded.request.args.level };
      default:
        throw new MyoError('MYO_ERR_NOT_READY', `command ${decoded.name} is not available over MQTT in this build yet`);
    }
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
