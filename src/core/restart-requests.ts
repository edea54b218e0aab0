import type { Clock } from './clock.js';
import type { EventBus } from './event-bus.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';

/** How often a deferred restart looks again whether the exam has ended. */
const EXAM_POLL_MS = 500;

/**
 * A restart asked for from outside (the fleet's `restart` command): after `delayMs`, and never in the middle of an
 * exam (it waits for the exam to end), the bus gets `restartRequested`; main.ts then stops the daemon cleanly and
 * exits with 75 so systemd starts it again (`RestartForceExitStatus=75` in deploy/jetson). A second request while
 * one is pending changes nothing.
 */
export class RestartRequests implements Lifecycle {
  readonly name = 'restart-requests';
  readonly #deps: { bus: EventBus; clock: Clock; examRunning: () => boolean; logger: Logger };
  #timer: NodeJS.Timeout | null = null;
  #pending: { reason: string; requestedAt: string } | null = null;

  constructor(deps: { bus: EventBus; clock: Clock; examRunning: () => boolean; logger: Logger }) {
    this.#deps = deps;
  }

  get pending(): boolean {
    return this.#pending !== null;
  }

  request(reason: string, delayMs: number): { accepted: boolean; reason: string; waitingForExam: boolean; requestedAt: string } {
    const waitingForExam = this.#deps.examRunning();
    if (this.#pending) return { accepted: false, reason: this.#pending.reason, waitingForExam, requestedAt: this.#pending.requestedAt };
    this.#pending = { reason, requestedAt: new Date().toISOString() };
    this.#deps.logger.warn({ reason, delayMs, waitingForExam }, 'restart requested');
    this.#arm(delayMs);
    return { accepted: true, reason, waitingForExam, requestedAt: this.#pending.requestedAt };
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const pending = this.#pending;
      if (!pending) return;
      if (this.#deps.examRunning()) {
        this.#arm(EXAM_POLL_MS);
        return;
      }
      this.#deps.bus.emit('restartRequested', { reason: pending.reason, at: this.#deps.clock.now() });
    }, delayMs);
    this.#timer.unref();
  }

  start(_signal: AbortSignal): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    return Promise.resolve();
  }
}
