import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { MyoError } from '../../core/errors.js';
import { decodeGrayPng } from '../../imaging/png.js';
import { Preprocessor } from '../preprocess.js';
import { GoldenFileSchema, type GoldenFile, type Manifest } from './manifest-schema.js';

/** Runs one preprocessed input through a model and returns its outputs by name, flattened. */
export type RunModel = (input: Float32Array) => Promise<Readonly<Record<string, ArrayLike<number>>>>;

export interface GoldenReport {
  readonly passed: boolean;
  readonly cases: number;
  /** Largest absolute difference seen per output, and the tolerance it was held to. */
  readonly worst: Readonly<Record<string, { diff: number; tolerance: number }>>;
  /** Largest difference between the TypeScript preprocessing and training's stored input tensor. */
  readonly preprocessDiff: number;
  readonly failures: readonly string[];
}

export async function readGolden(dir: string, manifest: Manifest): Promise<GoldenFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, manifest.golden.file), 'utf8')) as unknown;
  } catch (error) {
    throw new MyoError('MYO_ERR_MODEL_FILE', `cannot read golden vectors ${manifest.golden.file}`, {}, { cause: error });
  }
  const first = Value.Errors(GoldenFileSchema, parsed).First();
  if (first) throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', `golden.json: ${first.path}: ${first.message}`);
  return parsed as GoldenFile;
}

function float32FromBase64(data: string): Float32Array {
  const bytes = Buffer.from(data, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.length / 4));
}

function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < expected.length; i += 1) worst = Math.max(worst, Math.abs((actual[i] ?? 0) - (expected[i] ?? 0)));
  return worst;
}

const TOLERANCE_KEYS: Readonly<Record<string, string>> = { logits: 'logits_abs', attention: 'attention_abs' };

/**
 * Reproduces a package's golden vectors: each stored gray image goes through this daemon's preprocessing (checked
 * against training's tensor) and through `run`; every output must match what PyTorch gave within the manifest's
 * tolerance. A model that fails this is never activated.
 */
export async function checkGolden(dir: string, manifest: Manifest, run: RunModel): Promise<GoldenReport> {
  const golden = await readGolden(dir, manifest);
  const [, , height, width] = manifest.input.shape;
  if (height !== width) throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', 'only square model inputs are supported');
  const pre = new Preprocessor({ size: width, scale: manifest.input.scale, mean: manifest.input.mean, std: manifest.input.std });
  const worst: Record<string, { diff: number; tolerance: number }> = {};
  const failures: string[] = [];
  let preprocessDiff = 0;
  for (const c of golden.cases) {
    const image = decodeGrayPng(Buffer.from(c.image.data, 'base64'));
    const input = pre.run(image.pixels, image.width, image.height);
    preprocessDiff = Math.max(preprocessDiff, maxAbsDiff(input, float32FromBase64(c.input.data)));
    const outputs = await run(input);
    const expected: Record<string, ArrayLike<number>> = { logits: c.expected.logits, attention: c.expected.attention.data };
    for (const [name, values] of Object.entries(expected)) {
      const tolerance = manifest.golden.tolerance[TOLERANCE_KEYS[name] ?? `${name}_abs`] ?? 1e-3;
      const actual = outputs[name];
      const diff = actual ? maxAbsDiff(actual, values) : Number.POSITIVE_INFINITY;
      const seen = worst[name];
      if (!seen || diff > seen.diff) worst[name] = { diff, tolerance };
      if (!(diff <= tolerance)) failures.push(`${c.id}: ${name} differs by ${diff} (tolerance ${tolerance})`);
    }
  }
  // The preprocessing is held to the contract's own tolerance: a drift here would silently shift every score.
  if (!(preprocessDiff <= 1e-5)) failures.push(`preprocessing differs from training's by ${preprocessDiff}`);
  return { passed: failures.length === 0, cases: golden.cases.length, worst, preprocessDiff, failures };
}
