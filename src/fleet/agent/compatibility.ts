import { MyoError } from '../../core/errors.js';
import type { Manifest } from '../../infer/package/manifest-schema.js';

/**
 * What this daemon can feed a model and read back, beyond what the manifest schema already fixes (one gray NCHW
 * float32 input): its preprocessing makes square inputs only, and its postprocessing reads `logits` with one value
 * per label, `no_invasion` and one positive label. A package outside that is refused before anything is loaded.
 */
export function compatibilityProblems(manifest: Manifest): string[] {
  const problems: string[] = [];
  const [, , height, width] = manifest.input.shape;
  if (height !== width) problems.push(`input is ${width}x${height}; this daemon's preprocessing feeds square inputs only`);
  const logits = manifest.outputs.find((o) => o.name === 'logits');
  if (!logits) problems.push('no "logits" output');
  else if (logits.shape.reduce((a, b) => a * b, 1) !== manifest.labels.length) {
    problems.push(`"logits" has ${logits.shape.join('x')} values for ${manifest.labels.length} labels`);
  }
  if (!manifest.labels.includes('no_invasion')) problems.push('labels lack "no_invasion"');
  if (manifest.labels.filter((l) => l !== 'no_invasion').length !== 1) problems.push('labels must name exactly one positive class');
  return problems;
}

export function assertCompatible(manifest: Manifest): void {
  const problems = compatibilityProblems(manifest);
  if (problems.length > 0) {
    throw new MyoError('MYO_ERR_MODEL_INPUT_INCOMPATIBLE', `${manifest.id} ${manifest.version} does not fit this daemon: ${problems.join('; ')}`, { problems });
  }
}
