import type { HealthCheck } from '../api/health.js';
import type { CaptureStats } from '../capture/capture-stats.js';
import type { Config } from '../core/config/index.js';
import { MyoError } from '../core/errors.js';
import { captureHealth } from '../device/capture-health.js';
import { clockCheck, diskCheck, modelCheck } from './basic-checks.js';
import { runChecks, type Check, type SelfTestReport } from './check.js';

/** The running daemon's parts a self-test reads instead of opening them a second time. */
export interface LiveParts {
  capture(): CaptureStats;
  display(): HealthCheck;
  broker(): HealthCheck;
  /** True while an exam runs: a self-test then would take CPU from screening, so it is refused. */
  examRunning(): boolean;
}

export const DAEMON_CHECK_NAMES = ['capture', 'model', 'display', 'disk', 'broker', 'clock'] as const;
export type DaemonCheckName = (typeof DAEMON_CHECK_NAMES)[number];

const CHECK_TIMEOUT_MS = 30_000;

function fromHealth(check: HealthCheck, data?: Readonly<Record<string, unknown>>): Awaited<ReturnType<Check>> {
  return { outcome: check.status === 'ok' ? 'pass' : check.status === 'degraded' ? 'warn' : 'fail', detail: check.reason, ...(data ? { data } : {}) };
}

/**
 * The self-test of a running daemon (the MQTT `selftest` command and `POST /api/v1/selftest`). Unlike
 * `myoscreen selftest`, it must not fight the daemon for the grabber or the serial display, so capture, display and
 * broker are judged from the live parts; the model check loads the configured package in a fresh worker (signature,
 * hashes, golden vectors, latency) beside the serving one; disk and clock run as they do from the command line.
 * One at a time, and never during an exam.
 */
export class DaemonSelfTest {
  readonly #config: Readonly<Config>;
  readonly #live: LiveParts;
  #running: Promise<SelfTestReport> | null = null;

  constructor(deps: { config: Readonly<Config>; live: LiveParts }) {
    this.#config = deps.config;
    this.#live = deps.live;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  /** Runs the named checks (all when absent); MYO_ERR_BAD_REQUEST names an unknown one, MYO_ERR_SELFTEST_RUNNING a clash. */
  run(names?: readonly string[]): Promise<SelfTestReport> {
    const unknown = (names ?? []).filter((n) => !(DAEMON_CHECK_NAMES as readonly string[]).includes(n));
    if (unknown.length > 0) {
      throw new MyoError('MYO_ERR_BAD_REQUEST', `unknown self-test check(s) ${unknown.join(', ')}; known: ${DAEMON_CHECK_NAMES.join(', ')}`);
    }
    if (this.#running) throw new MyoError('MYO_ERR_SELFTEST_RUNNING', 'a self-test is already running');
    if (this.#live.examRunning()) throw new MyoError('MYO_ERR_SELFTEST_RUNNING', 'an exam is running; run the self-test between exams');
    const selected = DAEMON_CHECK_NAMES.filter((n) => names === undefined || names.includes(n));
    const run = runChecks(selected.map((name) => [name, this.#check(name)] as const), CHECK_TIMEOUT_MS).finally(() => {
      this.#running = null;
    });
    this.#running = run;
    return run;
  }

  #check(name: DaemonCheckName): Check {
    const live = this.#live;
    switch (name) {
      case 'capture':
        return () => {
          const stats = live.capture();
          return Promise.resolve(fromHealth(captureHealth(stats), { fps: Number(stats.fps.toFixed(1)), frames: stats.framesCaptured, signal: stats.signal }));
        };
      case 'model':
        return modelCheck(this.#config, 20);
      case 'display':
        return () => Promise.resolve(fromHealth(live.display()));
      case 'disk':
        return diskCheck(this.#config);
      case 'broker':
        return () => Promise.resolve(fromHealth(live.broker()));
      case 'clock':
        return clockCheck();
    }
  }
}
