import { createReadStream } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, sep } from 'node:path';
import { MyoError } from '../../core/errors.js';
import { parseByteRange } from './byte-range.js';

export interface PackageServerOptions {
  /** The folder served: a package folder, or a folder of `<id>/<version>/` package folders. */
  readonly root: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Called once per answered request (method, path, status, bytes sent), for the operator's log. */
  readonly onRequest?: (entry: { method: string; path: string; status: number; bytes: number }) => void;
}

/** Every level of a served path: the same shape as a package file name; no dot-dot, nothing hidden. */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * A small static HTTP server for model package folders, with single byte ranges so carts resume their downloads:
 * `myoscreen fleet publish --serve` runs it, and tests fetch from it. GET and HEAD only; only regular files under
 * `root` (no symlinks out, no listing). Plain HTTP: carts accept it only on loopback, so in the field put the files
 * behind an HTTPS server or CDN and publish with --base-url.
 */
export class PackageServer {
  readonly #options: PackageServerOptions;
  #server: Server | null = null;
  #rootReal: string | null = null;

  constructor(options: PackageServerOptions) {
    this.#options = options;
  }

  async start(signal?: AbortSignal): Promise<{ url: string }> {
    if (this.#server) throw new MyoError('MYO_ERR_LIFECYCLE', 'package server already started');
    try {
      this.#rootReal = await realpath(this.#options.root);
    } catch (error) {
      throw new MyoError('MYO_ERR_IO', `cannot serve ${this.#options.root}: no such folder`, { root: this.#options.root }, { cause: error });
    }
    const server = createServer((request, response) => void this.#handle(request, response));
    this.#server = server;
    const host = this.#options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `http://${shownHost}:${address.port}` };
  }

  /** Stops listening and drops every open connection (a download in flight is cut, as a restart would). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const answer = (status: number, headers: Record<string, string | number> = {}, bytes = 0): void => {
      response.writeHead(status, headers);
      this.#options.onRequest?.({ method, path, status, bytes });
    };
    try {
      if (method !== 'GET' && method !== 'HEAD') {
        answer(405, { allow: 'GET, HEAD', 'content-length': 0 });
        response.end();
        return;
      }
      const file = await this.#resolve(path);
      if (file === null) {
        answer(404, { 'content-length': 0 });
        response.end();
        return;
      }
      const range = parseByteRange(request.headers.range, file.size);
      const common = { 'accept-ranges': 'bytes', 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'cache-control': 'no-store' };
      if (range.kind === 'unsatisfiable') {
        answer(416, { ...common, 'content-range': `bytes */${file.size}`, 'content-length': 0 });
        response.end();
        return;
      }
      const start = range.kind === 'partial' ? range.start : 0;
      const end = range.kind === 'partial' ? range.end : file.size - 1;
      const length = Math.max(0, end - start + 1);
      const headers = { ...common, 'content-length': length, ...(range.kind === 'partial' ? { 'content-range': `bytes ${start}-${end}/${file.size}` } : {}) };
      answer(range.kind === 'partial' ? 206 : 200, headers, method === 'HEAD' ? 0 : length);
      if (method === 'HEAD' || length === 0) {
        response.end();
        return;
      }
      const stream = createReadStream(file.path, { start, end });
      stream.once('error', () => response.destroy());
      response.once('close', () => stream.destroy());
      stream.pipe(response);
    } catch {
      if (!response.headersSent) answer(500, { 'content-length': 0 });
      response.end();
    }
  }

  /** The file a URL path names, or null: every level must be a safe name, and the file must be a regular one under root. */
  async #resolve(urlPath: string): Promise<{ path: string; size: number } | null> {
    const root = this.#rootReal;
    if (root === null) return null;
    let segments: string[];
    try {
      segments = urlPath.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
    } catch {
      return null;
    }
    if (segments.length === 0 || !segments.every((segment) => SAFE_SEGMENT.test(segment))) return null;
    const path = join(root, ...segments);
    try {
      const info = await lstat(path);
      if (!info.isFile()) return null;
      // Folders on the way may be links: the real path must still be under root.
      const real = await realpath(path);
      if (!real.startsWith(`${root}${sep}`)) return null;
      return { path: real, size: info.size };
    } catch {
      return null;
    }
  }
}
