import { describe, expect, it } from 'vitest';
import { ScriptTimeline } from '../../../src/capture/phantom/script-timeline.js';
import type { ScriptSegment } from '../../../src/capture/phantom/script-types.js';
import { isMyoError } from '../../../src/core/errors.js';

const SCRIPT: ScriptSegment[] = [
  { kind: 'idle', index: 0, durationS: 1, truth: null },
  { kind: 'no-signal', index: 1, durationS: 0.5, truth: null },
  { kind: 'frozen', index: 2, durationS: 2, truth: null },
];

describe('ScriptTimeline', () => {
  it('maps frame slots to segments in whole slots and repeats the script', () => {
    const t = new ScriptTimeline(SCRIPT, 10);
    expect(t.cycleSlots).toBe(35);
    expect(t.at(0)).toMatchObject({ cycle: 0, slotInSegment: 0, segmentSlots: 10, segmentStartSlot: 0 });
    expect(t.at(0).segment.kind).toBe('idle');
    expect(t.at(9).segment.kind).toBe('idle');
    expect(t.at(10)).toMatchObject({ slotInSegment: 0, segmentSlots: 5, segmentStartSlot: 10 });
    expect(t.at(10).segment.kind).toBe('no-signal');
    expect(t.at(14).segment.kind).toBe('no-signal');
    expect(t.at(15).segment.kind).toBe('frozen');
    expect(t.at(34)).toMatchObject({ cycle: 0, slotInSegment: 19 });
    expect(t.at(35)).toMatchObject({ cycle: 1, slotInSegment: 0, segmentStartSlot: 35 });
    expect(t.at(35 * 1000 + 12)).toMatchObject({ cycle: 1000, slotInSegment: 2, segmentStartSlot: 35 * 1000 + 10 });
    expect(t.startSlot(2, 3)).toBe(3 * 35 + 15);
  });

  it('rounds durations to whole slots and gives every segment at least one', () => {
    const t = new ScriptTimeline([{ kind: 'idle', index: 0, durationS: 0.01, truth: null }, ...SCRIPT.slice(1)], 30);
    expect(t.at(0).segmentSlots).toBe(1);
    expect(t.at(1).segment.kind).toBe('no-signal');
  });

  it('refuses empty scripts, bad durations and bad rates', () => {
    const refused = (fn: () => unknown): boolean => {
      try {
        fn();
        return false;
      } catch (error) {
        return isMyoError(error, 'MYO_ERR_PHANTOM_PARAMS');
      }
    };
    expect(refused(() => new ScriptTimeline([], 30))).toBe(true);
    expect(refused(() => new ScriptTimeline(SCRIPT, 0))).toBe(true);
    expect(refused(() => new ScriptTimeline([{ kind: 'idle', index: 0, durationS: 0, truth: null }], 30))).toBe(true);
    expect(refused(() => new ScriptTimeline(SCRIPT, 30).startSlot(9))).toBe(true);
  });
});
