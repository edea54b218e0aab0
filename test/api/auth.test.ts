import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { apiSecurityFrom, resolveApiAuth, type ApiAuthSettings } from '../../src/api/auth.js';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { isMyoError } from '../../src/core/errors.js';
import { appFor, fakeParts } from './fake-view.js';

const TOKEN = 'tech-token-0123456789abcdef';

function apiConfig(api: Record<string, unknown>): Config['api'] {
  return (Value.Default(ConfigSchema, { api }) as Config).api;
}

function securedApp(now: () => number = () => 0, publicRoutes = ['/livez', '/readyz', '/metrics']) {
  const auth: ApiAuthSettings = resolveApiAuth(apiConfig({ auth: { tokens: [{ name: 'tech', token: TOKEN }], publicRoutes, maxFailures: 3, windowMs: 60_000, blockMs: 30_000 } }));
  return appFor(fakeParts(), { auth, now });
}

describe('API security', () => {
  it('needs a bearer token everywhere but the public routes and the dashboard shell', async () => {
    const app = securedApp();
    for (const url of ['/livez', '/readyz', '/metrics']) expect((await app.inject({ url })).statusCode, url).not.toBe(401);
    expect((await app.inject({ url: '/dashboard/' })).statusCode).toBe(404); // no files in this test, but not 401
    for (const url of ['/healthz', '/api/v1/status', '/api/v1/exams', '/api/v1/openapi.json', '/api/v1/events']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(401);
      expect(response.json(), url).toMatchObject({ code: 'MYO_ERR_UNAUTHORIZED' });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    const ok = await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/status', headers: { authorization: `Basic ${TOKEN}` } })).statusCode).toBe(401);
  });

  it('the public routes are configurable', async () => {
    const app = securedApp(() => 0, ['/livez']);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/livez' })).statusCode).toBe(200);
  });

  it('rate-limits failed attempts per address with 429, even for the right token, until the block ends', async () => {
    let now = 0;
    const app = securedApp(() => now);
    const wrong = { authorization: 'Bearer wrong-token-wrong-token' };
    for (let i = 0; i < 3; i += 1) expect((await app.inject({ url: '/api/v1/status', headers: wrong })).statusCode).toBe(401);
    const blocked = await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ code: 'MYO_ERR_RATE_LIMITED' });
    expect(blocked.headers['retry-after']).toBe('30');
    expect((await app.inject({ url: '/livez' })).statusCode).toBe(200);
    now = 30_001;
    expect((await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
  });

  it('refuses to start open on a non-loopback address, and refuses unusable tokens and TLS', () => {
    const code = (fn: () => unknown): string | null => {
      try {
        fn();
        return null;
      } catch (error) {
        return isMyoError(error) ? error.code : 'not coded';
      }
    };
    expect(resolveApiAuth(apiConfig({})).open).toBe(true);
    expect(resolveApiAuth(apiConfig({ host: '::1' })).open).toBe(true);
    expect(code(() => resolveApiAuth(apiConfig({ host: '0.0.0.0' })))).toBe('MYO_ERR_API_INSECURE');
    expect(resolveApiAuth(apiConfig({ host: '0.0.0.0', auth: { tokens: [{ name: 'a', token: TOKEN }] } })).open).toBe(false);
    expect(code(() => resolveApiAuth(apiConfig({ auth: { tokens: [{ name: 'a' }] } })))).toBe('MYO_ERR_API_INSECURE');
    expect(code(() => resolveApiAuth(apiConfig({ auth: { tokens: [{ name: 'a', token: TOKEN, tokenFile: '/x' }] } })))).toBe('MYO_ERR_API_INSECURE');
    expect(code(() => resolveApiAuth(apiConfig({ auth: { tokens: [{ name: 'a', tokenFile: '/nonexistent/token' }] } })))).toBe('MYO_ERR_API_INSECURE');
    const fromFile = resolveApiAuth(apiConfig({ auth: { tokens: [{ name: 'a', tokenFile: '/t' }] } }), () => `${TOKEN}\n`);
    expect(fromFile.tokens).toHaveLength(1);
    expect(code(() => resolveApiAuth(apiConfig({ auth: { tokens: [{ name: 'a', tokenFile: '/t' }] } }), () => 'short'))).toBe('MYO_ERR_API_INSECURE');
    expect(code(() => apiSecurityFrom(apiConfig({ tls: { certFile: '/only-cert.pem' } })))).toBe('MYO_ERR_API_INSECURE');
    expect(apiSecurityFrom(apiConfig({})).tls).toBeNull();
  });
});
