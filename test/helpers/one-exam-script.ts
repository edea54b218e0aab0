import { phantomScript } from '../../src/capture/phantom/script-builder.js';
import type { ScriptSegment } from '../../src/capture/phantom/script-types.js';

/** A short session: an idle screen, the first `refer` exam of the default script, then an idle screen of `tailS`. */
export function oneExamScript(tailS: number): ScriptSegment[] {
  const script = phantomScript(1);
  const exam = script.find((s) => s.kind === 'exam' && s.truth.expected === 'refer');
  const idle = script.find((s) => s.kind === 'idle');
  if (!exam || !idle) throw new Error('script has no refer exam');
  return [
    { ...idle, index: 0, durationS: 2 },
    { ...exam, index: 1, durationS: 5 },
    { ...idle, index: 2, durationS: tailS },
  ];
}
