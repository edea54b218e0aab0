import { MyoError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/**
 * TEST ONLY: the crash-table test (test/fleet/crash-table.test.ts) sets `MYOSCREEN_TEST_PAUSE_AT=<phase>` so a
 * daemon stops right after the journal names that phase, and kills it there with SIGKILL. Without the variable (every
 * production start) this does nothing. It only ever waits; it cannot change what the agent does next.
 */
export const TEST_PAUSE_ENV = 'MYOSCREEN_TEST_PAUSE_AT';

export async function pauseForTest(pauseAt: string | null, phase: string, logger: Logger, signal: AbortSignal): Promise<void> {
  if (pauseAt === null || pauseAt !== phase) return;
  logger.warn({ phase, testPause: true }, `test pause at ${phase}`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  throw new MyoError('MYO_ERR_ABORTED', `stopped while paused for a test at ${phase}`);
}
