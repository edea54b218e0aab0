import { MyoError } from '../../core/errors.js';
import type { GrayImage } from '../../imaging/draw.js';
import { BModeRenderer } from './bmode-renderer.js';
import { screenAcquisition, screenCase } from './screen-case.js';
import { CINE_FRAMES, CineLoop, pingPong } from './screen-cine.js';
import { ScreenCompositor } from './screen-compositor.js';
import { IdleFan } from './screen-idle.js';
import { layoutSpec, type LayoutName } from './screen-layout.js';
import type { ScreenParams } from './screen-static.js';
import { ScriptTimeline, type ScriptPosition } from './script-timeline.js';
import { isExamSegment, type ScriptSegment } from './script-types.js';
import { mix32 } from './rng.js';
import { createCase } from './sample-case.js';
import type { Acquisition } from './types.js';

export interface ScreenPlayerOptions {
  readonly layout: LayoutName;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly script: readonly ScriptSegment[];
  /** Seeds the idle screen's noise (the exams carry their own case seeds). */
  readonly seed: number;
  /** Side of the square B-mode render before it is scaled to the fan box (default: min(480, fan box)). */
  readonly renderSize?: number;
  /** Monotonic ms, only to measure what a render costs (default performance.now). */
  readonly now?: () => number;
}

export interface PlayedFrame {
  readonly data: Uint8Array;
  readonly position: ScriptPosition;
  readonly frozen: boolean;
}

/** Idle noise frames kept per idle geometry, shown in a cycle. */
const IDLE_FRAMES = 8;
/** Slots one forced render may cost on a slow machine; sets how early the next exam's loop becomes urgent. */
const URGENT_SLOTS_PER_RENDER = 3;
/** Cine loops kept at once: the exam on screen and the next one being prepared. */
const MAX_LOOPS = 2;
const PROBE = 'TV9-4';
const PRESET = 'GYN TV';

/**
 * Plays the script as scanner screens, one per frame slot (slot k is shown at script time k / fps). Deterministic:
 * the screen for a slot depends only on the options, the slot and the overlay values passed in, whether or not
 * `prefetch()` ran before. Exams render their cine loop lazily; `prefetch()` lets a paced caller render ahead in its
 * slack time (the rest of the exam on screen, then the next exam), so a 30 fps stream rarely waits on the renderer.
 */
export class ScreenPlayer {
  readonly timeline: ScriptTimeline;
  readonly compositor: ScreenCompositor;
  readonly #script: readonly ScriptSegment[];
  readonly #sectorDeg: number;
  readonly #seed: number;
  readonly #renderSize: number;
  readonly #renderer = new BModeRenderer();
  readonly #loops = new Map<number, CineLoop>();
  readonly #examOrdinal: number[] = [];
  readonly #examsPerCycle: number;
  #idle: { key: string; fan: IdleFan; frames: Map<number, GrayImage> } | null = null;
  #held: { start: number; image: GrayImage; params: ScreenParams } | null = null;
  #renderMsAverage = 0;
  readonly #now: () => number;

  constructor(options: ScreenPlayerOptions) {
    this.#now = options.now ?? (() => performance.now());
    this.timeline = new ScriptTimeline(options.script, options.fps);
    this.compositor = new ScreenCompositor(options.layout, options.width, options.height);
    this.#script = options.script;
    this.#sectorDeg = layoutSpec(options.layout).sectorDeg;
    this.#seed = options.seed;
    const box = this.compositor.fanBox.width;
    const size = options.renderSize ?? Math.min(480, box);
    if (!Number.isInteger(size) || size < 64 || size > box) {
      throw new MyoError('MYO_ERR_PHANTOM_PARAMS', `render size must be 64..${box}, got ${size}`, { renderSize: size });
    }
    this.#renderSize = size;
    let ordinal = 0;
    for (const segment of options.script) this.#examOrdinal.push(isExamSegment(segment) ? ordinal++ : -1);
    this.#examsPerCycle = ordinal;
  }

  /** Mean time of one cine frame render (ms), 0 before the first; lets a paced caller judge its slack. */
  get renderMsAverage(): number {
    return this.#renderMsAverage;
  }

  /** What the player holds in memory: cine loops (at most two), their rendered frames, idle frames. */
  cacheStats(): { loops: number; cineFrames: number; idleFrames: number } {
    let cineFrames = 0;
    for (const loop of this.#loops.values()) cineFrames += loop.rendered;
    return { loops: this.#loops.size, cineFrames, idleFrames: this.#idle?.frames.size ?? 0 };
  }

  position(slot: number): ScriptPosition {
    return this.timeline.at(slot);
  }

  /** The screen at `slot`, or null when the segment has no signal (the source yields nothing then). */
  frameAt(slot: number, overlay: { wallTimeMs: number; frameNumber: number }, out?: Uint8Array): PlayedFrame | null {
    const position = this.timeline.at(slot);
    const shown = this.#screenFor(position);
    if (!shown) return null;
    this.compositor.setParams(shown.params);
    const frozen = position.segment.kind === 'frozen';
    const data = this.compositor.compose(shown.image, { ...overlay, frozen }, out);
    return { data, position, frozen };
  }

  /**
   * Renders one cine frame the coming slots will need, if there is one. During an exam: the rest of its own loop,
   * when the render fits `budgetMs` (the time the caller can spare before it would lose a frame). Between exams
   * (idle, frozen, no signal): the next exam's loop, within the budget while there is time and regardless of it once
   * the exam is near, so an exam normally starts with its loop complete and plays without waiting on the renderer,
   * even where a render takes longer than a frame period (then a few idle frames are lost instead). Returns whether
   * it rendered.
   */
  prefetch(slot: number, budgetMs = Infinity): boolean {
    const position = this.timeline.at(slot);
    if (isExamSegment(position.segment)) {
      const loop = this.#loopFor(position.segmentStartSlot, position.segment);
      const missing = loop.nextMissing(pingPong(position.slotInSegment, CINE_FRAMES));
      if (missing < 0 || this.#renderMsAverage > budgetMs) return false;
      this.#timedFrame(loop, missing);
      return true;
    }
    const next = this.#nextExam(position);
    if (!next) return false;
    const loop = this.#loopFor(next.start, next.segment);
    const missing = loop.nextMissing(0);
    if (missing < 0) return false;
    // Within budget when there is time; regardless once the remaining frames need most of the slots left.
    const urgent = (CINE_FRAMES - loop.rendered) * URGENT_SLOTS_PER_RENDER >= next.start - slot;
    if (!urgent && this.#renderMsAverage > budgetMs) return false;
    this.#timedFrame(loop, missing);
    return true;
  }

  #screenFor(position: ScriptPosition): { image: GrayImage; params: ScreenParams } | null {
    const segment = position.segment;
    switch (segment.kind) {
      case 'no-signal':
        return null;
      case 'exam':
      case 'exam-inconclusive': {
        const loop = this.#loopFor(position.segmentStartSlot, segment);
        const image = this.#timedFrame(loop, pingPong(position.slotInSegment, CINE_FRAMES));
        return { image, params: this.#params(loop.case.acquisition, position) };
      }
      case 'idle':
        return this.#idleScreen(position, position.slotInSegment);
      case 'frozen':
        return this.#heldScreen(position);
    }
  }

  /** The freeze button keeps the image of the last slot shown before it; computed once per frozen segment. */
  #heldScreen(position: ScriptPosition): { image: GrayImage; params: ScreenParams } {
    if (this.#held?.start === position.segmentStartSlot) return this.#held;
    let slot = position.segmentStartSlot - 1;
    let shown: { image: GrayImage; params: ScreenParams } | null = null;
    for (let steps = 0; steps <= this.#script.length && slot >= 0 && !shown; steps++) {
      const previous = this.timeline.at(slot);
      if (previous.segment.kind !== 'frozen' && previous.segment.kind !== 'no-signal') shown = this.#screenFor(previous);
      slot = previous.segmentStartSlot - 1;
    }
    shown ??= this.#idleScreen(position, 0);
    this.#held = { start: position.segmentStartSlot, ...shown };
    return shown;
  }

  #idleScreen(position: ScriptPosition, frame: number): { image: GrayImage; params: ScreenParams } {
    const next = this.#nextExam(position);
    const acq = next ? this.#loopFor(next.start, next.segment).case.acquisition : screenAcquisition(createCase(this.#seed).acquisition, this.#sectorDeg);
    const params = this.#params(acq, next ? this.timeline.at(next.start) : null);
    const size = this.compositor.fanBox.width;
    const key = `${acq.probeRadiusCm}/${acq.depthCm}/${acq.sectorDeg}`;
    if (this.#idle?.key !== key) {
      this.#idle = { key, fan: new IdleFan(acq, size), frames: new Map() };
    }
    const index = frame % IDLE_FRAMES;
    let image = this.#idle.frames.get(index);
    if (!image) {
      image = this.#idle.fan.render(mix32(this.#seed ^ 0x1d1e), index);
      this.#idle.frames.set(index, image);
    }
    return { image, params };
  }

  #loopFor(start: number, segment: ScriptSegment): CineLoop {
    const cached = this.#loops.get(start);
    if (cached) return cached;
    if (!isExamSegment(segment)) throw new MyoError('MYO_ERR_INTERNAL', 'cine loop for a segment without an exam');
    const loop = new CineLoop(screenCase(segment, this.#sectorDeg), this.#renderer, this.#renderSize, this.compositor.fanBox.width);
    this.#loops.set(start, loop);
    while (this.#loops.size > MAX_LOOPS) {
      const oldest = Math.min(...this.#loops.keys());
      this.#loops.delete(oldest);
    }
    return loop;
  }

  #timedFrame(loop: CineLoop, index: number): GrayImage {
    if (loop.has(index)) return loop.frame(index);
    const t0 = this.#now();
    const image = loop.frame(index);
    const ms = this.#now() - t0;
    this.#renderMsAverage = this.#renderMsAverage === 0 ? ms : 0.8 * this.#renderMsAverage + 0.2 * ms;
    return image;
  }

  /** The first exam after `position`'s segment, searching at most one cycle ahead (null: the script has none). */
  #nextExam(position: ScriptPosition): { start: number; segment: ScriptSegment } | null {
    const count = this.#script.length;
    for (let step = 1; step <= count; step++) {
      const raw = position.segment.index + step;
      const index = raw % count;
      const cycle = position.cycle + Math.floor(raw / count);
      const segment = this.#script[index];
      if (segment && isExamSegment(segment)) return { start: this.timeline.startSlot(index, cycle), segment };
    }
    return null;
  }

  #params(acq: Acquisition, position: ScriptPosition | null): ScreenParams {
    const ordinal = position ? (this.#examOrdinal[position.segment.index] ?? -1) : -1;
    const study = position && ordinal >= 0 ? position.cycle * this.#examsPerCycle + ordinal + 1 : 0;
    return {
      studyNumber: study,
      probe: PROBE,
      preset: PRESET,
      frequencyMHz: Math.round(acq.frequencyMHz * 10) / 10,
      gainDb: Math.round(acq.gainDb),
      depthCm: acq.depthCm,
      focusCm: Math.round(acq.focusCm * 2) / 2,
      dynamicRangeDb: Math.round(acq.dynamicRangeDb),
      frameRateHz: this.timeline.fps,
      tgcDb: acq.tgcDb.map((v) => Math.round(v * 2) / 2),
      faceFraction: acq.probeRadiusCm / (acq.probeRadiusCm + acq.depthCm),
    };
  }
}
