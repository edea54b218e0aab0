import { delay, type Clock } from '../core/clock.js';
import type { CaptureConfig } from '../core/config/schema.js';
import { MyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Frame } from '../core/frame.js';
import type { Logger } from '../core/logger.js';
import { isAborted } from './abort.js';
import type { FrameSource, FrameSourceStats } from './frame-source.js';
import { ScreenPlayer } from './phantom/screen-player.js';
import { phantomScript } from './phantom/script-builder.js';
import type { ScriptPosition } from './phantom/script-timeline.js';
import type { ScriptSegment } from './phantom/script-types.js';
import { SourceReporter } from './source-reporter.js';

export interface PhantomSourceDeps {
  readonly config: CaptureConfig;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pace frames at capture.fps in real time (default). Off: frames come as fast as they are asked for. */
  readonly realtime?: boolean | undefined;
  /** The session to play (default: phantomScript(capture.phantom.seed)), repeated forever. */
  readonly script?: readonly ScriptSegment[] | undefined;
}

/** The script segment on screen now, with its ground truth. */
export interface ActiveSegment {
  readonly segment: ScriptSegment;
  /** Passes over the script completed before this one. */
  readonly cycle: number;
  /** Frame slots into the segment (slot = one frame period of script time). */
  readonly slotInSegment: number;
  readonly segmentSlots: number;
}

/**
 * The phantom scanner as a capture source: a whole scanner screen (capture.phantom.width x height, layout) playing
 * a scripted session of exams with idle, frozen and no-signal spells between them, paced at capture.fps.
 *
 * Pacing is scheduled against the start time (slot k is due at start + k / fps), so it does not drift; a consumer
 * slower than a frame period makes the source pass over slots, which take a seq each (the gap shows the drop), as
 * a live grabber would. Slack before a slot is due is spent rendering cine frames ahead. No-signal segments yield
 * nothing at all; downstream, the signal monitor notices the silence. Without `realtime` the same slots are
 * produced back to back (no-signal slots skipped), stamped with the injected clock, and the on-screen clock follows
 * script time, so a run is reproducible.
 *
 * Buffers: every frame gets its own freshly allocated buffer, never touched again by the source, because consumers
 * (the mailbox, the signal monitor) may hold frames. At 1080p that is 2 MB a frame, reclaimed by the GC once the
 * newest-wins mailbox lets go of it.
 */
export class PhantomFrameSource implements FrameSource {
  readonly name = 'phantom';
  readonly #deps: PhantomSourceDeps;
  readonly #reporter: SourceReporter;
  #script: readonly ScriptSegment[] | null = null;
  #player: ScreenPlayer | null = null;
  #nextSlot = 0;
  #dropped = 0;
  #current: ScriptPosition | null = null;
  #running = false;

  constructor(deps: PhantomSourceDeps) {
    this.#deps = deps;
    const { bus, clock, logger, config } = deps;
    this.#reporter = new SourceReporter({ name: this.name, bus, clock, logger, reconnect: config.reconnect });
  }

  /** The script this source plays (one cycle; it repeats). */
  get script(): readonly ScriptSegment[] {
    this.#script ??= this.#deps.script ?? phantomScript(this.#deps.config.phantom.seed);
    return this.#script;
  }

  /** What is on screen now (null before the first slot). */
  currentSegment(): ActiveSegment | null {
    const p = this.#current;
    if (!p) return null;
    return { segment: p.segment, cycle: p.cycle, slotInSegment: p.slotInSegment, segmentSlots: p.segmentSlots };
  }

  stats(): FrameSourceStats {
    return this.#reporter.stats(this.#dropped);
  }

  frames(signal: AbortSignal): AsyncIterable<Frame> {
    if (this.#running) throw new MyoError('MYO_ERR_LIFECYCLE', 'phantom source frames() is already being read');
    return this.#run(signal);
  }

  #ensurePlayer(): ScreenPlayer {
    if (this.#player) return this.#player;
    const { config } = this.#deps;
    const { width, height, layout, seed } = config.phantom;
    const { clock } = this.#deps;
    this.#player = new ScreenPlayer({ layout, width, height, fps: config.fps, script: this.script, seed, now: () => clock.now() });
    return this.#player;
  }

  async *#run(signal: AbortSignal): AsyncGenerator<Frame> {
    this.#running = true;
    try {
      const player = this.#ensurePlayer();
      const { clock, config } = this.#deps;
      const realtime = this.#deps.realtime ?? true;
      const period = 1000 / config.fps;
      const { width, height } = config.phantom;
      const epochSlot = this.#nextSlot;
      const epochWall = clock.wallNow();
      // Pacing starts once the first slot is out, so its one-off set-up cost does not make the next slots late.
      let epochStart: number | null = null;
      // Warm the renderer (and the JIT) before pacing starts, so the first real render is not the slowest one.
      if (realtime && !signal.aborted) player.prefetch(this.#nextSlot);
      let silentSlots = 0;
      let prefetchedFor = -1;
      while (!isAborted(signal)) {
        const slot = this.#nextSlot;
        if (realtime && epochStart !== null) {
          const due = epochStart + (slot - epochSlot) * period;
          const now = clock.now();
          if (now - due > period) {
            this.#passOver(player, slot, epochSlot + Math.floor((now - epochStart) / period));
            continue;
          }
          if (due > now) {
            // Slack: render ahead, at most once per slot; the budget is what can be spent before this slot is lost.
            if (prefetchedFor !== slot) {
              prefetchedFor = slot;
              if (player.prefetch(slot, due + 0.9 * period - now)) continue;
            }
            try {
              await delay(due - now, signal);
            } catch {
              return;
            }
          }
        }
        const position = player.position(slot);
        this.#enter(position);
        const wallTimeMs = realtime ? clock.wallNow() : epochWall + (slot - epochSlot) * period;
        const played = player.frameAt(slot, { wallTimeMs, frameNumber: slot });
        this.#nextSlot = slot + 1;
        epochStart ??= clock.now();
        if (!played) {
          // No signal: nothing comes out. A script with no frames at all would spin here forever without pacing.
          silentSlots += 1;
          if (!realtime && silentSlots > player.timeline.cycleSlots) {
            throw new MyoError('MYO_ERR_PHANTOM_PARAMS', 'the phantom script never produces a frame');
          }
          continue;
        }
        silentSlots = 0;
        yield this.#reporter.frame({ width, height, data: played.data });
      }
    } finally {
      this.#running = false;
    }
  }

  /** A late consumer: slots up to `target` are passed over; those that would have shown a frame count as dropped. */
  #passOver(player: ScreenPlayer, from: number, target: number): void {
    for (let slot = from; slot < target; slot++) {
      const position = player.position(slot);
      this.#enter(position);
      if (position.segment.kind !== 'no-signal') {
        this.#reporter.skipped();
        this.#dropped += 1;
      }
    }
    this.#nextSlot = Math.max(from, target);
  }

  #enter(position: ScriptPosition): void {
    const previous = this.#current;
    this.#current = position;
    if (previous?.segmentStartSlot === position.segmentStartSlot) return;
    const { segment } = position;
    const truth = segment.truth;
    const at = this.#deps.clock.now();
    this.#deps.logger.debug(
      { index: segment.index, kind: segment.kind, cycle: position.cycle, expected: truth?.expected ?? null },
      'phantom segment started',
    );
    this.#deps.bus.emit('phantomSegmentStarted', {
      index: segment.index,
      kind: segment.kind,
      expected: truth?.expected ?? null,
      label: truth?.label ?? null,
      at,
    });
  }
}
