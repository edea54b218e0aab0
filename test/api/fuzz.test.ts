import { describe, expect, it } from 'vitest';
import { resolveApiAuth } from '../../src/api/auth.js';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { appFor, fakeParts } from './fake-view.js';
import { sampleRecord } from '../records/sample-records.js';

/** A fixed pseudo-random sequence, so a failing case reproduces. */
function rng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const PATHS = ['/livez', '/readyz', '/healthz', '/metrics', '/api/v1/status', '/api/v1/exams', '/api/v1/exams/ex_0AAAAAAAAAAAAAAAAAAAAAAAAA', '/api/v1/model', '/api/v1/selftest', '/api/v1/display', '/api/v1/display.png', '/api/v1/frame.png', '/api/v1/openapi.json', '/dashboard/', '/dashboard/x.js', '/'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;
const NASTY = ['', '%', '%00', '..%2F..%2Fetc%2Fpasswd', '\u0000', 'a'.repeat(5000), '{"', '[]', '-1', '1e309', 'NaN', '%E2%82', '<script>', "' OR 1=1 --", '&&&', '=', '?'];
const BODIES = [undefined, '', '{', '{"a":1}', '[1,2', 'null', 'a'.repeat(70 * 1024), '\u0000\u0001', '{"__proto__":{"x":1}}'];
const TYPES = [undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-9', '*/*'];

describe('malformed requests', () => {
  it('never get a 5xx or a stack trace (open and token-protected apps)', async () => {
    const random = rng(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const parts = fakeParts();
    parts.store.save(sampleRecord(1));
    const open = appFor(parts);
    const auth = resolveApiAuth((Value.Default(ConfigSchema, { api: { auth: { tokens: [{ name: 't', token: 'x'.repeat(20) }], maxFailures: 10_000 } } }) as Config).api);
    const secured = appFor(parts, { auth });
    let cases = 0;
    for (const app of [open, secured]) {
      for (let i = 0; i < 400; i += 1) {
        const query = random() < 0.7 ? `?${pick(['limit', 'cursor', 'decision', 'overlay', 'checks', pick(NASTY)])}=${pick(NASTY)}&${pick(NASTY)}` : '';
        const suffix = random() < 0.3 ? `/${pick(NASTY)}` : '';
        const body = pick(BODIES);
        const type = pick(TYPES);
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (random() < 0.5) headers.authorization = pick(['Bearer', 'Bearer ', `Bearer ${'x'.repeat(20)}`, 'Basic abc', `Bearer ${'y'.repeat(3000)}`, 'bearer xxxxxxxxxxxxxxxxxxxx']);
        const method = pick(METHODS);
        const url = `${pick(PATHS)}${suffix}${query}`;
        const response = await app.inject({ method, url, headers, ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { payload: body }) });
        cases += 1;
        expect(response.statusCode, `${method} ${url} ${type ?? ''}`).toBeLessThan(500);
        expect(response.body, `${method} ${url}`).not.toMatch(/at .*\.(ts|js):\d+/);
        if (response.statusCode >= 400 && method !== 'HEAD') {
          expect(response.json<{ code: string }>().code, `${method} ${url}`).toMatch(/^MYO_ERR_[A-Z_]+$/);
        }
      }
    }
    expect(cases).toBe(800);
  }, 30_000);
});
