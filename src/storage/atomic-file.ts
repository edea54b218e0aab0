import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** fsync of a folder makes a rename inside it durable (ext4, xfs); platforms that refuse it lose nothing more. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems (and Windows) do not open folders for fsync; the rename is still atomic there.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Replaces a small file so that a power cut leaves either the old or the new content, never a mix: write a temporary
 * file beside it, fsync it, rename it over the target, fsync the folder. The folder is created when missing. Used for
 * every small state file the daemon keeps (model store record, update journal, replay guard, session counter).
 */
export function writeFileAtomic(path: string, data: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}
