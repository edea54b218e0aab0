import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Config } from '../core/config/index.js';
import { MyoError } from '../core/errors.js';

/** A configured client: its name (for the log) and the sha256 of its token (tokens are never kept in the clear). */
export interface ApiClientToken {
  readonly name: string;
  readonly digest: Buffer;
}

/** The API's security settings, resolved and checked once at start. */
export interface ApiAuthSettings {
  readonly tokens: readonly ApiClientToken[];
  /** Exact paths served without a token. */
  readonly publicRoutes: ReadonlySet<string>;
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly blockMs: number;
  /** True when no token is configured (only allowed on loopback): every route is open. */
  readonly open: boolean;
}

/** Loopback addresses and names: an API bound here is reachable only from the appliance itself. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Reads token files and judges the combination: tokens need exactly one of `token` / `tokenFile` and at least 16
 * characters; no tokens on a non-loopback host is refused (MYO_ERR_API_INSECURE), because an appliance on the
 * service network must not answer exam data to anyone who asks.
 */
export function resolveApiAuth(api: Config['api'], readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ApiAuthSettings {
  const tokens = api.auth.tokens.map((entry): ApiClientToken => {
    if ((entry.token === undefined) === (entry.tokenFile === undefined)) {
      throw new MyoError('MYO_ERR_API_INSECURE', `api.auth.tokens "${entry.name}": give exactly one of token and tokenFile`, { name: entry.name });
    }
    let token = entry.token;
    if (entry.tokenFile !== undefined) {
      try {
        token = readFile(entry.tokenFile).trim();
      } catch (error) {
        throw new MyoError('MYO_ERR_API_INSECURE', `api.auth.tokens "${entry.name}": cannot read ${entry.tokenFile}`, { name: entry.name }, { cause: error });
      }
    }
    if (token === undefined || token.length < 16) {
      throw new MyoError('MYO_ERR_API_INSECURE', `api.auth.tokens "${entry.name}": the token is shorter than 16 characters`, { name: entry.name });
    }
    return { name: entry.name, digest: digest(token) };
  });
  if (tokens.length === 0 && !isLoopbackHost(api.host)) {
    throw new MyoError('MYO_ERR_API_INSECURE', `api.host ${api.host} is not loopback and api.auth.tokens is empty: configure a token or bind to 127.0.0.1`, {
      host: api.host,
    });
  }
  return {
    tokens,
    publicRoutes: new Set(api.auth.publicRoutes),
    maxFailures: api.auth.maxFailures,
    windowMs: api.auth.windowMs,
    blockMs: api.auth.blockMs,
    open: tokens.length === 0,
  };
}

/**
 * Which client a bearer header names, or null. Every configured token is compared (fixed-length digests with
 * timingSafeEqual, no early exit), so the time taken says nothing about how close a guess was.
 */
export function matchBearer(tokens: readonly ApiClientToken[], header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer ([\x21-\x7e]{1,1024})$/.exec(header.trim());
  if (!match?.[1]) return null;
  const presented = digest(match[1]);
  let found: string | null = null;
  for (const token of tokens) {
    if (timingSafeEqual(presented, token.digest) && found === null) found = token.name;
  }
  return found;
}

interface Attempts {
  count: number;
  windowStart: number;
  blockedUntil: number;
}

/**
 * Counts failed authentications per client address; past `maxFailures` within `windowMs` the address is refused for
 * `blockMs`, whatever it sends. The table is bounded (oldest entry evicted), so a flood of addresses cannot grow it.
 */
export class FailedAttemptLimiter {
  readonly #settings: Pick<ApiAuthSettings, 'maxFailures' | 'windowMs' | 'blockMs'>;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #attempts = new Map<string, Attempts>();

  constructor(settings: Pick<ApiAuthSettings, 'maxFailures' | 'windowMs' | 'blockMs'>, now: () => number, maxEntries = 4096) {
    this.#settings = settings;
    this.#now = now;
    this.#maxEntries = maxEntries;
  }

  /** Milliseconds until the address may try again, or 0 when it may try now. */
  blockedFor(address: string): number {
    const entry = this.#attempts.get(address);
    if (!entry) return 0;
    return Math.max(0, entry.blockedUntil - this.#now());
  }

  recordFailure(address: string): void {
    const now = this.#now();
    let entry = this.#attempts.get(address);
    if (!entry || now - entry.windowStart > this.#settings.windowMs) {
      this.#attempts.delete(address);
      if (this.#attempts.size >= this.#maxEntries) {
        const oldest = this.#attempts.keys().next();
        if (!oldest.done) this.#attempts.delete(oldest.value);
      }
      entry = { count: 0, windowStart: now, blockedUntil: 0 };
      this.#attempts.set(address, entry);
    }
    entry.count += 1;
    if (entry.count >= this.#settings.maxFailures) entry.blockedUntil = now + this.#settings.blockMs;
  }

  recordSuccess(address: string): void {
    if (this.blockedFor(address) === 0) this.#attempts.delete(address);
  }
}

/** The PEM key and certificate for HTTPS when `api.tls` names both, null when it names neither. */
export function readApiTls(api: Config['api'], readFile: (path: string) => Buffer = (p) => readFileSync(p)): { key: Buffer; cert: Buffer } | null {
  const { certFile, keyFile } = api.tls;
  if (certFile === '' && keyFile === '') return null;
  if (certFile === '' || keyFile === '') throw new MyoError('MYO_ERR_API_INSECURE', 'api.tls needs both certFile and keyFile');
  try {
    return { cert: readFile(certFile), key: readFile(keyFile) };
  } catch (error) {
    throw new MyoError('MYO_ERR_API_INSECURE', `api.tls: cannot read ${certFile} or ${keyFile}`, {}, { cause: error });
  }
}

/** Auth and TLS from `api.*`, checked once at start: coded MYO_ERR_API_INSECURE on anything unusable. */
export function apiSecurityFrom(api: Config['api']): { auth: ApiAuthSettings; tls: { key: Buffer; cert: Buffer } | null } {
  return { auth: resolveApiAuth(api), tls: readApiTls(api) };
}
