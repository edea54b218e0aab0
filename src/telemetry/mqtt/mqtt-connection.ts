import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { Backoff } from '../../capture/backoff.js';
import { MyoError } from '../../core/errors.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';

export interface MqttConnectionOptions {
  readonly url: string;
  readonly deviceId: string;
  /** Grows by one at every daemon start (persisted by the caller): a late will can be told from a fresh one. */
  readonly session: number;
  /** 'auto' tries MQTT 5 and falls back to 3.1.1 when the broker refuses the protocol version. */
  readonly protocol: 'auto' | 5 | 4;
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string } | undefined;
  /** Seconds the broker waits before publishing the will (MQTT 5): quick reconnects do not flap `offline`. */
  readonly willDelaySec: number;
  readonly keepaliveSec: number;
  readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly logger: Logger;
  /** Called after each (re)connection, before anything queued is sent: publish `info` then `online` here. */
  readonly onConnected?: ((connection: MqttConnection) => Promise<void>) | undefined;
  readonly onDisconnected?: ((reason: string) => void) | undefined;
  /** Every message that arrives on this connection's subscriptions (one listener per client, so reconnects do not stack them). */
  readonly onMessage?: ((topic: string, payload: Buffer, packet: mqtt.IPublishPacket) => void) | undefined;
  /** The `status` payload for the will (`offline`) and a clean stop (`stopped`); the contract's envelope in the daemon. */
  readonly statusPayload?: ((state: 'offline' | 'stopped') => string) | undefined;
}

export function statusTopic(deviceId: string): string {
  return `myoscreen/v1/${deviceId}/status`;
}

/**
 * One MQTT connection under the device's stable client id with a persistent session, a retained last will
 * (`offline`, with a will delay), and its own reconnect loop (exponential backoff with jitter) instead of mqtt.js's
 * fixed period. It never throws into the daemon: a broker that is down is retried for ever and reported.
 */
export class MqttConnection implements Lifecycle {
  readonly name = 'mqtt';
  readonly #options: MqttConnectionOptions;
  readonly #backoff: Backoff;
  #client: MqttClient | null = null;
  #protocol: 5 | 4;
  #connected = false;
  #stopped = false;
  #timer: NodeJS.Timeout | null = null;
  #connects = 0;

  constructor(options: MqttConnectionOptions) {
    this.#options = options;
    this.#protocol = options.protocol === 4 ? 4 : 5;
    this.#backoff = new Backoff({ ...options.reconnect, jitter: 0.3 });
  }

  get connected(): boolean {
    return this.#connected;
  }

  get protocolVersion(): 5 | 4 {
    return this.#protocol;
  }

  get connects(): number {
    return this.#connects;
  }

  start(): Promise<void> {
    this.#connect();
    return Promise.resolve();
  }

  #clientOptions(): IClientOptions {
    const { deviceId, willDelaySec, keepaliveSec, tls } = this.#options;
    const will = {
      topic: statusTopic(deviceId),
      payload: Buffer.from(this.#status('offline')),
      qos: 1 as const,
      retain: true,
      ...(this.#protocol === 5 ? { properties: { willDelayInterval: willDelaySec } } : {}),
    };
    return {
      clientId: deviceId,
      protocolVersion: this.#protocol,
      clean: false,
      keepalive: keepaliveSec,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will,
      ...(this.#protocol === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
      ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
      ...(tls?.certFile ? { cert: readFileSync(tls.certFile) } : {}),
      ...(tls?.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
      rejectUnauthorized: true,
    };
  }

  #status(state: 'offline' | 'stopped'): string {
    return this.#options.statusPayload?.(state) ?? JSON.stringify({ state, session: this.#options.session });
  }

  #connect(): void {
    if (this.#stopped) return;
    let client: MqttClient;
    try {
      client = mqtt.connect(this.#options.url, this.#clientOptions());
    } catch (error) {
      this.#options.logger.error({ err: error }, 'MQTT client could not be created');
      this.#schedule('client error');
      return;
    }
    this.#client = client;
    const onMessage = this.#options.onMessage;
    // Attached before CONNACK: a persistent session may deliver queued messages right after it.
    if (onMessage) client.on('message', (t, payload, packet) => onMessage(t, payload, packet));
    client.on('connect', () => {
      this.#connected = true;
      this.#connects += 1;
      this.#backoff.reset();
      this.#options.logger.info({ url: this.#options.url, protocol: this.#protocol, connects: this.#connects }, 'MQTT connected');
      void this.#options.onConnected?.(this).catch((error: unknown) => this.#options.logger.warn({ err: error }, 'after-connect publishing failed'));
    });
    client.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      // 132 (MQTT 5 "unsupported protocol version") or a 3.1.1 broker closing on a v5 CONNECT: fall back once.
      if (this.#options.protocol === 'auto' && this.#protocol === 5 && (code === 132 || /unsupported protocol|protocol version/i.test(error.message))) {
        this.#options.logger.warn('broker refuses MQTT 5: falling back to 3.1.1');
        this.#protocol = 4;
      } else {
        this.#options.logger.warn({ err: error }, 'MQTT error');
      }
    });
    client.on('close', () => {
      const was = this.#connected;
      this.#connected = false;
      if (was) this.#options.onDisconnected?.('connection closed');
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      if (this.#client === client) this.#client = null;
      this.#schedule('connection closed');
    });
  }

  #schedule(reason: string): void {
    if (this.#stopped || this.#timer) return;
    const delay = this.#backoff.next();
    this.#options.logger.info({ reason, retryInMs: Math.round(delay), attempt: this.#backoff.failures }, 'MQTT reconnecting');
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, delay);
    this.#timer.unref();
  }

  /** Publishes and resolves when the broker acknowledged (QoS 1) or the packet was written (QoS 0). */
  publish(topic: string, payload: string | Buffer, options: IClientPublishOptions): Promise<void> {
    const client = this.#client;
    if (!client || !this.#connected) return Promise.reject(new MyoError('MYO_ERR_NOT_READY', 'MQTT is not connected'));
    const effective = this.#protocol === 5 ? options : { ...options, properties: undefined };
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, effective, (error) => {
        if (error) reject(new MyoError('MYO_ERR_IO', `MQTT publish to ${topic} failed: ${error.message}`, { topic }, { cause: error }));
        else resolve();
      });
    });
  }

  /** Subscribes at QoS 1; messages reach `onMessage`. Resolves once the broker granted it (a refusal is logged). */
  subscribe(filters: readonly string[]): Promise<void> {
    const client = this.#client;
    if (!client || filters.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      client.subscribe([...filters], { qos: 1 }, (error, granted) => {
        if (error) this.#options.logger.warn({ err: error, filters }, 'MQTT subscribe failed');
        for (const g of granted ?? []) if (g.qos === 128) this.#options.logger.warn({ topic: g.topic }, 'broker refused a subscription');
        resolve();
      });
    });
  }

  /** Says `stopped` (retained) so the fleet can tell a clean shutdown from a lost cart, then disconnects. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const client = this.#client;
    this.#client = null;
    if (!client) return;
    if (this.#connected) {
      await Promise.race([
        new Promise<void>((resolve) =>
          client.publish(statusTopic(this.#options.deviceId), this.#status('stopped'), { qos: 1, retain: true }, () => resolve()),
        ),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
    }
    this.#connected = false;
    // A clean DISCONNECT (so the will stays unsent) waits for in-flight messages; a backlog must not hold the stop
    // past its deadline, so after 1.5 s the socket is closed as it is.
    const ended = new Promise<boolean>((resolve) => client.end(false, {}, () => resolve(true)));
    const done = await Promise.race([ended, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1500).unref())]);
    if (!done) client.end(true);
  }
}
