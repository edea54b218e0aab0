import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';

/**
 * Jetson tools live in /usr/bin (tegrastats) and /usr/sbin (nvpmodel); a service started with a trimmed PATH may
 * miss the latter, so these folders are searched after PATH.
 */
const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of an executable `name` (searched on PATH unless it contains a slash), or null. */
export async function findExecutable(name: string, searchPath: string = process.env.PATH ?? ''): Promise<string | null> {
  if (name.includes('/')) return (await isExecutable(name)) ? resolve(name) : null;
  const dirs = [...searchPath.split(delimiter).filter((dir) => dir !== ''), ...SYSTEM_DIRS];
  for (const dir of new Set(dirs)) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `file args` without a shell and resolves with its stdout; rejects on a non-zero exit or after `timeoutMs`. */
export function runCommand(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const detail = stderr.trim().split('\n').pop() ?? '';
        const why = error.killed ? `no answer within ${timeoutMs} ms` : error.message.split('\n')[0] ?? error.message;
        reject(new Error(detail && !error.killed ? `${why}: ${detail}` : why, { cause: error }));
        return;
      }
      resolve(stdout);
    });
  });
}
