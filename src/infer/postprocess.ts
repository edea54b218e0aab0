import { MyoError } from '../core/errors.js';
import type { Manifest } from './package/manifest-schema.js';

/**
 * Probability of the positive label from the model's logits (softmax over the labels, computed stably). The
 * positive label is the one that is not `no_invasion`; the manifest lists labels in logit order.
 */
export function positiveProbability(logits: ArrayLike<number>, positiveIndex: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i += 1) max = Math.max(max, logits[i] ?? Number.NEGATIVE_INFINITY);
  let sum = 0;
  for (let i = 0; i < logits.length; i += 1) sum += Math.exp((logits[i] ?? 0) - max);
  const p = Math.exp((logits[positiveIndex] ?? Number.NEGATIVE_INFINITY) - max) / sum;
  if (!Number.isFinite(p)) throw new MyoError('MYO_ERR_ENGINE_FAILED', 'the model returned non-finite logits');
  return p;
}

/** Which logit is the positive class: the label that is not `no_invasion` (a two-label model). */
export function positiveLabelIndex(manifest: Manifest): number {
  const index = manifest.labels.findIndex((label) => label !== 'no_invasion');
  if (index < 0) throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', 'the manifest has no positive label');
  return index;
}
