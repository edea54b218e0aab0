import { Value } from '@sinclair/typebox/value';
import { RoiDetector } from '../../src/capture/roi-detector.js';
import { SignalMonitor, type SignalTransition } from '../../src/capture/signal-monitor.js';
import { ScreenPlayer } from '../../src/capture/phantom/screen-player.js';
import type { ScriptSegment } from '../../src/capture/phantom/script-types.js';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { EventBus } from '../../src/core/event-bus.js';
import type { InferenceEngine } from '../../src/infer/engine/engine.js';
import { ScreeningPipeline } from '../../src/pipeline/screening-pipeline.js';
import { newExamId, type ExamRecord } from '../../src/records/exam-record.js';
import { MemoryExamStore } from '../../src/records/memory-exam-store.js';
import { MetricsRegistry } from '../../src/telemetry/metrics.js';
import { silentLogger } from '../helpers/silent-logger.js';

export interface HarnessResult {
  readonly records: readonly ExamRecord[];
  /** The script segment on screen when each exam started, by exam id. */
  readonly startedDuring: ReadonlyMap<string, ScriptSegment>;
  readonly pipeline: ScreeningPipeline;
}

/**
 * Plays a phantom script slot by slot on a manual clock through the same parts capture uses (ROI detector, signal
 * monitor) and the real screening pipeline, without real time: deterministic and fast. Every `stride`-th slot is
 * shown (the pipeline does not care about the rate; the monitor's timeouts follow the manual clock). No-signal slots
 * show nothing; the monitor's tick notices, as the capture service's timer does.
 */
export async function playScript(options: {
  script: readonly ScriptSegment[];
  engine: InferenceEngine;
  configPatch?: Record<string, unknown>;
  stride?: number;
  onSegment?: (segment: ScriptSegment) => void;
}): Promise<HarnessResult> {
  const config = Value.Default(ConfigSchema, {
    capture: { phantom: { width: 640, height: 360 } },
    ...options.configPatch,
  }) as Config;
  const fps = config.capture.fps;
  const period = 1000 / fps;
  const stride = options.stride ?? 3;
  const clock = new ManualClock();
  const bus = new EventBus();
  const store = new MemoryExamStore();
  const player = new ScreenPlayer({ ...config.capture.phantom, fps, script: options.script, seed: 1 });
  const roi = new RoiDetector(config.capture.roi);
  const monitor = new SignalMonitor(config.capture.signal);
  const pipeline = new ScreeningPipeline({
    config,
    engine: options.engine,
    store,
    bus,
    clock,
    logger: silentLogger(),
    metrics: new MetricsRegistry({ processMetrics: false }),
    daemonVersion: 'test',
    newExamId,
  });
  const startedDuring = new Map<string, ScriptSegment>();
  let current: ScriptSegment | null = null;
  bus.on('examStarted', (e) => {
    if (current) startedDuring.set(e.examId, current);
  });
  const report = (t: SignalTransition | null): void => {
    if (t) bus.emit('signalChanged', { source: 'phantom', ...t, at: clock.now() });
  };
  await pipeline.start();
  for (let slot = 0; slot < player.timeline.cycleSlots; slot += 1) {
    clock.advance(period);
    const position = player.position(slot);
    if (position.segment !== current) {
      current = position.segment;
      options.onSegment?.(current);
    }
    if (slot % stride !== 0) continue;
    const played = player.frameAt(slot, { wallTimeMs: clock.wallNow(), frameNumber: slot });
    if (!played) {
      report(monitor.tick(clock.now()));
      pipeline.tick();
      continue;
    }
    const frame = { seq: slot, capturedAt: clock.now(), width: config.capture.phantom.width, height: config.capture.phantom.height, format: 'gray8' as const, data: played.data };
    const found = roi.observe(frame);
    report(monitor.observe(frame, found.roi, clock.now()));
    await pipeline.handle({ frame, roi: found.roi, roiMethod: found.method, roiSettled: found.settled, signal: monitor.state });
    pipeline.tick();
  }
  // Let the last exam time out, as it would on an idle screen.
  for (let i = 0; i < 40; i += 1) {
    clock.advance(250);
    report(monitor.tick(clock.now()));
    pipeline.tick();
  }
  await pipeline.stop();
  return { records: store.list({ limit: 500 }).items.slice().reverse(), startedDuring, pipeline };
}
