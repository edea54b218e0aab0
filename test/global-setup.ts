import { execFileSync } from 'node:child_process';

/**
 * Some tests run the built daemon and CLI as real processes (signals, exit codes). Build once before any test so
 * they never run a stale dist/; the build is incremental, so this costs little after `npm run build`.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
