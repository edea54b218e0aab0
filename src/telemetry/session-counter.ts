import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../storage/atomic-file.js';
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
  writeFileAtomic(path, `${next}\n`);
  return next;
}
