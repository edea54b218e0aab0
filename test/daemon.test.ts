import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { PhantomFrameSource } from '../src/capture/phantom-source.js';
import type { ScriptSegment } from '../src/capture/phantom/script-types.js';
import { deepFreeze } from '../src/core/config/load.js';
import { ConfigSchema, type Config } from '../src/core/config/schema.js';
import type { BusEvents } from '../src/core/events.js';
import { createDaemon, type Daemon } from '../src/daemon.js';
import { FakeEngine } from '../src/infer/engine/fake-engine.js';
import { MemoryExamStore } from '../src/records/memory-exam-store.js';
import { MemoryDisplay } from '../src/device/display/memory-display.js';
import { pino } from 'pino';
import { oneExamScript } from './helpers/one-exam-script.js';
import { silentLogger } from './helpers/silent-logger.js';

function config(patch: Record<string, unknown> = {}): Config {
  return deepFreeze(
    Value.Default(ConfigSchema, {
      state: { dir: mkdtempSync(join(tmpdir(), 'myo-daemon-')) },
      api: { port: 0 },
      mqtt: { embedded: { port: 0 } },
      capture: { phantom: { width: 640, height: 360 } },
      ...patch,
    }) as Config,
  );
}

const oneExam = (): ScriptSegment[] => oneExamScript(8);

let daemon: Daemon | null = null;
afterEach(async () => {
  await daemon?.stop();
  daemon = null;
});

describe('the daemon screens live frames', () => {
  it('runs an exam end to end on the phantom: start, decision, a stored record, metrics', async () => {
    const store = new MemoryExamStore();
    daemon = createDaemon({
      config: config(),
      logger: process.env.DEBUG_DAEMON ? pino({ level: 'debug' }) : silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.6 }),
      examStore: store,
      createSource: (capture, deps) => new PhantomFrameSource({ config: capture, ...deps, script: oneExam() }),
    });
    const ended = new Promise<BusEvents['examEnded']>((resolve) => daemon?.bus.on('examEnded', resolve));
    const started = new Promise<BusEvents['examStarted']>((resolve) => daemon?.bus.on('examStarted', resolve));
    await daemon.start(new AbortController().signal);
    const begin = await started;
    expect(begin.cause).toBe('auto');
    const end = await ended;
    expect(end).toMatchObject({ examId: begin.examId, decision: 'refer', cause: 'idle_timeout' });
    const record = store.get(begin.examId);
    expect(record).toMatchObject({ decision: 'refer', model: { id: 'myoscreen-lsnet', version: '1.0.0' }, provider: 'cpu' });
    expect(record?.frames.usable).toBeGreaterThanOrEqual(20);
    const metrics = await daemon.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/myoscreen_exams_total\{decision="refer",device="myoscreen-dev"\} 1/);
    expect(metrics.body).toMatch(/myoscreen_pipeline_stage_seconds_count\{[^}]*stage="session_run"[^}]*\} [1-9]/);
    const ready = await daemon.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
  }, 60_000);

  it('stays up without screening when the configured package is refused, and says why in readiness', async () => {
    daemon = createDaemon({
      config: config({ inference: { package: join(tmpdir(), 'no-such-package') } }),
      logger: silentLogger(),
      createEngine: () => new FakeEngine(),
      examStore: new MemoryExamStore(),
    });
    await daemon.start(new AbortController().signal);
    const ready = await daemon.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.body).toContain('MYO_ERR_MODEL_FILE');
    expect(daemon.inference.error?.code).toBe('MYO_ERR_MODEL_FILE');
  }, 30_000);

  it('reports a provider fallback on the bus and in readiness', async () => {
    daemon = createDaemon({
      config: config({ inference: { providers: ['cuda', 'cpu'] } }),
      logger: silentLogger(),
      createEngine: (inference) => new FakeEngine({ providers: inference.providers, unavailable: ['cuda'] }),
      examStore: new MemoryExamStore(),
    });
    const fallbacks: BusEvents['providerFallback'][] = [];
    daemon.bus.on('providerFallback', (e) => fallbacks.push(e));
    await daemon.start(new AbortController().signal);
    expect(fallbacks).toMatchObject([{ failed: 'cuda', next: 'cpu' }]);
    const ready = await daemon.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.body).toContain('on cpu (fell back from cuda)');
  }, 30_000);

  it('shows the exam on the cart display, and a touch on the display starts and ends an exam', async () => {
    const store = new MemoryExamStore();
    const built = { display: null as MemoryDisplay | null };
    daemon = createDaemon({
      config: config({ screening: { autoStartAfterMs: 600_000 } }),
      logger: silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.6 }),
      examStore: store,
      createSource: (capture, deps) => new PhantomFrameSource({ config: capture, ...deps, script: oneExam() }),
      displayFor: (eventBus) => (built.display = new MemoryDisplay({ bus: eventBus })),
    });
    const started = new Promise<BusEvents['examStarted']>((resolve) => daemon?.bus.on('examStarted', resolve));
    const ended = new Promise<BusEvents['examEnded']>((resolve) => daemon?.bus.on('examEnded', resolve));
    await daemon.start(new AbortController().signal);
    const display = built.display;
    if (!display) throw new Error('the daemon did not build the display');
    await expect.poll(() => display.current?.page, { timeout: 10_000 }).toBe('ready');
    // Auto start is far off: only the operator's touch can start this exam.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    display.press('start');
    expect((await started).cause).toBe('operator');
    await expect.poll(() => display.current?.page, { timeout: 10_000 }).toBe('scanning');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    display.press('end');
    const end = await ended;
    expect(end.cause).toBe('operator');
    await expect.poll(() => display.current?.page, { timeout: 5000 }).toBe('result');
    const pages = display.states.map((s) => s.page).filter((p, i, all) => p !== all[i - 1]);
    expect(pages).toEqual(expect.arrayContaining(['boot', 'ready', 'scanning', 'result']));
    expect(pages.indexOf('scanning')).toBeLessThan(pages.indexOf('result'));
  }, 60_000);

  it('records an exam that is running at shutdown as interrupted', async () => {
    const store = new MemoryExamStore();
    daemon = createDaemon({
      config: config({ screening: { autoStartAfterMs: 0 } }),
      logger: silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.001 }),
      examStore: store,
    });
    const started = new Promise<BusEvents['examStarted']>((resolve) => daemon?.bus.on('examStarted', resolve));
    await daemon.start(new AbortController().signal);
    daemon.screening.operator('start');
    const { examId } = await started;
    await daemon.stop();
    expect(store.get(examId)).toMatchObject({ decision: 'inconclusive', reason: 'interrupted', endedBy: 'shutdown' });
    daemon = null;
  }, 30_000);
});
