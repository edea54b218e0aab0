import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../core/version.js';

/**
 * Where the worker script is. Next to this module once compiled; when this module runs from TypeScript source
 * (vitest), worker threads cannot load `.ts`, so the compiled copy under dist/ is used (tests build first).
 */
export function defaultWorkerUrl(): URL {
  const here = new URL('./ort-session-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const built = join(PROJECT_ROOT, 'dist', 'src', 'infer', 'engine', 'ort-session-worker.js');
  if (!existsSync(built)) throw new Error(`the worker is not built (${built}): run npm run build`);
  return pathToFileURL(built);
}
