import { MyoError } from '../../core/errors.js';
import type { ScriptSegment } from './script-types.js';

/** Where a frame slot falls in the endlessly repeated script. */
export interface ScriptPosition {
  /** How many whole cycles of the script came before. */
  readonly cycle: number;
  readonly segment: ScriptSegment;
  /** Slot number inside the segment, 0 = its first frame. */
  readonly slotInSegment: number;
  /** Slots the segment lasts. */
  readonly segmentSlots: number;
  /** Absolute slot at which this occurrence of the segment began. */
  readonly segmentStartSlot: number;
}

/**
 * Maps frame slots (slot k is shown at script time k / fps) to script segments. Durations are turned into whole
 * slots once, so positions are exact integers and a long-running source never drifts against its script.
 */
export class ScriptTimeline {
  readonly #script: readonly ScriptSegment[];
  readonly #starts: number[] = [];
  readonly #slots: number[] = [];
  readonly #cycleSlots: number;
  readonly fps: number;

  constructor(script: readonly ScriptSegment[], fps: number) {
    if (script.length === 0) throw new MyoError('MYO_ERR_PHANTOM_PARAMS', 'phantom script is empty');
    if (!(fps > 0)) throw new MyoError('MYO_ERR_PHANTOM_PARAMS', 'fps must be positive', { fps });
    this.#script = script;
    this.fps = fps;
    let total = 0;
    for (const segment of script) {
      if (!(segment.durationS > 0)) {
        throw new MyoError('MYO_ERR_PHANTOM_PARAMS', 'segment duration must be positive', { index: segment.index });
      }
      const slots = Math.max(1, Math.round(segment.durationS * fps));
      this.#starts.push(total);
      this.#slots.push(slots);
      total += slots;
    }
    this.#cycleSlots = total;
  }

  /** Slots in one pass over the script. */
  get cycleSlots(): number {
    return this.#cycleSlots;
  }

  /** The first slot of segment `index` in cycle `cycle`. */
  startSlot(index: number, cycle = 0): number {
    const start = this.#starts[index];
    if (start === undefined) throw new MyoError('MYO_ERR_PHANTOM_PARAMS', 'no such segment', { index });
    return cycle * this.#cycleSlots + start;
  }

  at(slot: number): ScriptPosition {
    const k = Math.max(0, Math.floor(slot));
    const cycle = Math.floor(k / this.#cycleSlots);
    const inCycle = k - cycle * this.#cycleSlots;
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#starts[mid] ?? 0) <= inCycle) lo = mid;
      else hi = mid - 1;
    }
    const segment = this.#script[lo];
    const start = this.#starts[lo];
    const slots = this.#slots[lo];
    if (!segment || start === undefined || slots === undefined) {
      throw new MyoError('MYO_ERR_INTERNAL', 'script timeline lookup failed', { slot });
    }
    return {
      cycle,
      segment,
      slotInSegment: inCycle - start,
      segmentSlots: slots,
      segmentStartSlot: cycle * this.#cycleSlots + start,
    };
  }
}
