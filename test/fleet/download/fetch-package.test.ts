import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { targetFromPackage } from '../../../src/fleet/documents/sign-documents.js';
import type { ModelTarget } from '../../../src/fleet/documents/types.js';
import { fetchPackage, type FetchPackageOptions } from '../../../src/fleet/download/fetch-package.js';
import { PackageServer } from '../../../src/fleet/server/package-server.js';
import { DEV_KEY_ID, DEV_PUBLIC_KEY_FILE } from '../../../src/infer/package/dev-key.js';
import { readPublicKey, trustedKeys } from '../../../src/infer/package/keys.js';
import { verifyPackage } from '../../../src/infer/package/verify.js';
import { copyBundledPackage } from '../../helpers/model-package.js';
import { cuttingProxy } from './cutting-proxy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Logged = { method: string; path: string; status: number; bytes: number };

async function servePackage(dir = copyBundledPackage()): Promise<{ dir: string; url: string; port: number; log: Logged[] }> {
  const log: Logged[] = [];
  const server = new PackageServer({ root: dir, onRequest: (entry) => log.push(entry) });
  const { url } = await server.start();
  cleanups.push(() => server.stop());
  return { dir, url, port: Number(new URL(url).port), log };
}

/** A raw HTTP server a test scripts by hand (stalls, lies about sizes). */
async function rawServer(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function staging(): string {
  return join(mkdtempSync(join(tmpdir(), 'myo-stage-')), 'staging');
}

function options(overrides: Partial<FetchPackageOptions> = {}): FetchPackageOptions {
  return { signal: AbortSignal.timeout(20_000), maxBytes: 64 * 1024 * 1024, timeoutMs: 5000, allowHttpLoopback: true, ...overrides };
}

const devTrust = trustedKeys([{ id: DEV_KEY_ID, key: readPublicKey(DEV_PUBLIC_KEY_FILE) }]);

/** A package folder whose model.json lists `files` (not signed: the downloader leaves signatures to verifyPackage). */
function craftedPackage(files: Record<string, { sha256: string; size: number }>, contents: Record<string, Buffer> = {}): { dir: string; manifest: Buffer } {
  const dir = join(mkdtempSync(join(tmpdir(), 'myo-crafted-')), 'pkg');
  mkdirSync(dir, { recursive: true });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 1, id: 'crafted', version: '1.0.0', files }));
  writeFileSync(join(dir, 'model.json'), manifest);
  writeFileSync(join(dir, 'model.json.sig'), `${'A'.repeat(86)}==\n`);
  for (const [name, bytes] of Object.entries(contents)) writeFileSync(join(dir, name), bytes);
  return { dir, manifest };
}

function targetFor(manifest: Buffer, baseUrl: string, totalBytes: number): ModelTarget {
  return {
    id: 'crafted',
    version: '1.0.0',
    securityVersion: 1,
    baseUrl,
    manifestSha256: createHash('sha256').update(manifest).digest('hex'),
    totalBytes,
    allowDowngrade: false,
  };
}

describe('fetchPackage from a local package server', () => {
  it('fetches the whole package into staging, where verifyPackage accepts it; progress climbs to the total', async () => {
    const served = await servePackage();
    const target = await targetFromPackage(served.dir, served.url);
    const dir = staging();
    const progress: number[] = [];
    const result = await fetchPackage(target, dir, options({ onProgress: (bytes, total) => { expect(total).toBe(target.totalBytes); progress.push(bytes); } }));
    expect(result).toEqual({ bytes: target.totalBytes, resumedBytes: 0 });
    expect(progress.at(-1)).toBe(target.totalBytes);
    expect(progress.every((value, i) => i === 0 || value >= (progress[i - 1] ?? 0))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['golden.json', 'model.json', 'model.json.sig', 'model.onnx']);
    await expect(verifyPackage(dir, devTrust)).resolves.toMatchObject({ manifest: { id: 'myoscreen-lsnet' } });
    // Called again over a complete staging folder it fetches nothing.
    const again = await fetchPackage(target, dir, options());
    expect(again).toEqual({ bytes: target.totalBytes, resumedBytes: target.totalBytes });
    expect(served.log.length).toBe(4);
  });

  it('resumes with a Range request after the connection is cut mid-file, and the result verifies', async () => {
    const served = await servePackage();
    const proxy = await cuttingProxy(served.port, { afterBytes: 1_000_000, cuts: 100 });
    cleanups.push(() => proxy.close());
    const target = await targetFromPackage(served.dir, proxy.url);
    const dir = staging();
    // model.json and its signature pass (small, one connection each); model.onnx is cut at about 1 MB.
    await expect(fetchPackage(target, dir, options())).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_HTTP' });
    const partial = statSync(join(dir, 'model.onnx.part')).size;
    expect(partial).toBeGreaterThan(500_000);
    expect(partial).toBeLessThan(1_000_000);
    expect(existsSync(join(dir, 'model.onnx'))).toBe(false);

    const healthy = await servePackage(served.dir);
    const result = await fetchPackage({ ...target, baseUrl: healthy.url }, dir, options());
    expect(result.resumedBytes).toBeGreaterThanOrEqual(partial);
    expect(healthy.log.find((entry) => entry.path === '/model.onnx')).toMatchObject({ status: 206, bytes: statSync(join(served.dir, 'model.onnx')).size - partial });
    await expect(verifyPackage(dir, devTrust)).resolves.toBeDefined();
  });

  it('with attempts, one call rides over several cut connections, resuming each time', async () => {
    const served = await servePackage();
    const proxy = await cuttingProxy(served.port, { afterBytes: 1_500_000, cuts: 3 });
    cleanups.push(() => proxy.close());
    const target = await targetFromPackage(served.dir, proxy.url);
    const dir = staging();
    const result = await fetchPackage(target, dir, options({ attempts: 5, retryDelayMs: 10 }));
    expect(result.bytes).toBe(target.totalBytes);
    expect(served.log.filter((entry) => entry.path === '/model.onnx' && entry.status === 206).length).toBeGreaterThanOrEqual(2);
    await expect(verifyPackage(dir, devTrust)).resolves.toBeDefined();
  });

  it('refuses a model.json that is not the one the signed document names, and keeps none of it', async () => {
    const served = await servePackage();
    const target = await targetFromPackage(served.dir, served.url);
    const dir = staging();
    await expect(fetchPackage({ ...target, manifestSha256: 'f'.repeat(64) }, dir, options())).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_HASH' });
    expect(readdirSync(dir)).toEqual([]);
    expect(served.log.map((entry) => entry.path)).toEqual(['/model.json']);
  });

  it('a staging folder left by another package is emptied before it is used', async () => {
    const served = await servePackage();
    const target = await targetFromPackage(served.dir, served.url);
    const dir = staging();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), '{"other":true}');
    writeFileSync(join(dir, 'model.onnx'), Buffer.alloc(statSync(join(served.dir, 'model.onnx')).size));
    await fetchPackage(target, dir, options());
    await expect(verifyPackage(dir, devTrust)).resolves.toBeDefined();
  });
});

describe('size limits', () => {
  it('a package announced over maxBytes is refused before any request', async () => {
    const served = await servePackage();
    const target = await targetFromPackage(served.dir, served.url);
    await expect(fetchPackage(target, staging(), options({ maxBytes: target.totalBytes - 1 }))).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_TOO_LARGE' });
    expect(served.log).toEqual([]);
  });

  it('a manifest listing more bytes than the signed document announced is refused before its files are fetched', async () => {
    const served = await servePackage();
    const target = await targetFromPackage(served.dir, served.url);
    await expect(fetchPackage({ ...target, totalBytes: 100_000 }, staging(), options())).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_TOO_LARGE' });
    expect(served.log.map((entry) => entry.path)).toEqual(['/model.json']);
  });

  it('a file whose Content-Length is larger than the manifest says is refused before its body is read', async () => {
    const { dir, manifest } = craftedPackage({ 'model.onnx': { sha256: 'a'.repeat(64), size: 1000 } }, { 'model.onnx': Buffer.alloc(500_000, 7) });
    const served = await servePackage(dir);
    const stage = staging();
    await expect(fetchPackage(targetFor(manifest, served.url, 2000), stage, options())).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_TOO_LARGE' });
    expect(existsSync(join(stage, 'model.onnx.part'))).toBe(false);
  });

  it('a server that streams more than the file size (no Content-Length) is cut off during the transfer, with no byte too many on disk', async () => {
    const manifest = Buffer.from(JSON.stringify({ files: { 'model.onnx': { sha256: 'a'.repeat(64), size: 100_000 } } }));
    let sentBeforeCut = 0;
    const url = await rawServer((req, res) => {
      if (req.url === '/model.json') {
        res.end(manifest);
        return;
      }
      if (req.url === '/model.json.sig') {
        res.end('sig');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked: no length announced
      const timer = setInterval(() => {
        sentBeforeCut += 64 * 1024;
        res.write(Buffer.alloc(64 * 1024, 1));
      }, 5);
      res.on('close', () => clearInterval(timer));
    });
    const stage = staging();
    await expect(fetchPackage(targetFor(manifest, url, 200_000), stage, options())).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_TOO_LARGE' });
    expect(statSync(join(stage, 'model.onnx.part')).size).toBeLessThanOrEqual(100_000);
    expect(sentBeforeCut).toBeLessThan(10 * 64 * 1024);
  });
});

describe('file names from the manifest never escape the staging folder', () => {
  it.each(['../x', '/etc/passwd', 'a/b', 'a\\b', '..', '.hidden', 'model.onnx.part', '', 'x'.repeat(200)])('%j is refused before any file is fetched', async (name) => {
    const { dir, manifest } = craftedPackage({ [name]: { sha256: 'a'.repeat(64), size: 10 }, 'ok.bin': { sha256: 'a'.repeat(64), size: 10 } });
    const served = await servePackage(dir);
    const stage = staging();
    await expect(fetchPackage(targetFor(manifest, served.url, 10_000), stage, options())).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_PATH' });
    expect(served.log.map((entry) => entry.path)).toEqual(['/model.json']);
    expect(readdirSync(stage)).toEqual(['model.json']);
    expect(existsSync(join(dirname(stage), 'x'))).toBe(false);
  });

  it('a manifest that lists model.json itself as a file is refused', async () => {
    const { dir, manifest } = craftedPackage({ 'model.json': { sha256: 'a'.repeat(64), size: 10 } });
    const served = await servePackage(dir);
    await expect(fetchPackage(targetFor(manifest, served.url, 10_000), staging(), options())).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_PATH' });
  });
});

describe('timeouts, transport and cancellation', () => {
  it('a server that never answers fails with MYO_ERR_DOWNLOAD_TIMEOUT after timeoutMs', async () => {
    const url = await rawServer(() => undefined);
    const started = Date.now();
    await expect(fetchPackage(targetFor(Buffer.from('{}'), url, 100), staging(), options({ timeoutMs: 300 }))).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a body that stalls midway fails with MYO_ERR_DOWNLOAD_TIMEOUT and keeps what arrived for a resume', async () => {
    const manifest = Buffer.from(JSON.stringify({ files: { 'model.onnx': { sha256: 'a'.repeat(64), size: 100_000 } } }));
    const url = await rawServer((req, res) => {
      if (req.url === '/model.json') {
        res.end(manifest);
        return;
      }
      if (req.url === '/model.json.sig') {
        res.end('sig');
        return;
      }
      res.writeHead(200, { 'content-length': 100_000 });
      res.write(Buffer.alloc(40_000, 2)); // then nothing
    });
    const stage = staging();
    await expect(fetchPackage(targetFor(manifest, url, 200_000), stage, options({ timeoutMs: 300 }))).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_TIMEOUT' });
    expect(statSync(join(stage, 'model.onnx.part')).size).toBe(40_000);
  });

  it.each([
    ['http off loopback, even when loopback http is allowed', 'http://fleet.example/p', true],
    ['http to loopback when it is not allowed', 'http://127.0.0.1:9/p', false],
    ['http to a name that is not localhost', 'http://127.0.0.1.nip.io/p', true],
    ['ftp', 'ftp://127.0.0.1/p', true],
    ['credentials in the URL', 'https://user:pw@fleet.example/p', true],
  ])('refuses %s before any request', async (_name, baseUrl, allowHttpLoopback) => {
    await expect(fetchPackage(targetFor(Buffer.from('{}'), baseUrl, 100), staging(), options({ allowHttpLoopback }))).rejects.toMatchObject({
      code: 'MYO_ERR_DOWNLOAD_INSECURE_URL',
    });
  });

  it('an HTTP error status is MYO_ERR_DOWNLOAD_HTTP', async () => {
    const served = await servePackage();
    const target = await targetFromPackage(served.dir, `${served.url}/missing`);
    await expect(fetchPackage(target, staging(), options())).rejects.toMatchObject({ code: 'MYO_ERR_DOWNLOAD_HTTP', details: { status: 404 } });
  });

  it('cancelling the signal stops the transfer with MYO_ERR_ABORTED', async () => {
    const manifest = Buffer.from(JSON.stringify({ files: { 'model.onnx': { sha256: 'a'.repeat(64), size: 100_000 } } }));
    const url = await rawServer((req, res) => {
      if (req.url === '/model.json') {
        res.end(manifest);
        return;
      }
      if (req.url === '/model.json.sig') {
        res.end('sig');
        return;
      }
      res.writeHead(200, { 'content-length': 100_000 });
      res.write(Buffer.alloc(1000));
    });
    const controller = new AbortController();
    const pending = fetchPackage(targetFor(manifest, url, 200_000), staging(), options({ signal: controller.signal, onProgress: (bytes) => bytes > 500 + manifest.length && controller.abort() }));
    await expect(pending).rejects.toMatchObject({ code: 'MYO_ERR_ABORTED' });
  });

  it('a server that ignores Range gets the file from its first byte again, not a corrupt splice', async () => {
    const served = await servePackage();
    const body = readFileSync(join(served.dir, 'golden.json'));
    const { dir, manifest } = craftedPackage({ 'golden.json': { sha256: createHash('sha256').update(body).digest('hex'), size: body.length } }, { 'golden.json': body });
    let ranges = 0;
    const url = await rawServer((req, res) => {
      if (req.headers.range !== undefined) ranges += 1;
      res.end(readFileSync(join(dir, (req.url ?? '/').slice(1))));
    });
    const stage = staging();
    mkdirSync(stage, { recursive: true });
    writeFileSync(join(stage, 'golden.json.part'), Buffer.alloc(1000, 9));
    await fetchPackage(targetFor(manifest, url, 2_000_000), stage, options());
    expect(ranges).toBe(1);
    expect(readFileSync(join(stage, 'golden.json')).equals(body)).toBe(true);
  });
});
