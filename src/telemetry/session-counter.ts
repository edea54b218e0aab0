import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MyoError } from '../core/errors.js';

/**
 * The daemon's session number: one more at every start, kept on disk (write, fsync, rename), carried in the last
 * will, `online` and every envelope, so the fleet can tell a late will of an old session from the state of the
 * current one. An unreadable file starts again above any value seen in it rather than failing the daemon.
 */
export function nextSession(path: string): number {
  let previous = 0;
  try {
    const text = readFileSync(path, 'utf8').trim();
    const value = Number(text);
    if (Number.isSafeInteger(value) && value >= 0) previous = value;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') {
      throw new MyoError('MYO_ERR_IO', `cannot read the session counter ${path}`, { path }, { cause: error });
    }
  }
  const next = previous + 1;
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, `${next}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  return next;
}
