import { MyoError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { PROJECT_ROOT } from '../../core/version.js';
import { readNotifyEnvironment } from './notify-environment.js';
import { loadSdNotifyAddon, type DatagramSender } from './sd-notify-addon.js';

/** The sd_notify(3) fields this daemon may send. A typed list instead of free keys: a typo cannot reach systemd. */
export type NotifyField =
  | 'READY'
  | 'RELOADING'
  | 'STOPPING'
  | 'STATUS'
  | 'ERRNO'
  | 'MAINPID'
  | 'MONOTONIC_USEC'
  | 'WATCHDOG'
  | 'WATCHDOG_USEC'
  | 'EXTEND_TIMEOUT_USEC';

export type NotifyFields = Partial<Readonly<Record<NotifyField, string | number>>>;

/** Whether notifications go anywhere, and why not; for the start-up log and health/status pages. */
export type NotifierState =
  | { readonly mode: 'off'; readonly reason: string }
  | { readonly mode: 'active'; readonly socket: string }
  | { readonly mode: 'unavailable'; readonly socket: string; readonly reason: string };

export interface SystemdNotifierDeps {
  /** The process environment (production passes process.env; read once, here). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** This process's pid, to check WATCHDOG_PID against. */
  readonly pid: number;
  readonly logger: Logger;
  /**
   * Returns the datagram sender; called once, only when NOTIFY_SOCKET is set. Default: the native addon under
   * PROJECT_ROOT. Throwing here means "no addon": the notifier logs once and does nothing.
   */
  readonly loadSender?: () => DatagramSender;
}

/** systemd reads one notification of at most 4 KiB; a status line is for a person reading `systemctl status`. */
const STATUS_MAX_CHARS = 1024;

/**
 * sd_notify(3) for this daemon: READY/STATUS/STOPPING/WATCHDOG/EXTEND_TIMEOUT_USEC to `$NOTIFY_SOCKET`. Without
 * NOTIFY_SOCKET (tests, `myoscreen run` in a shell, Docker) every call does nothing and returns false. Sending never
 * throws: a failed send is logged (once per run of failures) and reported as false, because losing a notification
 * must not take the daemon down; systemd's own timeouts are the backstop.
 */
export class SystemdNotifier {
  /** Half of WATCHDOG_USEC in ms (the interval systemd recommends), or null when systemd is not watching us. */
  readonly watchdogIntervalMs: number | null;
  readonly #state: NotifierState;
  readonly #send: DatagramSender | null;
  readonly #logger: Logger;
  #sent = 0;
  #failed = 0;
  #failing = false;

  constructor(deps: SystemdNotifierDeps) {
    this.#logger = deps.logger;
    const env = readNotifyEnvironment(deps.env, deps.pid);
    let send: DatagramSender | null = null;
    if (env.socketPath === null) {
      this.#state = { mode: 'off', reason: 'NOTIFY_SOCKET is not set' };
    } else {
      try {
        send = (deps.loadSender ?? (() => loadSdNotifyAddon(PROJECT_ROOT)))();
        this.#state = { mode: 'active', socket: env.socketPath };
      } catch (error) {
        const reason = `sd-notify addon did not load (${error instanceof Error ? error.message : String(error)}); run npm rebuild`;
        this.#state = { mode: 'unavailable', socket: env.socketPath, reason };
        // Logged once, here: systemd will time out our start (no READY=1) and the journal must say why.
        this.#logger.error({ err: error, socket: env.socketPath }, 'systemd notifications unavailable: sd-notify addon did not load');
      }
    }
    this.#send = send;
    this.watchdogIntervalMs = send && env.watchdogUsec !== null ? env.watchdogUsec / 2000 : null;
    if (send && env.watchdogOffReason !== null) this.#logger.debug({ reason: env.watchdogOffReason }, 'systemd watchdog off');
  }

  get state(): NotifierState {
    return this.#state;
  }

  stats(): { readonly sent: number; readonly failed: number } {
    return { sent: this.#sent, failed: this.#failed };
  }

  /** Start-up is complete: systemd marks the unit active and starts the watchdog clock. */
  ready(): boolean {
    return this.notify({ READY: 1 });
  }

  /** One line for `systemctl status` (newlines become spaces; cut at 1024 characters). */
  status(text: string): boolean {
    return this.notify({ STATUS: text });
  }

  stopping(): boolean {
    return this.notify({ STOPPING: 1 });
  }

  /** "Still alive": resets systemd's WatchdogSec timer. */
  watchdog(): boolean {
    return this.notify({ WATCHDOG: 1 });
  }

  /**
   * Asks for `usec` more microseconds from now before the start (or stop) timeout fires; repeat it while a long step
   * (a TensorRT engine build) is still going, since each extension counts from the moment it is received.
   */
  extendTimeout(usec: number): boolean {
    if (!Number.isSafeInteger(usec) || usec <= 0) {
      throw new MyoError('MYO_ERR_INTERNAL', `extendTimeout needs a positive whole number of microseconds, got ${usec}`);
    }
    return this.notify({ EXTEND_TIMEOUT_USEC: usec });
  }

  /** Sends the fields as one datagram; true when the socket took it, false when off or the send failed. */
  notify(fields: NotifyFields): boolean {
    const send = this.#send;
    if (send === null) return false;
    const message = encodeNotification(fields);
    if (message === '') return false;
    const socket = this.#state.mode === 'active' ? this.#state.socket : '';
    try {
      send(socket, message);
    } catch (error) {
      this.#failed += 1;
      // Once per run of failures: a missing socket would otherwise log at every watchdog interval.
      if (!this.#failing) this.#logger.warn({ err: error, socket, fields: Object.keys(fields) }, 'systemd notification failed');
      this.#failing = true;
      return false;
    }
    if (this.#failing) this.#logger.info({ socket, failedBefore: this.#failed }, 'systemd notifications delivered again');
    this.#failing = false;
    this.#sent += 1;
    return true;
  }
}

/** `KEY=value` lines. Numbers must be whole and non-negative (every numeric field is a count, a pid or usec). */
export function encodeNotification(fields: NotifyFields): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(fields) as [NotifyField, string | number | undefined][]) {
    if (value === undefined) continue;
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new MyoError('MYO_ERR_INTERNAL', `notification field ${key} must be a non-negative integer, got ${value}`);
      }
      lines.push(`${key}=${value}`);
    } else {
      // A newline would start a new field: systemd would read the rest of a status text as assignments.
      const oneLine = value.replace(/[\r\n]+/g, ' ');
      lines.push(`${key}=${key === 'STATUS' ? oneLine.slice(0, STATUS_MAX_CHARS) : oneLine}`);
    }
  }
  return lines.join('\n');
}
