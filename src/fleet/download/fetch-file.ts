import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { open, rename, rm, stat } from 'node:fs/promises';
import { MyoError, isMyoError } from '../../core/errors.js';
import { PARTIAL_SUFFIX } from './staging-names.js';

export interface FetchFileOptions {
  readonly signal: AbortSignal;
  /** The file's exact size when known (package files); otherwise only `maxBytes` bounds it (the signature). */
  readonly expectedSize: number | null;
  readonly maxBytes: number;
  /** No response or no byte for this long aborts the transfer; what arrived stays for the next attempt. */
  readonly timeoutMs: number;
  /** Called with the bytes of this file on disk so far. */
  readonly onBytes?: (bytesOnDisk: number) => void;
}

export interface FetchFileResult {
  readonly bytes: number;
  /** Bytes that were already on disk (a complete file or a partial one) before this call. */
  readonly resumedBytes: number;
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

/** Parses `bytes START-END/TOTAL` of a 206 response. */
function rangeStart(header: string | undefined): number | null {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}

function tooLarge(url: URL, size: number, limit: number, when: string): MyoError {
  return new MyoError('MYO_ERR_DOWNLOAD_TOO_LARGE', `${url.pathname} is ${when} ${size} bytes, over its limit of ${limit}`, { url: url.href, size, limit });
}

/**
 * Downloads one URL into `path`, resuming a `path.part` left by an earlier attempt with an HTTP Range request. The
 * part is renamed into place only when complete, so a kill at any point leaves either nothing, a partial file to
 * resume, or the whole file. A server that ignores Range (200) restarts the file from its first byte.
 */
export async function fetchFile(url: URL, path: string, opts: FetchFileOptions): Promise<FetchFileResult> {
  const limit = opts.expectedSize ?? opts.maxBytes;
  if (limit > opts.maxBytes) throw tooLarge(url, limit, opts.maxBytes, 'announced as');
  const complete = await sizeOf(path);
  if (complete !== null && (opts.expectedSize === null || complete === opts.expectedSize)) {
    opts.onBytes?.(complete);
    return { bytes: complete, resumedBytes: complete };
  }
  const partPath = `${path}${PARTIAL_SUFFIX}`;
  let existing = (await sizeOf(partPath)) ?? 0;
  if (existing > limit) {
    await rm(partPath, { force: true });
    existing = 0;
  }
  const resumedBytes = existing;
  if (opts.expectedSize !== null && existing === opts.expectedSize) {
    await rename(partPath, path);
    opts.onBytes?.(existing);
    return { bytes: existing, resumedBytes };
  }
  opts.onBytes?.(existing);
  const response = await get(url, existing > 0 ? { Range: `bytes=${existing}-` } : {}, opts);
  try {
    let append = false;
    if (response.statusCode === 206 && existing > 0) {
      const start = rangeStart(response.headers['content-range']);
      if (start !== existing) throw new MyoError('MYO_ERR_DOWNLOAD_HTTP', `${url.pathname}: the server answered a different range (${response.headers['content-range'] ?? 'none'})`, { url: url.href });
      append = true;
    } else if (response.statusCode === 416 && existing > 0) {
      // Our partial file does not fit what the server has now: start over on the next attempt.
      await rm(partPath, { force: true });
      throw new MyoError('MYO_ERR_DOWNLOAD_HTTP', `${url.pathname}: range not satisfiable, restarting the file`, { url: url.href, status: 416 });
    } else if (response.statusCode !== 200) {
      throw new MyoError('MYO_ERR_DOWNLOAD_HTTP', `${url.pathname}: HTTP ${response.statusCode ?? 0}`, { url: url.href, status: response.statusCode ?? 0 });
    }
    let onDisk = append ? existing : 0;
    const announced = response.headers['content-length'];
    if (announced !== undefined && onDisk + Number(announced) > limit) throw tooLarge(url, onDisk + Number(announced), limit, 'announced as');
    const handle = await open(partPath, append ? 'a' : 'w', 0o600);
    try {
      for await (const chunk of streamWithIdleTimeout(response, url, opts.timeoutMs, opts.signal)) {
        // Checked before writing: a server that sends more than it may is cut off without a byte too many on disk.
        if (onDisk + chunk.length > limit) throw tooLarge(url, onDisk + chunk.length, limit, 'at least');
        await handle.write(chunk);
        onDisk += chunk.length;
        opts.onBytes?.(onDisk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (opts.expectedSize !== null && onDisk !== opts.expectedSize) {
      throw new MyoError('MYO_ERR_DOWNLOAD_HTTP', `${url.pathname}: the body ended after ${onDisk} of ${opts.expectedSize} bytes`, { url: url.href, bytes: onDisk });
    }
    await rename(partPath, path);
    return { bytes: onDisk, resumedBytes };
  } finally {
    response.destroy();
  }
}

function get(url: URL, headers: Record<string, string>, opts: FetchFileOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) {
      reject(new MyoError('MYO_ERR_ABORTED', 'download cancelled'));
      return;
    }
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'GET', headers: { ...headers, 'accept-encoding': 'identity' }, signal: opts.signal });
    const timer = setTimeout(() => {
      request.destroy(new MyoError('MYO_ERR_DOWNLOAD_TIMEOUT', `${url.pathname}: no response within ${opts.timeoutMs} ms`, { url: url.href }));
    }, opts.timeoutMs);
    request.once('response', (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    request.once('error', (error) => {
      clearTimeout(timer);
      reject(transferError(error, url, opts.signal));
    });
    request.end();
  });
}

function transferError(error: unknown, url: URL, signal: AbortSignal): MyoError {
  if (isMyoError(error)) return error;
  if (signal.aborted) return new MyoError('MYO_ERR_ABORTED', 'download cancelled', {}, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new MyoError('MYO_ERR_DOWNLOAD_HTTP', `${url.pathname}: ${message}`, { url: url.href }, { cause: error });
}

/** The response body, failing with MYO_ERR_DOWNLOAD_TIMEOUT when no byte arrives for `timeoutMs`. */
async function* streamWithIdleTimeout(response: IncomingMessage, url: URL, timeoutMs: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      response.destroy(new MyoError('MYO_ERR_DOWNLOAD_TIMEOUT', `${url.pathname}: no data for ${timeoutMs} ms`, { url: url.href }));
    }, timeoutMs);
  };
  arm();
  try {
    for await (const chunk of response) {
      arm();
      yield chunk as Buffer;
    }
    // A connection cut mid-body ends the stream on some Node versions instead of failing it.
    if (!response.complete) throw new MyoError('MYO_ERR_DOWNLOAD_HTTP', `${url.pathname}: the connection closed mid-body`, { url: url.href });
  } catch (error) {
    throw transferError(error, url, signal);
  } finally {
    clearTimeout(timer);
  }
}
