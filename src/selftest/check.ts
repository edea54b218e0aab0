/** One self-test check's outcome. `skip` is for a part this device is not configured to have. */
export type CheckOutcome = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly name: string;
  readonly outcome: CheckOutcome;
  /** One line a technician can act on. */
  readonly detail: string;
  readonly tookMs: number;
  /** Machine-readable figures behind the detail (fps, latency, bytes free, ...). */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface SelfTestReport {
  readonly ok: boolean;
  readonly startedAt: string;
  readonly checks: readonly CheckResult[];
}

export type Check = (signal: AbortSignal) => Promise<Omit<CheckResult, 'name' | 'tookMs'>>;

/** Runs checks one after another (they share the CPU with a running appliance), each bounded by `timeoutMs`. */
export async function runChecks(checks: readonly (readonly [string, Check])[], timeoutMs: number, now = (): number => performance.now()): Promise<SelfTestReport> {
  const startedAt = new Date().toISOString();
  const results: CheckResult[] = [];
  for (const [name, check] of checks) {
    const started = now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    try {
      const outcome = await Promise.race([
        check(controller.signal),
        new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true })),
      ]);
      results.push({ name, ...outcome, tookMs: now() - started });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = error instanceof Error ? error.message : String(error);
      results.push({ name, outcome: 'fail', detail: typeof code === 'string' ? `${code}: ${message}` : message, tookMs: now() - started });
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }
  return { ok: results.every((r) => r.outcome !== 'fail'), startedAt, checks: results };
}
