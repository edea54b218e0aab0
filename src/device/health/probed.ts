/**
 * What a health probe hands back. A probe never throws: a reading it could not take is `unknown` with the reason, so
 * one broken sensor (a sysfs file that errors, a hung `df`) cannot take the whole health report down with it, and
 * the judge can tell "no data" apart from "bad data".
 */
export type Probed<T> =
  | { readonly state: 'known'; readonly value: T }
  | { readonly state: 'unknown'; readonly reason: string };

export function known<T>(value: T): Probed<T> {
  return { state: 'known', value };
}

export function unknown<T = never>(reason: string): Probed<T> {
  return { state: 'unknown', reason };
}

export function valueOf<T>(probed: Probed<T>): T | null {
  return probed.state === 'known' ? probed.value : null;
}

/** A one-line description of anything thrown, for reasons people read. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Runs `task` and turns its outcome into a Probed value: a result, a throw, or no answer within `timeoutMs`. The task
 * itself cannot be cancelled (systeminformation has no abort), so a late answer is simply dropped.
 */
export async function probeWithin<T>(what: string, timeoutMs: number, task: () => Promise<T>): Promise<Probed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Probed<T>>((resolve) => {
    timer = setTimeout(() => resolve(unknown(`${what} gave no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  const attempt = (async (): Promise<Probed<T>> => {
    try {
      return known(await task());
    } catch (error) {
      return unknown(`${what} failed: ${describeError(error)}`);
    }
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
