import { execFileSync } from 'node:child_process';

let built = false;

/**
 * Tests that run the daemon or CLI as real processes (signals, exit codes) call this first so they never run a
 * stale dist/. The build is incremental, so after `npm run build` it costs a couple of seconds.
 * MYOSCREEN_TEST_PREBUILT=1 says the caller has just built dist/ itself (several engineers editing one tree, where a
 * half-written file elsewhere would fail this build); CI never sets it.
 */
export function ensureBuilt(): void {
  if (built || process.env.MYOSCREEN_TEST_PREBUILT === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'pipe' });
  built = true;
}
