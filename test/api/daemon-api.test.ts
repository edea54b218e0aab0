import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { PhantomFrameSource } from '../../src/capture/phantom-source.js';
import { deepFreeze } from '../../src/core/config/load.js';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { decodeGrayPng } from '../../src/imaging/png.js';
import { FakeEngine } from '../../src/infer/engine/fake-engine.js';
import { MemoryExamStore } from '../../src/records/memory-exam-store.js';
import { StatusSchema } from '../../src/api/schemas.js';
import { oneExamScript } from '../helpers/one-exam-script.js';
import { silentLogger } from '../helpers/silent-logger.js';

let daemon: Daemon | null = null;
afterEach(async () => {
  await daemon?.stop();
  daemon = null;
});

const TOKEN = 'daemon-test-token-0123456789';

function config(): Config {
  return deepFreeze(
    Value.Default(ConfigSchema, {
      device: { id: 'cart-api' },
      state: { dir: mkdtempSync(join(tmpdir(), 'myo-api-')) },
      api: { port: 0, auth: { tokens: [{ name: 'tech', token: TOKEN }] } },
      mqtt: { embedded: { port: 0 } },
      display: { logEmulator: false },
      capture: { phantom: { width: 640, height: 360 } },
    }) as Config,
  );
}

/** Reads server-sent events until `until` matches one or the time runs out; returns every event seen. */
function readEvents(port: number, until: (event: string, data: unknown) => boolean, timeoutMs: number): Promise<{ event: string; data: unknown }[]> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || data === undefined) continue;
          const parsed = JSON.parse(data) as unknown;
          events.push({ event, data: parsed });
          if (until(event, parsed)) {
            clearTimeout(timer);
            req.destroy();
            resolve(events);
          }
        }
      });
      res.on('end', () => resolve(events));
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no matching event in ${timeoutMs} ms; saw ${events.map((e) => e.event).join(',')}`));
    }, timeoutMs);
    req.on('error', (error) => (events.length > 0 ? resolve(events) : reject(error)));
    req.end();
  });
}

describe('the API on a running daemon (phantom source, fake engine)', () => {
  it('streams an exam start and end, serves status, exams, frame and display images, and metrics', async () => {
    daemon = createDaemon({
      config: config(),
      logger: silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.6 }),
      examStore: new MemoryExamStore(),
      createSource: (capture, deps) => new PhantomFrameSource({ config: capture, ...deps, script: oneExamScript(30) }),
    });
    await daemon.start(new AbortController().signal);
    const port = daemon.apiAddress()?.port ?? 0;
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${TOKEN}` };

    const events = await readEvents(port, (event, data) => event === 'exam' && (data as { event: string }).event === 'ended', 25_000);
    const names = events.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(['health', 'stats', 'model']);
    expect(events.find((e) => e.event === 'exam')?.data).toMatchObject({ event: 'started', exam: { phase: 'scanning' } });
    expect(events.at(-1)?.data).toMatchObject({ event: 'ended', decision: 'refer' });
    expect(events.some((e) => e.event === 'stats' && (e.data as { exam: { phase: string } }).exam.phase === 'scanning')).toBe(true);

    const status = (await (await fetch(`${base}/api/v1/status`, { headers: auth })).json()) as Record<string, unknown>;
    expect(Value.Check(StatusSchema, status)).toBe(true);
    expect(status).toMatchObject({ deviceId: 'cart-api', exam: { phase: 'result', decision: 'refer' }, model: { id: 'myoscreen-lsnet' } });
    expect((status.pipeline as { latencyMs: { samples: number } | null }).latencyMs?.samples).toBeGreaterThan(10);

    const exams = (await (await fetch(`${base}/api/v1/exams`, { headers: auth })).json()) as { items: { id: string; decision: string }[] };
    expect(exams.items).toHaveLength(1);
    expect(exams.items[0]?.decision).toBe('refer');
    expect((await fetch(`${base}/api/v1/exams/${exams.items[0]?.id ?? ''}`, { headers: auth })).status).toBe(200);

    const frame = await fetch(`${base}/api/v1/frame.png?overlay=attention`, { headers: auth });
    expect(frame.status).toBe(200);
    const image = decodeGrayPng(new Uint8Array(await frame.arrayBuffer()));
    expect([image.width, image.height]).toEqual([128, 128]);
    const display = await fetch(`${base}/api/v1/display.png`, { headers: auth });
    expect(display.status).toBe(200);
    expect([decodeGrayPng(new Uint8Array(await display.arrayBuffer())).width]).toEqual([480]);
    expect(((await (await fetch(`${base}/api/v1/display`, { headers: auth })).json()) as { kind: string }).kind).toBe('emulated');
    expect((await fetch(`${base}/api/v1/status`)).status).toBe(401);

    const page = await fetch(`${base}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");

    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('myoscreen_capture_frames_total');
  }, 40_000);
});
