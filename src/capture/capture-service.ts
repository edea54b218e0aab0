import { delay, type Clock } from '../core/clock.js';
import type { CaptureConfig } from '../core/config/schema.js';
import { MyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Frame, Rect, SignalState } from '../core/frame.js';
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';
import type { CaptureStats } from './capture-stats.js';
import type { FrameSource } from './frame-source.js';
import { FrameMailbox } from './mailbox.js';
import { RoiDetector, type RoiMethod } from './roi-detector.js';
import { SignalMonitor, type SignalTransition } from './signal-monitor.js';
import { isAborted } from './abort.js';

/** What the capture service hands to inference: the frame, where the fan is, and how the signal looked. */
export interface CapturedFrame {
  readonly frame: Frame;
  /** The region of interest; the whole frame while auto detection is still learning. */
  readonly roi: Rect;
  readonly roiMethod: RoiMethod;
  /** False while auto detection has not found the fan yet. */
  readonly roiSettled: boolean;
  /** The signal state after this frame was judged. */
  readonly signal: SignalState;
}

export interface CaptureServiceDeps {
  readonly source: FrameSource;
  readonly config: CaptureConfig;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often the no-signal timeout is checked (default min(250, noSignalTimeoutMs / 4)). */
  readonly tickIntervalMs?: number | undefined;
}

const FPS_WINDOW_MS = 2000;

/**
 * Runs capture: reads the source in the background, finds the ROI, judges the signal, and leaves the newest frame in
 * a one-slot mailbox for inference. Signal and ROI changes go on the bus. Source errors are logged and the source
 * is asked again (sources reconnect by themselves); only stop() ends the loop.
 */
export class CaptureService implements Lifecycle {
  readonly name = 'capture';
  readonly #deps: CaptureServiceDeps;
  readonly #mailbox = new FrameMailbox<CapturedFrame>();
  #roi: RoiDetector | null = null;
  #monitor: SignalMonitor | null = null;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #offBus: (() => void)[] = [];
  #framesCaptured = 0;
  #loopTicks = 0;
  #stamps: number[] = [];
  #firstFrameAt: number | null = null;
  #size = { width: 0, height: 0 };
  #stopped = false;

  constructor(deps: CaptureServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Where inference takes frames from. Left open on stop: the consumer stops on its own signal, and a closed
   * mailbox would make a consumer that retries failed takes spin.
   */
  get mailbox(): FrameMailbox<CapturedFrame> {
    return this.#mailbox;
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#abort || this.#stopped) {
      return Promise.reject(new MyoError('MYO_ERR_LIFECYCLE', 'capture service started twice or after stop'));
    }
    signal.throwIfAborted();
    const { config, bus, clock, source } = this.#deps;
    this.#roi = new RoiDetector(config.roi);
    this.#monitor = new SignalMonitor(config.signal);
    const abort = new AbortController();
    this.#abort = abort;
    this.#offBus.push(
      bus.on(
        'sourceDisconnected',
        (event) => {
          if (event.source === source.name) this.#report(this.#monitor?.markDisconnected(event.reason) ?? null);
        },
        this.name,
      ),
    );
    const tickMs = this.#deps.tickIntervalMs ?? Math.min(250, config.signal.noSignalTimeoutMs / 4);
    this.#timer = setInterval(() => {
      this.#loopTicks += 1;
      this.#report(this.#monitor?.tick(clock.now()) ?? null);
    }, tickMs);
    this.#timer.unref();
    this.#loop = this.#run(abort.signal);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const off of this.#offBus) off();
    this.#offBus = [];
    this.#abort?.abort(new MyoError('MYO_ERR_ABORTED', 'capture stopped'));
    await this.#loop;
  }

  stats(): CaptureStats {
    const now = this.#deps.clock.now();
    this.#trimStamps(now);
    const span = this.#firstFrameAt === null ? 0 : Math.min(FPS_WINDOW_MS, now - this.#firstFrameAt);
    const fps = span > 0 ? (this.#stamps.length * 1000) / span : 0;
    const source = this.#deps.source.stats();
    return {
      framesCaptured: this.#framesCaptured,
      framesDropped: this.#mailbox.stats().dropped + source.dropped,
      fps,
      signal: this.#monitor?.state ?? 'no_signal',
      roi: this.#roi?.current?.roi ?? null,
      width: this.#size.width,
      height: this.#size.height,
      sourceConnected: source.connected,
      loopTicks: this.#loopTicks,
    };
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { source, logger, config } = this.#deps;
    while (!signal.aborted) {
      try {
        for await (const frame of source.frames(signal)) this.#onFrame(frame);
        if (!isAborted(signal)) logger.info({ source: source.name }, 'capture source ended');
        return;
      } catch (error) {
        if (isAborted(signal)) return;
        logger.error({ source: source.name, err: error }, 'capture source failed; asking it again');
        try {
          await delay(config.reconnect.initialDelayMs, signal);
        } catch {
          return;
        }
      }
    }
  }

  #onFrame(frame: Frame): void {
    const { bus, clock, logger } = this.#deps;
    const roiDetector = this.#roi;
    const monitor = this.#monitor;
    if (!roiDetector || !monitor) return;
    const now = clock.now();
    this.#framesCaptured += 1;
    this.#firstFrameAt ??= now;
    this.#stamps.push(now);
    this.#trimStamps(now);
    this.#size = { width: frame.width, height: frame.height };
    const roi = roiDetector.observe(frame);
    if (roi.changed) {
      if (roi.problem) logger.warn({ problem: roi.problem }, 'configured ROI does not fit the frame; using the whole frame');
      logger.info({ roi: roi.roi, method: roi.method }, 'capture ROI set');
      bus.emit('roiChanged', { roi: roi.roi, method: roi.method, at: now });
    }
    this.#report(monitor.observe(frame, roi.roi, now));
    this.#mailbox.put({ frame, roi: roi.roi, roiMethod: roi.method, roiSettled: roi.settled, signal: monitor.state });
  }

  #report(transition: SignalTransition | null): void {
    if (!transition) return;
    const { bus, clock, logger, source } = this.#deps;
    const level = transition.state === 'ok' ? 'info' : 'warn';
    logger[level]({ source: source.name, ...transition }, 'capture signal changed');
    bus.emit('signalChanged', { source: source.name, ...transition, at: clock.now() });
  }

  #trimStamps(now: number): void {
    let drop = 0;
    while (drop < this.#stamps.length && (this.#stamps[drop] ?? now) <= now - FPS_WINDOW_MS) drop += 1;
    if (drop > 0) this.#stamps.splice(0, drop);
  }
}
