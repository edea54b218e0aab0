import { execFileSync } from 'node:child_process';

let built = false;

/**
 * Tests that run the daemon or CLI as real processes (signals, exit codes) call this first so they never run a
 * stale dist/. The build is incremental, so after `npm run build` it costs a couple of seconds.
 */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'pipe' });
  built = true;
}
