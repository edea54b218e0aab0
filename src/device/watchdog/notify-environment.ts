/**
 * What systemd tells a service through its environment: where to send notifications (NOTIFY_SOCKET) and whether it
 * watches us (WATCHDOG_USEC, WATCHDOG_PID). The same rules as sd_watchdog_enabled(3): the watchdog is ours only when
 * WATCHDOG_PID is unset or names this process, because a child that inherited the environment must not ping for us.
 */
export interface NotifyEnvironment {
  /** NOTIFY_SOCKET: a path (`/run/systemd/notify`) or an abstract name (`@...`); null when unset or empty. */
  readonly socketPath: string | null;
  /** WATCHDOG_USEC when it applies to this process and there is a socket to ping; null otherwise. */
  readonly watchdogUsec: number | null;
  /** Why the watchdog is off, for the start-up log; null when it is on. */
  readonly watchdogOffReason: string | null;
}

const DECIMAL = /^[0-9]+$/;

export function readNotifyEnvironment(env: Readonly<Record<string, string | undefined>>, pid: number): NotifyEnvironment {
  const socket = env['NOTIFY_SOCKET'];
  const socketPath = socket !== undefined && socket !== '' ? socket : null;
  const off = (reason: string): NotifyEnvironment => ({ socketPath, watchdogUsec: null, watchdogOffReason: reason });

  if (socketPath === null) return off('NOTIFY_SOCKET is not set');
  const usecText = env['WATCHDOG_USEC'];
  if (usecText === undefined || usecText === '') return off('WATCHDOG_USEC is not set');
  const usec = DECIMAL.test(usecText) ? Number(usecText) : Number.NaN;
  if (!Number.isSafeInteger(usec) || usec <= 0) return off(`WATCHDOG_USEC=${usecText} is not a positive integer`);
  const pidText = env['WATCHDOG_PID'];
  if (pidText !== undefined && pidText !== '' && !(DECIMAL.test(pidText) && Number(pidText) === pid)) {
    return off(`WATCHDOG_PID=${pidText} is another process (we are ${pid})`);
  }
  return { socketPath, watchdogUsec: usec, watchdogOffReason: null };
}
