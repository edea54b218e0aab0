import type { Clock } from '../../core/clock.js';
import { MyoError } from '../../core/errors.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';
import { judgeProgress, stalledStatus, type ProgressCounters, type ProgressVerdict } from './progress.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the watchdog needs from SystemdNotifier (tests may pass a recorder). */
export interface WatchdogNotifier {
  readonly watchdogIntervalMs: number | null;
  watchdog(): boolean;
  status(text: string): boolean;
}

export interface WatchdogDeps {
  readonly notifier: WatchdogNotifier;
  /** Samples the progress counters (capture and inference stats); called once per interval. */
  readonly progress: () => ProgressCounters;
  readonly clock: Clock;
  readonly logger: Logger;
  /** While the same parts stay stalled, log again at most this often (default 60 s). */
  readonly stallLogEveryMs?: number;
  /** Status line sent when progress resumes after a stall (default `running`). */
  readonly runningStatus?: string;
}

export interface WatchdogStats {
  readonly checks: number;
  readonly pings: number;
  readonly stalledChecks: number;
  /** The parts that did not progress at the last check; empty when healthy. */
  readonly stalled: readonly ('capture' | 'inference')[];
}

/**
 * Pings systemd's watchdog only while the daemon does its job. Every `watchdogIntervalMs` (half of WatchdogSec) it
 * compares the progress counters with the previous sample; when capture and inference both progressed it sends
 * WATCHDOG=1, otherwise it logs which part stalled, sets `STATUS=stalled: ...` and sends nothing, so systemd restarts
 * the service once WatchdogSec passes without a ping. A timer that merely runs proves only that the event loop runs;
 * the counters prove that frames flow. Off (does nothing) when systemd does not watch us.
 */
export class Watchdog implements Lifecycle {
  readonly name = 'watchdog';
  readonly #deps: WatchdogDeps;
  #timer: NodeJS.Timeout | null = null;
  #started = false;
  #previous: ProgressCounters | null = null;
  #checks = 0;
  #pings = 0;
  #stalledChecks = 0;
  #stalled: ('capture' | 'inference')[] = [];
  #lastStallLogAt: number | null = null;

  constructor(deps: WatchdogDeps) {
    this.#deps = deps;
  }

  start(_signal: AbortSignal): Promise<void> {
    if (this.#started) return Promise.reject(new MyoError('MYO_ERR_LIFECYCLE', 'watchdog started twice'));
    this.#started = true;
    const intervalMs = this.#deps.notifier.watchdogIntervalMs;
    if (intervalMs === null) {
      this.#deps.logger.debug('systemd watchdog not enabled; not pinging');
      return Promise.resolve();
    }
    this.#previous = this.#sample();
    // Node turns a delay past 2^31-1 ms into 1 ms; a WatchdogSec of months must not become a 1 ms check.
    this.#timer = setInterval(() => this.check(), Math.min(intervalMs, MAX_TIMER_MS));
    // The daemon's other parts keep the process alive; a pending ping must not hold up an exit.
    this.#timer.unref();
    this.#deps.logger.info({ intervalMs }, 'systemd watchdog on');
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    return Promise.resolve();
  }

  stats(): WatchdogStats {
    return { checks: this.#checks, pings: this.#pings, stalledChecks: this.#stalledChecks, stalled: [...this.#stalled] };
  }

  /** One check: sample, judge against the previous sample, ping or report the stall. Public for tests and tools. */
  check(): ProgressVerdict | null {
    this.#checks += 1;
    const now = this.#sample();
    const previous = this.#previous;
    this.#previous = now;
    if (now === null || previous === null) {
      // Nothing to compare: no proof of progress, so no ping (the sampling failure is already logged).
      this.#reportStall(['capture', 'inference'], 'stalled: progress counters could not be read', {});
      return null;
    }
    const verdict = judgeProgress(previous, now);
    if (verdict.ok) {
      if (this.#stalled.length > 0) {
        this.#deps.logger.info({ capture: verdict.capture.why, inference: verdict.inference.why }, 'progress resumed; pinging systemd again');
        this.#deps.notifier.status(this.#deps.runningStatus ?? 'running');
      }
      this.#stalled = [];
      this.#lastStallLogAt = null;
      if (this.#deps.notifier.watchdog()) this.#pings += 1;
      return verdict;
    }
    const stalled: ('capture' | 'inference')[] = [];
    if (!verdict.capture.progressed) stalled.push('capture');
    if (!verdict.inference.progressed) stalled.push('inference');
    this.#reportStall(stalled, stalledStatus(verdict), { capture: verdict.capture.why, inference: verdict.inference.why });
    return verdict;
  }

  #sample(): ProgressCounters | null {
    try {
      return this.#deps.progress();
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'watchdog could not read the progress counters');
      return null;
    }
  }

  #reportStall(stalled: ('capture' | 'inference')[], status: string, why: Record<string, string>): void {
    this.#stalledChecks += 1;
    const changed = stalled.join() !== this.#stalled.join();
    this.#stalled = stalled;
    const now = this.#deps.clock.now();
    const every = this.#deps.stallLogEveryMs ?? 60_000;
    if (changed || this.#lastStallLogAt === null || now - this.#lastStallLogAt >= every) {
      this.#lastStallLogAt = now;
      this.#deps.logger.error({ stalled, ...why }, `${status}; not pinging systemd (it restarts the service after WatchdogSec)`);
    }
    this.#deps.notifier.status(status);
  }
}
