import { basename, resolve, sep } from 'node:path';
import { MyoError } from '../../core/errors.js';

/** The same shape as a manifest's file names (PackageFileName): no separators, no dot-dot, nothing hidden. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Suffix of a file being downloaded; a package may not name one, so it cannot overwrite another's partial file. */
export const PARTIAL_SUFFIX = '.part';

/**
 * The path a package file is written to, or MYO_ERR_DOWNLOAD_PATH for a name that could land anywhere else:
 * '../x', '/etc/passwd', 'a/b', 'a\\b', hidden files, empty or over-long names. The pattern already rules these
 * out; the resolved path is checked as well, so a later change to the pattern cannot open a hole.
 */
export function stagingPathFor(stagingDir: string, name: string): string {
  const root = resolve(stagingDir);
  const path = resolve(root, name);
  if (!SAFE_NAME.test(name) || name.endsWith(PARTIAL_SUFFIX) || path !== `${root}${sep}${basename(path)}` || basename(path) !== name) {
    throw new MyoError('MYO_ERR_DOWNLOAD_PATH', `package file name ${JSON.stringify(name.slice(0, 200))} would escape the staging folder`, {
      file: name.slice(0, 200),
    });
  }
  return path;
}
