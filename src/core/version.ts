import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package version, read from the nearest package.json named `myoscreen` above this file. Works from src/
 * (tests) and from dist/src/ (the built daemon) alike; `0.0.0-unknown` if the file is missing (never throws).
 */
function findPackage(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'myoscreen' && typeof pkg.version === 'string') return { root: dir, version: pkg.version };
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return { root: process.cwd(), version: '0.0.0-unknown' };
}

const found = findPackage();
export const VERSION = found.version;
/** The installed project's root (where package.json, models/ and the bundled keys are). */
export const PROJECT_ROOT = found.root;
