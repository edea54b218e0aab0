import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { MyoError } from '../../core/errors.js';
import { MANIFEST_FILE, SIGNATURE_FILE } from '../../infer/package/verify.js';
import type { ModelTarget } from '../documents/types.js';
import { fetchFile } from './fetch-file.js';
import { stagingPathFor } from './staging-names.js';
import { checkPackageUrl, fileUrl } from './url-policy.js';

export interface FetchPackageOptions {
  readonly signal: AbortSignal;
  /** The configured limit (fleet.download.maxBytes); a target announcing more is refused before any request. */
  readonly maxBytes: number;
  /** No response or no byte for this long fails the attempt (fleet.download.timeoutMs). */
  readonly timeoutMs: number;
  readonly allowHttpLoopback: boolean;
  /** Bytes of the package on disk so far (resumed ones included) and the target's totalBytes; called per chunk. */
  readonly onProgress?: (bytes: number, total: number) => void;
  /** Attempts in this call for a cut connection or a stall, each resuming where the last stopped (default 1). */
  readonly attempts?: number;
  /** Pause between attempts (default 200 ms). */
  readonly retryDelayMs?: number;
}

export interface FetchPackageResult {
  /** Bytes of the whole package on disk in the staging folder. */
  readonly bytes: number;
  /** Of those, bytes that were already there before this call (a resumed download). */
  readonly resumedBytes: number;
}

/** A manifest is a few KiB; anything much larger is not one (the same limit as verifyPackage). */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_SIGNATURE_BYTES = 4096;

/**
 * Fetches a package folder into `stagingDir`: model.json first (its sha256 must be the document's manifestSha256),
 * then model.json.sig, then every file the manifest lists, each resumable with Range (partial files survive a kill
 * and are resumed by the next call). File names never escape `stagingDir`; sizes are capped by the manifest, the
 * target's totalBytes and `maxBytes`, before and during the transfer. Errors: MYO_ERR_DOWNLOAD_* (TOO_LARGE, PATH,
 * HTTP, TIMEOUT, INSECURE_URL, HASH), MYO_ERR_MODEL_MANIFEST_INVALID, MYO_ERR_ABORTED.
 *
 * It does NOT verify the manifest's signature nor the files' hashes: the agent runs verifyPackage on the staged
 * folder, so one check decides what is trusted.
 */
export async function fetchPackage(target: ModelTarget, stagingDir: string, opts: FetchPackageOptions): Promise<FetchPackageResult> {
  const base = checkPackageUrl(target.baseUrl, opts.allowHttpLoopback);
  if (target.totalBytes > opts.maxBytes) {
    throw new MyoError('MYO_ERR_DOWNLOAD_TOO_LARGE', `package ${target.id} ${target.version} is ${target.totalBytes} bytes, over the limit of ${opts.maxBytes}`, {
      size: target.totalBytes,
      limit: opts.maxBytes,
    });
  }
  await clearForeignStaging(stagingDir, target.manifestSha256);
  await mkdir(stagingDir, { recursive: true });
  const attempts = Math.max(1, opts.attempts ?? 1);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fetchOnce(base, target, stagingDir, opts);
    } catch (error) {
      const retryable = error instanceof MyoError && (error.code === 'MYO_ERR_DOWNLOAD_HTTP' || error.code === 'MYO_ERR_DOWNLOAD_TIMEOUT');
      if (!retryable || attempt >= attempts || opts.signal.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, opts.retryDelayMs ?? 200));
    }
  }
}

async function fetchOnce(base: URL, target: ModelTarget, stagingDir: string, opts: FetchPackageOptions): Promise<FetchPackageResult> {
  // Bytes of files finished in this call, plus the one in flight: what progress reports.
  let done = 0;
  let resumed = 0;
  const limitLeft = (): number => Math.min(opts.maxBytes, target.totalBytes) - done;
  const fetchOne = async (name: string, expectedSize: number | null, maxBytes: number): Promise<void> => {
    if (expectedSize !== null && expectedSize > limitLeft()) {
      throw new MyoError('MYO_ERR_DOWNLOAD_TOO_LARGE', `${name} (${expectedSize} bytes) does not fit in what the document announced (${target.totalBytes} bytes in all)`, {
        file: name,
        size: expectedSize,
      });
    }
    const result = await fetchFile(fileUrl(base, name), stagingPathFor(stagingDir, name), {
      signal: opts.signal,
      expectedSize,
      maxBytes: Math.min(maxBytes, limitLeft()),
      timeoutMs: opts.timeoutMs,
      onBytes: (bytes) => opts.onProgress?.(done + bytes, target.totalBytes),
    });
    done += result.bytes;
    resumed += result.resumedBytes;
  };

  await fetchOne(MANIFEST_FILE, null, MAX_MANIFEST_BYTES);
  const manifestPath = stagingPathFor(stagingDir, MANIFEST_FILE);
  const manifestBytes = await readFile(manifestPath);
  const actual = createHash('sha256').update(manifestBytes).digest('hex');
  if (actual !== target.manifestSha256) {
    // Removed, so the next attempt fetches it again instead of trusting these bytes.
    await rm(manifestPath, { force: true });
    throw new MyoError('MYO_ERR_DOWNLOAD_HASH', `model.json from ${base.href} does not match the sha256 the signed document names`, {
      expected: target.manifestSha256,
      actual,
    });
  }
  const files = listedFiles(manifestBytes);
  // Every name is checked before the first file is fetched, so a bad package leaves nothing of its files behind.
  for (const name of files.keys()) stagingPathFor(stagingDir, name);
  if (files.has(MANIFEST_FILE) || files.has(SIGNATURE_FILE)) {
    throw new MyoError('MYO_ERR_DOWNLOAD_PATH', 'the manifest lists model.json or its signature as a package file');
  }
  const listed = [...files.values()].reduce((sum, size) => sum + size, 0);
  if (manifestBytes.length + listed > Math.min(opts.maxBytes, target.totalBytes)) {
    throw new MyoError('MYO_ERR_DOWNLOAD_TOO_LARGE', `the manifest lists ${listed} bytes of files, more than announced (${target.totalBytes}) or allowed (${opts.maxBytes})`, {
      size: manifestBytes.length + listed,
    });
  }
  await fetchOne(SIGNATURE_FILE, null, MAX_SIGNATURE_BYTES);
  for (const [name, size] of files) await fetchOne(name, size, size);
  return { bytes: done, resumedBytes: resumed };
}

/**
 * A staging folder holding another package's manifest is emptied first: its files could share names and sizes
 * with this package's and would otherwise be taken as already downloaded.
 */
async function clearForeignStaging(stagingDir: string, manifestSha256: string): Promise<void> {
  let existing: Buffer;
  try {
    existing = await readFile(stagingPathFor(stagingDir, MANIFEST_FILE));
  } catch {
    return;
  }
  if (createHash('sha256').update(existing).digest('hex') !== manifestSha256) await rm(stagingDir, { recursive: true, force: true });
}

/** The files the manifest lists with their sizes; the rest of the manifest is verifyPackage's business. */
function listedFiles(manifestBytes: Buffer): Map<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestBytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', 'model.json is not valid JSON', {}, { cause: error });
  }
  const files = typeof parsed === 'object' && parsed !== null ? (parsed as { files?: unknown }).files : undefined;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', 'model.json has no files table');
  }
  const result = new Map<string, number>();
  for (const [name, entry] of Object.entries(files)) {
    const size = typeof entry === 'object' && entry !== null ? (entry as { size?: unknown }).size : undefined;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', `model.json: files.${name.slice(0, 100)} has no valid size`);
    }
    result.set(name, size);
  }
  return result;
}
