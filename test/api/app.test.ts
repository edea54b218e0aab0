import { describe, expect, it } from 'vitest';
import { appFor, fakeParts } from './fake-view.js';

describe('API app: probes', () => {
  it('/livez answers while the process runs', async () => {
    const response = await appFor(fakeParts()).inject({ url: '/livez' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'alive', version: '1.2.3' });
  });

  it('/readyz is 200 when no critical check failed, 503 otherwise', async () => {
    const parts = fakeParts();
    parts.checks = { capture: { status: 'ok', reason: 'live', critical: true }, display: { status: 'failed', reason: 'unplugged', critical: false } };
    const ok = await appFor(parts).inject({ url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ready' });
    parts.checks = { capture: { status: 'failed', reason: 'no frames', critical: true } };
    const notReady = await appFor(parts).inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not_ready', checks: { capture: { reason: 'no frames' } } });
  });

  it('/healthz is the verbose body: worst status overall, ready from critical checks only', async () => {
    const parts = fakeParts();
    parts.checks = {
      capture: { status: 'ok', reason: 'live', critical: true },
      mqtt: { status: 'degraded', reason: 'reconnecting', critical: false },
    };
    const response = await appFor(parts).inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'degraded', ready: true, checks: parts.checks });
  });

  it('/metrics serves Prometheus text with the myoscreen_ prefix and device label', async () => {
    const response = await appFor(fakeParts()).inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.body).toContain('myoscreen_capture_fps{device="cart-1"} 29.5');
  });

  it('unknown routes get a coded 404, never a stack trace', async () => {
    const response = await appFor(fakeParts()).inject({ url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 'MYO_ERR_NOT_FOUND', message: 'no route GET /nope' });
  });
});
