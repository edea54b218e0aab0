import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { MyoError } from '../../core/errors.js';

/** Sends one datagram to a unix socket path (`/...`) or abstract name (`@...`); throws when it cannot. */
export type DatagramSender = (socketPath: string, message: string) => void;

/** Where node-gyp leaves the addon, relative to the project root (`npm ci` runs the package's `install` script). */
export const SD_NOTIFY_ADDON_PATH = join('native', 'sd-notify', 'build', 'Release', 'sd_notify.node');

interface SdNotifyAddon {
  send(socketPath: string, message: string): void;
}

function isSdNotifyAddon(value: unknown): value is SdNotifyAddon {
  return typeof value === 'object' && value !== null && typeof (value as { send?: unknown }).send === 'function';
}

/** `2` -> `ENOENT`: the addon only knows the number; operators and tests want the name. */
function errnoName(errno: unknown): string | undefined {
  if (typeof errno !== 'number') return undefined;
  return Object.entries(osConstants.errno).find(([, value]) => value === errno)?.[0];
}

/**
 * Loads the native addon from `<projectRoot>/native/sd-notify/build/Release/` and returns its sender. Throws (the
 * loader's own error) when the addon is missing or does not load; the notifier catches that and degrades. A failed
 * send becomes a MyoError `MYO_ERR_IO` with the socket and the errno name in its details.
 */
export function loadSdNotifyAddon(projectRoot: string): DatagramSender {
  // A .node file can only be loaded through require(); this module is ESM.
  const require = createRequire(import.meta.url);
  const path = join(projectRoot, SD_NOTIFY_ADDON_PATH);
  const addon: unknown = require(path);
  if (!isSdNotifyAddon(addon)) throw new Error(`${path} does not export send()`);
  return (socketPath, message) => {
    try {
      addon.send(socketPath, message);
    } catch (error) {
      const errno = errnoName((error as { errno?: unknown }).errno);
      const text = error instanceof Error ? error.message : String(error);
      throw new MyoError('MYO_ERR_IO', `notify ${socketPath}: ${text}`, { socket: socketPath, ...(errno ? { errno } : {}) }, { cause: error });
    }
  };
}
