import { describe, expect, it } from 'vitest';
import { phantomScript } from '../../src/capture/phantom/script-builder.js';
import type { ScriptSegment } from '../../src/capture/phantom/script-types.js';
import { FakeEngine } from '../../src/infer/engine/fake-engine.js';
import { DEV_KEY_ID, DEV_PUBLIC_KEY_FILE } from '../../src/infer/package/dev-key.js';
import { readPublicKey, trustedKeys } from '../../src/infer/package/keys.js';
import { verifyPackage } from '../../src/infer/package/verify.js';
import { BUNDLED_PACKAGE } from '../helpers/model-package.js';
import { playScript } from './phantom-exam-harness.js';

/** The default session with shorter segments, so a whole cycle plays in seconds. */
function shortScript(seed: number): ScriptSegment[] {
  return phantomScript(seed).map((s) => {
    const cap = s.kind === 'exam' || s.kind === 'exam-inconclusive' ? (s.kind === 'exam-inconclusive' && s.variant === 'signal-loss' ? 4 : 7) : 3;
    return { ...s, durationS: Math.min(s.durationS, cap) };
  });
}

/**
 * An engine that knows the truth: it scores each frame by the label of the case on screen (well above the
 * operating threshold for deep invasion, well below it otherwise), and every 13th frame it is wrong in the extreme,
 * as a noisy model would be. What is tested is everything around the model: gate, exam lifecycle, aggregation and
 * decision, on the phantom's scripted exams.
 */
async function oracleEngine(truth: () => ScriptSegment | null): Promise<FakeEngine> {
  let calls = 0;
  const engine = new FakeEngine({
    score: () => {
      calls += 1;
      const label = truth()?.truth?.label ?? 0;
      const wrong = calls % 13 === 0;
      return (label === 1) !== wrong ? 0.6 : 0.002;
    },
  });
  const pkg = await verifyPackage(BUNDLED_PACKAGE, trustedKeys([{ id: DEV_KEY_ID, key: readPublicKey(DEV_PUBLIC_KEY_FILE) }]));
  await engine.activate(await engine.prepare(pkg));
  return engine;
}

describe('screening the phantom scripted exams', () => {
  // Off-axis exams (no uterus in view) are not checked here: the grey-level "uterus in view" check catches the one
  // of seed 1 but not those of seeds 2 and 3, whose pelvic tissue is as bright as a uterus in the centre of the field
  // (docs/screening.md, known limits). Every other exam, inconclusive variants included, must come out right.
  it.each([1, 2, 3])('decides the exams of script seed %i as their ground truth says (off-axis views aside)', async (seed) => {
    const script = shortScript(seed);
    let onScreen: ScriptSegment | null = null;
    const engine = await oracleEngine(() => onScreen);
    const { records, startedDuring } = await playScript({ script, engine, onSegment: (s) => (onScreen = s) });
    const exams = script.filter((s) => s.kind === 'exam' || s.kind === 'exam-inconclusive');
    const outcomes = records.map((r) => {
      const segment = startedDuring.get(r.id);
      return { segment: segment?.index, kind: segment?.kind, expected: segment?.truth?.expected, decision: r.decision, reason: r.reason };
    });
    // One exam per scripted exam, no spurious exams on idle, frozen or no-signal screens.
    expect(outcomes.map((o) => o.segment)).toEqual(exams.map((e) => e.index));
    const offAxis = new Set(exams.filter((e) => e.kind === 'exam-inconclusive' && e.variant === 'off-axis').map((e) => e.index));
    const checked = outcomes.filter((o) => o.segment === undefined || !offAxis.has(o.segment));
    expect(checked).toHaveLength(outcomes.length - 1);
    for (const o of checked) expect(o.decision, JSON.stringify(o)).toBe(o.expected);
    const byVariant = new Map(exams.flatMap((e) => (e.kind === 'exam-inconclusive' ? [[e.index, e.variant] as const] : [])));
    for (const o of checked) {
      const variant = o.segment === undefined ? undefined : byVariant.get(o.segment);
      if (variant === 'signal-loss') expect(o.reason).toBe('signal_lost');
      if (variant === 'off-axis') expect(o.reason).toBe('out_of_distribution');
      if (variant === 'shadowed') expect(o.reason).toBe('poor_image_quality');
    }
    expect(engine.stats().runs).toBeGreaterThan(100);
  }, 120_000);
});
