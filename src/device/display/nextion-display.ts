import type { Duplex } from 'node:stream';
import { Backoff, type BackoffOptions } from '../../capture/backoff.js';
import { delay, systemClock, type Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Logger } from '../../core/logger.js';
import { AckTracker } from './ack-tracker.js';
import type { DisplayState } from './display-state.js';
import { hmiLayout, touchActions, touchKey, type OperatorAction, type PageSpec } from './hmi-layout.js';
import {
  BkcmdTracker,
  NextionDecoder,
  bkcmd,
  encodeInstructions,
  instructionKey,
  sendme,
  type Instruction,
  type NextionDecoderOptions,
  type NextionReturn,
} from './nextion-protocol.js';
import { PageRenderer } from './pages.js';
import { ScreenMirror } from './screen-mirror.js';
import { emptyDisplayStats, type DisplayStats, type StatusDisplay } from './status-display.js';

export interface NextionDisplayOptions {
  /** Opens the link to the display: a SerialPort (`serialPortOpener`) or an emulator link. Called per attempt. */
  readonly open: () => Promise<Duplex>;
  /** Names the link in logs and bus events (the serial path, or "emulator"). */
  readonly portName: string;
  /** Bits per second of the line; writes are paced to it (10 bits a byte, 8N1). Default 9600. */
  readonly baudRate?: number;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly layout?: readonly PageSpec[];
  /** (page id, component id) -> action; default from the layout's buttons. */
  readonly touchActions?: ReadonlyMap<string, OperatorAction>;
  /** How long after its bytes have gone out a write's reply (or a sendme's page) may take. Default 1000 ms. */
  readonly ackTimeoutMs?: number;
  /** An idle link is probed with `sendme` this often, so a display that went silent is noticed. Default 5000 ms. */
  readonly keepaliveMs?: number;
  readonly reconnect?: BackoffOptions;
  readonly decoder?: NextionDecoderOptions;
}

type LinkState = 'down' | 'syncing' | 'up';

/** How often timeouts are checked while a link is open. */
const TICK_MS = 50;

/**
 * The StatusDisplay adapter for a Nextion-protocol serial HMI.
 *
 * - `show()` only records the newest state. It is drawn when the line is free: one write is in flight at a time and
 *   the line counts as busy for the write's airtime at the configured baud rate, so a burst of states costs one page
 *   plus one diff, never a queue. After the first full page only changed attributes are sent.
 * - On connect it sends `bkcmd=3` (every write answered) and `sendme`; the 0x66 answer proves a display is there.
 *   An error reply, a lost ack, a reconnect or a display restart makes the content uncertain: the next write is the
 *   whole page. An idle link is probed with `sendme`; no answer means the display is gone, and the link is
 *   reopened with backoff (a PTY or USB adapter that vanished only fails on the next write).
 * - Touch releases on the layout's buttons become `operatorAction` on the bus. Nothing here throws into the caller.
 */
export class NextionDisplay implements StatusDisplay {
  readonly name = 'display';
  readonly #opts: NextionDisplayOptions;
  readonly #clock: Clock;
  readonly #baudRate: number;
  readonly #ackTimeoutMs: number;
  readonly #keepaliveMs: number;
  readonly #renderer: PageRenderer;
  readonly #pageNames: ReadonlyMap<number, string>;
  readonly #touchActions: ReadonlyMap<string, OperatorAction>;
  readonly #backoff: Backoff;
  readonly #decoder: NextionDecoder;
  readonly #bkcmd = new BkcmdTracker();
  readonly #mirror = new ScreenMirror();
  readonly #acks = new AckTracker();
  #stats = { ...emptyDisplayStats(), errors: {} as Record<string, number> };

  #desired: DisplayState | null = null;
  /** Whether any instruction of #desired has been sent (a state replaced before that was coalesced). */
  #desiredSent = true;
  /** The state a forced redraw (after an error or lost ack) was last spent on: at most one per state. */
  #repairedFor: DisplayState | null = null;
  /** Its repair failed too: send nothing more until a new state (or a new connection) comes. */
  #holding = false;

  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #link: Duplex | null = null;
  #state: LinkState = 'down';
  #drop: ((reason: string) => void) | null = null;
  #ticker: NodeJS.Timeout | null = null;
  #inFlight = false;
  /** Numbers each write batch, so a batch cut short by a handshake or a lost link cannot finish a later one. */
  #flight = 0;
  #airTimer: NodeJS.Timeout | null = null;
  #lastTxAt = 0;
  /** Waiting for a 0x66 (handshake or keepalive) until this time; null when not waiting. */
  #pageDeadline: number | null = null;
  /** The page the mirror believed in when the keepalive sendme went out (the answer is compared with it). */
  #probePage: string | null = null;
  #everUp = false;
  #settledWaiters: (() => void)[] = [];

  constructor(options: NextionDisplayOptions) {
    this.#opts = options;
    this.#clock = options.clock ?? systemClock;
    this.#baudRate = options.baudRate ?? 9600;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 1000;
    this.#keepaliveMs = options.keepaliveMs ?? 5000;
    const layout = options.layout ?? hmiLayout();
    this.#renderer = new PageRenderer(layout);
    this.#pageNames = new Map(layout.map((p) => [p.id, p.name]));
    this.#touchActions = options.touchActions ?? touchActions(layout);
    this.#backoff = new Backoff(options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 10_000 });
    this.#decoder = new NextionDecoder(options.decoder);
  }

  /** Starts connecting in the background and returns at once: a missing display never holds up the daemon. */
  start(_signal: AbortSignal): Promise<void> {
    if (this.#abort !== null) return Promise.resolve();
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = this.#run(abort.signal);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    const abort = this.#abort;
    if (abort === null) return;
    abort.abort();
    this.#drop?.('stopped');
    await this.#loop;
    this.#loop = null;
    this.#abort = null;
  }

  show(state: DisplayState): void {
    this.#stats.statesShown += 1;
    if (!this.#desiredSent) this.#stats.statesCoalesced += 1;
    this.#desired = state;
    this.#desiredSent = false;
    this.#holding = false;
    this.#flush();
  }

  stats(): DisplayStats {
    const counters = this.#decoder.counters;
    return {
      ...this.#stats,
      errors: { ...this.#stats.errors },
      connected: this.#state === 'up',
      garbageBytes: counters.garbageBytes,
      malformed: counters.malformed,
    };
  }

  /**
   * Resolves once the display answers, shows the newest state, and no write or reply is outstanding. For tests and
   * for an orderly shutdown; rejects when `signal` aborts first.
   */
  settled(signal?: AbortSignal): Promise<void> {
    if (this.#isSettled()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#settledWaiters = this.#settledWaiters.filter((w) => w !== done);
        reject(signal?.reason as Error);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#settledWaiters.push(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // --- connection -------------------------------------------------------------------------------------------

  async #run(signal: AbortSignal): Promise<void> {
    // Read through a function: the signal flips while this loop awaits, which flow analysis cannot see.
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      let reason: string;
      try {
        const link = await this.#opts.open();
        if (stopped()) {
          link.destroy();
          break;
        }
        reason = await this.#session(link);
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (stopped()) break;
      // Attempts count per outage: the backoff starts over whenever the display answered.
      const retryInMs = this.#backoff.next();
      const attempt = this.#backoff.failures;
      const at = this.#clock.now();
      this.#opts.bus.emit('displayDisconnected', { port: this.#opts.portName, reason, attempt, retryInMs, at });
      const log = this.#backoff.failures === 1 ? this.#opts.logger.warn.bind(this.#opts.logger) : this.#opts.logger.debug.bind(this.#opts.logger);
      log({ port: this.#opts.portName, reason, attempt, retryInMs }, 'status display unavailable; retrying');
      try {
        await delay(retryInMs, signal);
      } catch {
        break;
      }
    }
  }

  /** Runs one open link until it is lost; resolves with the reason. */
  #session(link: Duplex): Promise<string> {
    return new Promise((resolve) => {
      let over = false;
      const onData = (chunk: Buffer): void => this.#onData(chunk);
      const onError = (error: Error): void => drop(error.message);
      const onClose = (): void => drop('port closed');
      const drop = (reason: string): void => {
        if (over) return;
        over = true;
        link.off('data', onData);
        link.off('error', onError);
        link.off('close', onClose);
        // Late errors from a dying port must not become unhandled 'error' events.
        link.on('error', () => undefined);
        link.destroy();
        this.#linkDown();
        resolve(reason);
      };
      link.on('data', onData);
      link.on('error', onError);
      link.on('close', onClose);
      this.#link = link;
      this.#drop = drop;
      this.#decoder.reset();
      this.#ticker = setInterval(() => this.#tick(), TICK_MS);
      this.#ticker.unref();
      this.#handshake();
    });
  }

  #linkDown(): void {
    if (this.#ticker !== null) clearInterval(this.#ticker);
    this.#ticker = null;
    this.#endFlight();
    this.#link = null;
    this.#drop = null;
    this.#state = 'down';
    this.#pageDeadline = null;
    this.#acks.clear();
    this.#mirror.invalidate();
  }

  /** `bkcmd=3` then `sendme`: the 0x66 answer is the sync point (any 0x01 before it answers the bkcmd). */
  #handshake(): void {
    this.#endFlight();
    this.#state = 'syncing';
    this.#acks.clear();
    this.#mirror.invalidate();
    const bytes = this.#write([bkcmd(3), sendme()]);
    this.#pageDeadline = this.#clock.now() + this.#airtimeMs(bytes) + this.#ackTimeoutMs;
  }

  #up(): void {
    const attempt = this.#backoff.failures + 1;
    this.#state = 'up';
    if (this.#everUp) this.#stats.reconnects += 1;
    this.#everUp = true;
    this.#holding = false;
    this.#backoff.reset();
    this.#acks.clear();
    this.#mirror.invalidate();
    this.#opts.bus.emit('displayConnected', { port: this.#opts.portName, attempt, at: this.#clock.now() });
    this.#opts.logger.info({ port: this.#opts.portName, attempt }, 'status display connected');
    this.#flush();
  }

  // --- incoming ---------------------------------------------------------------------------------------------

  #onData(chunk: Buffer): void {
    for (const message of this.#decoder.push(chunk, this.#clock.now())) {
      this.#bkcmd.received(message);
      this.#handle(message);
    }
    this.#checkSettled();
  }

  #handle(message: NextionReturn): void {
    switch (message.type) {
      case 'ok':
        this.#stats.acks += 1;
        this.#acks.settle();
        return;
      case 'error':
        this.#stats.errors[message.error] = (this.#stats.errors[message.error] ?? 0) + 1;
        this.#acks.settle();
        this.#opts.logger.debug({ error: message.error }, 'status display refused an instruction');
        this.#repair();
        return;
      case 'page':
        this.#onPage(message.page);
        return;
      case 'startup':
        // The display rebooted (power glitch, replug behind an adapter): bkcmd is 2 again and page 0 is shown.
        if (this.#state === 'up') this.#stats.displayRestarts += 1;
        this.#handshake();
        return;
      case 'ready':
        if (this.#state === 'up') {
          this.#stats.displayRestarts += 1;
          this.#handshake();
        }
        return;
      case 'touch':
        this.#onTouch(message.page, message.component, message.event);
        return;
      case 'coordinates':
      case 'string':
      case 'number':
      case 'sleep':
      case 'wake':
        return;
    }
  }

  #onPage(pageId: number): void {
    if (this.#pageDeadline === null) return;
    this.#pageDeadline = null;
    if (this.#state === 'syncing') {
      this.#up();
      return;
    }
    // A keepalive answer: a page other than the one we had drawn means the display changed it on its own.
    if (this.#pageNames.get(pageId) !== this.#probePage) {
      this.#mirror.invalidate();
      this.#flush();
    }
  }

  #onTouch(pageId: number, componentId: number, event: 'press' | 'release'): void {
    // Buttons act on release, like the Nextion editor's own buttons; the HMI sends the component id on release.
    if (event !== 'release') return;
    const action = this.#touchActions.get(touchKey(pageId, componentId));
    if (action === undefined) return;
    this.#stats.touches += 1;
    this.#opts.bus.emit('operatorAction', { action, source: 'display', at: this.#clock.now() });
  }

  /** The display's content is uncertain: redraw the whole page, at most once per state so a bad HMI cannot loop. */
  #repair(): void {
    if (this.#state !== 'up') return;
    this.#mirror.invalidate();
    if (this.#desired === null) return;
    if (this.#repairedFor === this.#desired) {
      // The redraw failed the same way (a component the HMI lacks): resending would loop. The next state retries.
      this.#holding = true;
      return;
    }
    this.#repairedFor = this.#desired;
    this.#flush();
  }

  #tick(): void {
    const now = this.#clock.now();
    const lost = this.#acks.expire(now);
    if (lost > 0) {
      this.#stats.ackTimeouts += lost;
      this.#repair();
    }
    if (this.#pageDeadline !== null && now > this.#pageDeadline) {
      this.#drop?.('display did not answer');
      return;
    }
    const idle = this.#state === 'up' && !this.#inFlight && this.#acks.size === 0 && this.#pageDeadline === null;
    if (idle && now - this.#lastTxAt >= this.#keepaliveMs) {
      this.#probePage = this.#mirror.page;
      const bytes = this.#write([sendme()]);
      this.#pageDeadline = now + this.#airtimeMs(bytes) + this.#ackTimeoutMs;
    }
    this.#checkSettled();
  }

  // --- outgoing ---------------------------------------------------------------------------------------------

  #flush(): void {
    if (this.#state !== 'up' || this.#inFlight || this.#holding || this.#desired === null) return;
    let batch: Instruction[];
    try {
      batch = this.#mirror.diff(this.#renderer.render(this.#desired));
    } catch (error) {
      // A state the layout cannot draw is a bug upstream; the display keeps its last good content.
      this.#opts.logger.error({ err: error }, 'status display state cannot be rendered');
      this.#desired = null;
      return;
    }
    this.#desiredSent = true;
    if (batch.length === 0) {
      this.#checkSettled();
      return;
    }
    this.#mirror.apply(batch);
    const flight = ++this.#flight;
    let written = false;
    let aired = false;
    const finish = (): void => {
      // A handshake or a lost link in between started a new flight; this one's completion no longer counts.
      if (!written || !aired || flight !== this.#flight) return;
      this.#inFlight = false;
      this.#flush();
      this.#checkSettled();
    };
    this.#inFlight = true;
    const bytes = this.#write(batch, () => {
      written = true;
      finish();
    });
    this.#airTimer = setTimeout(() => {
      this.#airTimer = null;
      aired = true;
      finish();
    }, this.#airtimeMs(bytes));
  }

  /** Sends instructions and registers the replies they will get; returns the byte count. */
  #write(instructions: readonly Instruction[], onWritten?: () => void): number {
    const link = this.#link;
    if (link === null) return 0;
    const now = this.#clock.now();
    let offset = 0;
    const chunks: Buffer[] = [];
    for (const instruction of instructions) {
      const bytes = encodeInstructions([instruction]);
      chunks.push(bytes);
      offset += bytes.length;
      this.#bkcmd.sent(instruction);
      if (this.#bkcmd.expectsReply(instruction)) {
        this.#acks.expect(instructionKey(instruction), now + this.#airtimeMs(offset) + this.#ackTimeoutMs);
      }
    }
    const payload = Buffer.concat(chunks);
    this.#stats.writes += 1;
    this.#stats.instructions += instructions.length;
    this.#stats.bytesWritten += payload.length;
    this.#lastTxAt = now;
    link.write(payload, (error?: Error | null) => {
      if (error) this.#drop?.(error.message);
      else onWritten?.();
    });
    return payload.length;
  }

  #endFlight(): void {
    if (this.#airTimer !== null) clearTimeout(this.#airTimer);
    this.#airTimer = null;
    this.#inFlight = false;
    this.#flight += 1;
  }

  /** Time the line needs for `bytes` at the baud rate: 10 bits a byte (start, 8 data, stop). */
  #airtimeMs(bytes: number): number {
    return (bytes * 10 * 1000) / this.#baudRate;
  }

  #isSettled(): boolean {
    if (this.#state !== 'up' || this.#inFlight || this.#acks.size > 0 || this.#pageDeadline !== null) return false;
    if (this.#desired === null || this.#holding) return true;
    try {
      return this.#mirror.diff(this.#renderer.render(this.#desired)).length === 0;
    } catch {
      return true;
    }
  }

  #checkSettled(): void {
    if (this.#settledWaiters.length === 0 || !this.#isSettled()) return;
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const w of waiters) w();
  }
}
