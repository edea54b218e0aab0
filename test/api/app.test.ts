import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildApiApp } from '../../src/api/app.js';
import type { HealthCheck } from '../../src/api/health.js';
import { MetricsRegistry } from '../../src/telemetry/metrics.js';

function appWith(checks: Record<string, HealthCheck>) {
  const metrics = new MetricsRegistry({ processMetrics: false, defaultLabels: { device: 'cart-1' } });
  metrics.gauge('capture_fps', 'fps', {
    collect() {
      this.set(29.5);
    },
  });
  return buildApiApp({ logger: pino({ level: 'silent' }), health: { checks: () => checks }, metrics, version: '1.2.3' });
}

describe('API app', () => {
  it('/livez answers while the process runs', async () => {
    const response = await appWith({}).inject({ url: '/livez' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'alive', version: '1.2.3' });
  });

  it('/readyz is 200 when no critical check failed, 503 otherwise', async () => {
    const ok = await appWith({
      capture: { status: 'ok', reason: 'live', critical: true },
      display: { status: 'failed', reason: 'unplugged', critical: false },
    }).inject({ url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ready' });
    const notReady = await appWith({ capture: { status: 'failed', reason: 'no frames', critical: true } }).inject({
      url: '/readyz',
    });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not_ready', checks: { capture: { reason: 'no frames' } } });
  });

  it('/metrics serves Prometheus text with the myoscreen_ prefix and device label', async () => {
    const response = await appWith({}).inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.body).toContain('# TYPE myoscreen_capture_fps gauge');
    expect(response.body).toContain('myoscreen_capture_fps{device="cart-1"} 29.5');
  });

  it('unknown routes get a coded 404, never a stack trace', async () => {
    const response = await appWith({}).inject({ url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 'MYO_ERR_NOT_FOUND', message: 'no route GET /nope' });
  });
});
