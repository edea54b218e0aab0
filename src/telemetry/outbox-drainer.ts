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
 * (QoS 1; QoS 0 entries when written). A sliding window of entries is in flight at once (one connection keeps their
 * order): each acknowledgement makes room for the next entry, so one PUBACK that never comes does not hold back the
 * rest. A failure puts every in-flight entry back, in place, and waits for the next connection. The message id travels as
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
  #wake: (() => void) | null = null;
  #generation = 0;
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
      this.#wake?.();
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

  /**
   * The connection went away: entries on the wire may never hear back (a forced close drops their callbacks), so
   * they go back to pending, in place, now; any late answer to them is ignored. The next connection resends them
   * with their message ids.
   */
  linkLost(): void {
    this.#generation += 1;
    this.#wake?.();
  }

  async #drain(): Promise<void> {
    const generation = this.#generation;
    const current = (): boolean => !this.#stopped && generation === this.#generation;
    const inFlight = new Map<number, Promise<void>>();
    // An object, not a let: the settle callbacks change it between the loop's checks.
    const run = { failed: false };
    const settle = (entry: OutboxEntry, ok: boolean): void => {
      if (!current()) return;
      if (ok && !run.failed) {
        this.#outbox.ack(entry.seq);
        this.#sent += 1;
      } else {
        // Keep order: once one failed, everything still on the wire goes back too, even if the broker took it (it
        // will be sent again with the same message id, and dropped as a duplicate by the consumer).
        if (!ok && !run.failed) {
          this.#failures += 1;
          this.#logger.warn({ pending: this.#outbox.size() }, 'publishing from the outbox failed; waiting for the connection');
        }
        run.failed = true;
        this.#outbox.nack(entry.seq);
      }
    };
    while (current() && !run.failed && this.#link.connected) {
      this.#again = false;
      const room = this.#window - inFlight.size;
      const next = room > 0 ? this.#outbox.peek(room) : [];
      for (const entry of next) {
        this.#outbox.markInFlight(entry.seq);
        const sending: Promise<void> = this.#send(entry).then(
          () => settle(entry, true),
          () => settle(entry, false),
        );
        inFlight.set(
          entry.seq,
          sending.finally(() => {
            inFlight.delete(entry.seq);
            this.#wake?.();
          }),
        );
      }
      if (inFlight.size === 0) return;
      if (this.#kickedSince()) continue;
      // Sleep until an entry settles, new messages arrive (kick), the link is lost or the drainer stops.
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
    if (this.#stopped) return; // in flight stays in flight on disk: the next start resends it (recoverInFlight)
    if (generation !== this.#generation) {
      for (const seq of inFlight.keys()) this.#outbox.nack(seq);
      return;
    }
    await Promise.all(inFlight.values());
  }

  /** Whether kick() ran since the loop last looked (a method, so the loop re-reads the field). */
  #kickedSince(): boolean {
    return this.#again;
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
    this.#wake?.();
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
