import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

/**
 * The dashboard's files, read once at start into memory (a few kB) and looked up by exact name, so no request path
 * ever reaches the file system (no traversal to guard). Only the listed types, only the top folder.
 */
export function loadDashboardFiles(dir: string, maxBytes = 2 * 1024 * 1024): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return files;
  }
  let total = 0;
  for (const name of entries.sort()) {
    const type = TYPES[extname(name)];
    if (!type || !/^[A-Za-z0-9._-]+$/.test(name)) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const body = readFileSync(path);
    total += body.length;
    if (total > maxBytes) break;
    files.set(name, { body, type });
  }
  return files;
}
