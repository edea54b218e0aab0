import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { decodeGrayPng } from '../../src/imaging/png.js';
import { ExamPageSchema, ModelSchema, SelfTestReportSchema, StatusSchema } from '../../src/api/schemas.js';
import { sampleRecord } from '../records/sample-records.js';
import { appFor, fakeParts } from './fake-view.js';

describe('API v1 routes', () => {
  it('/api/v1/status reports exam progress, capture, latency percentiles and health in its schema', async () => {
    const parts = fakeParts();
    parts.exam = { phase: 'scanning', examId: 'ex_0AAAAAAAAAAAAAAAAAAAAAAAAA', startedAt: 4000, cause: 'auto', framesSeen: 40, usableFrames: 31, liveScore: 0.42, warmingUp: false };
    const app = appFor(parts);
    await app.ready();
    for (let i = 1; i <= 100; i += 1) {
      const result = { probability: 0.5, timings: { captured: 0, taken: 1, preprocessed: 2, inferred: 3, runtimeMs: 1, decided: i } };
      for (const listener of parts.frameListeners) listener(result as never);
    }
    const response = await app.inject({ url: '/api/v1/status' });
    expect(response.statusCode).toBe(200);
    const body = response.json<Record<string, unknown>>();
    expect(Value.Check(StatusSchema, body)).toBe(true);
    expect(body).toMatchObject({
      deviceId: 'cart-1',
      exam: { phase: 'scanning', elapsedMs: 6000, usableFrames: 31, liveScore: 0.42 },
      capture: { fps: 29.9, framesDropped: 3, signal: 'ok' },
      pipeline: { latencyMs: { p50: 50, p95: 95, p99: 99, samples: 100 } },
      temperatures: [{ source: 'cpu-thermal', tempC: 51.5 }],
      health: { status: 'ok', ready: true },
    });
  });

  it('/api/v1/exams pages newest first with an opaque cursor, and filters by decision', async () => {
    const parts = fakeParts();
    for (let minute = 0; minute < 7; minute += 1) parts.store.save(sampleRecord(minute));
    const app = appFor(parts);
    const first = await app.inject({ url: '/api/v1/exams?limit=3' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json<{ items: { endedAt: string; id: string }[]; next: string | null }>();
    expect(Value.Check(ExamPageSchema, page1)).toBe(true);
    expect(page1.items).toHaveLength(3);
    const seen = [...page1.items];
    let next = page1.next;
    while (next) {
      const page = (await app.inject({ url: `/api/v1/exams?limit=3&cursor=${next}` })).json<typeof page1>();
      seen.push(...page.items);
      next = page.next;
    }
    expect(seen.map((r) => r.endedAt)).toEqual([...seen.map((r) => r.endedAt)].sort().reverse());
    expect(new Set(seen.map((r) => r.id)).size).toBe(7);
    const refer = (await app.inject({ url: '/api/v1/exams?decision=refer' })).json<{ items: { decision: string }[] }>();
    expect(refer.items.length).toBe(3);
    expect(refer.items.every((r) => r.decision === 'refer')).toBe(true);
  });

  it('/api/v1/exams refuses bad paging with coded 400s', async () => {
    const app = appFor(fakeParts());
    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'decision=maybe', 'cursor=%2F%2F', 'cursor=bm90LWEtY3Vyc29y']) {
      const response = await app.inject({ url: `/api/v1/exams?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ code: string }>().code, query).toMatch(/^MYO_ERR_(BAD_REQUEST|QUERY_INVALID)$/);
    }
  });

  it('/api/v1/exams/:id returns the record, 404 for an unknown id, 400 for a malformed one', async () => {
    const parts = fakeParts();
    const record = sampleRecord(1);
    parts.store.save(record);
    const app = appFor(parts);
    const found = await app.inject({ url: `/api/v1/exams/${record.id}` });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual(record);
    const missing = await app.inject({ url: `/api/v1/exams/${sampleRecord(2).id}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ code: string }>().code).toBe('MYO_ERR_NOT_FOUND');
    const malformed = await app.inject({ url: '/api/v1/exams/..%2F..%2Fetc' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json<{ code: string }>().code).toBe('MYO_ERR_BAD_REQUEST');
  });

  it('/api/v1/model reports the active model and update progress from the bus', async () => {
    const parts = fakeParts();
    const app = appFor(parts);
    await app.ready();
    const candidate = { id: 'myoscreen-lsnet', version: '1.1.0', sha256: 'a'.repeat(64), securityVersion: 2 };
    parts.bus.emit('modelStateChanged', { installed: null, candidate, phase: 'downloading', progress: 0.25, jobId: 'job-1', at: 1 });
    const body = (await app.inject({ url: '/api/v1/model' })).json<Record<string, unknown>>();
    expect(Value.Check(ModelSchema, body)).toBe(true);
    expect(body).toMatchObject({ active: null, candidate: { version: '1.1.0' }, update: { phase: 'downloading', progress: 0.25, jobId: 'job-1' } });
    expect(body.history).toEqual([expect.objectContaining({ event: 'downloading', detail: 'job job-1' })]);
  });

  it('POST /api/v1/selftest runs one at a time: a second request while one runs gets 409', async () => {
    const parts = fakeParts();
    let release = (): void => undefined;
    let running = false;
    parts.selftest = {
      run: async () => {
        const { MyoError } = await import('../../src/core/errors.js');
        if (running) throw new MyoError('MYO_ERR_SELFTEST_RUNNING', 'a self-test is already running');
        running = true;
        await new Promise<void>((resolve) => (release = resolve));
        running = false;
        return { ok: false, startedAt: new Date().toISOString(), checks: [{ name: 'disk', outcome: 'fail', detail: 'full', tookMs: 3 }] };
      },
      running: false,
    };
    const app = appFor(parts);
    expect((await app.inject({ url: '/api/v1/selftest' })).statusCode).toBe(404);
    const first = app.inject({ method: 'POST', url: '/api/v1/selftest' });
    await expect.poll(() => running).toBe(true);
    const second = await app.inject({ method: 'POST', url: '/api/v1/selftest' });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'MYO_ERR_SELFTEST_RUNNING' });
    release();
    const report = await first;
    expect(report.statusCode).toBe(200);
    expect(Value.Check(SelfTestReportSchema, report.json())).toBe(true);
    expect(report.json()).toMatchObject({ ok: false, checks: [{ name: 'disk', outcome: 'fail' }] });
    expect((await app.inject({ url: '/api/v1/selftest' })).json()).toMatchObject({ ok: false });
    const bad = await app.inject({ method: 'POST', url: '/api/v1/selftest?checks=DROP%20TABLE' });
    expect(bad.statusCode).toBe(400);
  });

  it('/api/v1/frame.png serves the latest frame, tinted by attention where the map is hot', async () => {
    const parts = fakeParts();
    const app = appFor(parts);
    expect((await app.inject({ url: '/api/v1/frame.png' })).json()).toMatchObject({ code: 'MYO_ERR_NOT_FOUND' });
    const values = new Float32Array(16).fill(0);
    values[0] = 1; // top-left token hot
    parts.snapshot = { seq: 7, width: 32, height: 32, gray: new Uint8Array(32 * 32).fill(100), attention: { width: 4, height: 4, values }, score: 0.8, at: 1 };
    const plain = await app.inject({ url: '/api/v1/frame.png' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('image/png');
    const gray = decodeGrayPng(plain.rawPayload);
    expect([gray.width, gray.height, gray.pixels[0]]).toEqual([32, 32, 100]);
    const tinted = await app.inject({ url: '/api/v1/frame.png?overlay=attention' });
    expect(tinted.headers['x-frame-seq']).toBe('7');
    const luma = decodeGrayPng(tinted.rawPayload);
    // Decoded to luma: the hot corner is brighter than the cold one, which keeps the frame's own gray.
    expect(luma.pixels[0]).toBeGreaterThan(110);
    expect(luma.pixels[32 * 32 - 1]).toBe(100);
    expect((await app.inject({ url: '/api/v1/frame.png?overlay=heat' })).statusCode).toBe(400);
  });

  it('/api/v1/display reports a serial display without an image; the PNG is a coded 404', async () => {
    const app = appFor(fakeParts());
    expect((await app.inject({ url: '/api/v1/display' })).json()).toMatchObject({ kind: 'serial', connected: true, imageUrl: null });
    expect((await app.inject({ url: '/api/v1/display.png' })).json()).toMatchObject({ code: 'MYO_ERR_NOT_FOUND' });
  });

  it('serves an OpenAPI document listing every route with its schemas', async () => {
    const app = appFor(fakeParts());
    const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters: { name: string }[] }>> }>();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/livez', '/readyz', '/healthz', '/metrics', '/api/v1/status', '/api/v1/exams', '/api/v1/exams/{id}', '/api/v1/model', '/api/v1/selftest', '/api/v1/display', '/api/v1/display.png', '/api/v1/frame.png', '/api/v1/events']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths['/api/v1/exams']?.get?.parameters.map((p) => p.name)).toEqual(['limit', 'cursor', 'decision']);
    expect(doc.paths['/api/v1/exams/{id}']?.get?.responses['404']).toBeDefined();
    expect(doc.paths['/api/v1/selftest']?.post?.responses['409']).toBeDefined();
  });
});
