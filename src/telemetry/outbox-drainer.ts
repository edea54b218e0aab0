import type { IClientPublishOptions } from 'mqtt';
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';
import type { Outbox, OutboxEntry, OutboxMessage } from './outbox/outbox.js';

/** What the drainer needs from the MQTT connection. */
export interface PublishLink {
  readonly connected: boolean;
  readonly protocolVersion: 5 | 4;
  publish(topic: string, payload: string | Buffer, options: IClientPublishOptions): Promise<void>;
}

/**
 * Sends the outbox in order once the link is up, and removes each entry only when the broker acknowledged it
 * (QoS 1; QoS 0 entries when written). A window of entries is in flight at once (one connection keeps their order);
 * a failure puts every in-flight entry back, in place, and waits for the next connection. The message id travels as
 * an MQTT 5 user property and inside the JSON envelope, so a consumer drops the duplicate a crash between publish
 * and ack produces.
 */
export class OutboxDrainer implements Lifecycle {
  readonly name = 'outbox-drainer';
  readonly #outbox: Outbox;
  readonly #link: PublishLink;
  readonly #logger: Logger;
  readonly #window: number;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #sent = 0;
  #failures = 0;

  constructor(deps: { outbox: Outbox; link: PublishLink; logger: Logger; window?: number }) {
    this.#outbox = deps.outbox;
    this.#link = deps.link;
    this.#logger = deps.logger;
    this.#window = deps.window ?? 16;
  }

  start(): Promise<void> {
    const recovered = this.#outbox.recoverInFlight();
    if (recovered > 0) this.#logger.info({ recovered }, 'resending messages that were in flight when the daemon stopped');
    this.kick();
    return Promise.resolve();
  }

  /** Queues durably, then wakes the drainer: resolves once the message is on disk, not when the broker has it. */
  enqueue(message: OutboxMessage): OutboxEntry {
    const entry = this.#outbox.enqueue(message);
    this.kick();
    return entry;
  }

  /** Wakes the drain loop (after a connection, or after new messages). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  async #drain(): Promise<void> {
    while (!this.#stopped && this.#link.connected) {
      const batch = this.#outbox.peek(this.#window);
      if (batch.length === 0) return;
      for (const entry of batch) this.#outbox.markInFlight(entry.seq);
      const results = await Promise.allSettled(batch.map((entry) => this.#send(entry)));
      let failed = false;
      for (const [i, result] of results.entries()) {
        const entry = batch[i];
        if (!entry) continue;
        if (result.status === 'fulfilled' && !failed) {
          this.#outbox.ack(entry.seq);
          this.#sent += 1;
        } else {
          // Keep order: once one failed, everything after it goes back too, even if the broker took it (it will be
          // sent again with the same message id, and dropped as a duplicate by the consumer).
          failed = true;
          this.#outbox.nack(entry.seq);
        }
      }
      if (failed) {
        this.#failures += 1;
        this.#logger.warn({ pending: this.#outbox.size() }, 'publishing from the outbox failed; waiting for the connection');
        return;
      }
    }
  }

  #send(entry: OutboxEntry): Promise<void> {
    const payload = withMessageId(entry.payload, entry.messageId);
    const options: IClientPublishOptions = {
      qos: entry.qos,
      retain: entry.retain,
      ...(this.#link.protocolVersion === 5
        ? {
            properties: {
              userProperties: { messageId: entry.messageId },
              contentType: 'application/json',
              ...(entry.expiresAt !== null ? { messageExpiryInterval: Math.max(1, Math.round((entry.expiresAt - Date.now()) / 1000)) } : {}),
            },
          }
        : {}),
    };
    return this.#link.publish(entry.topic, payload, options);
  }

  stats(): { sent: number; failures: number; pending: number } {
    return { sent: this.#sent, failures: this.#failures, pending: this.#outbox.size() };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}

/** Puts the outbox's message id into a JSON object payload's `messageId` (3.1.1 has no user properties). */
export function withMessageId(payload: Buffer, messageId: string): Buffer {
  if (payload[0] !== 0x7b) return payload;
  try {
    const value = JSON.parse(payload.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return payload;
    return Buffer.from(JSON.stringify({ ...value, messageId }));
  } catch {
    return payload;
  }
}
