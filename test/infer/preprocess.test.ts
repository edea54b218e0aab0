import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGrayPng } from '../../src/imaging/png.js';
import { Preprocessor } from '../../src/infer/preprocess.js';

/** Written by training/scripts (numpy, the training pipeline's own preprocess.py) with the expected tensors. */
const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'training', 'golden');

interface GoldenCase {
  name: string;
  file: string;
  width: number;
  size: number;
  output: number[];
}
interface Golden {
  mean: number;
  std: number;
  tolerance_abs: number;
  cases: GoldenCase[];
  model_size_case: { file: string; size: number; data: string };
}

const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, 'preprocess_golden.json'), 'utf8')) as Golden;

function image(file: string): { pixels: Uint8Array; width: number; height: number } {
  return decodeGrayPng(readFileSync(join(GOLDEN_DIR, file)));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

describe('preprocessing matches training on its golden images', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { pixels, width, height } = image(c.file);
    const pre = new Preprocessor({ size: c.size, scale: 1 / 255, mean: golden.mean, std: golden.std });
    expect(maxAbsDiff(pre.run(pixels, width, height), c.output)).toBeLessThanOrEqual(golden.tolerance_abs);
  });

  it('at the model input size', () => {
    const c = golden.model_size_case;
    const { pixels, width, height } = image(c.file);
    const expected = new Float32Array(new Uint8Array(Buffer.from(c.data, 'base64')).buffer);
    const pre = new Preprocessor({ size: c.size, scale: 1 / 255, mean: golden.mean, std: golden.std });
    expect(maxAbsDiff(pre.run(pixels, width, height), expected)).toBeLessThanOrEqual(golden.tolerance_abs);
  });
});

describe('Preprocessor', () => {
  it('crops the ROI of a larger frame exactly as if the ROI were the image', () => {
    const c = golden.cases.find((g) => g.width !== g.size) ?? golden.cases[0]!;
    const { pixels, width, height } = image(c.file);
    const frameW = width + 50;
    const frameH = height + 30;
    const frame = new Uint8Array(frameW * frameH).fill(200);
    for (let y = 0; y < height; y += 1) frame.set(pixels.subarray(y * width, (y + 1) * width), (y + 20) * frameW + 31);
    const pre = new Preprocessor({ size: c.size, scale: 1 / 255, mean: golden.mean, std: golden.std });
    const out = pre.run(frame, frameW, frameH, { x: 31, y: 20, width, height });
    expect(maxAbsDiff(out, c.output)).toBeLessThanOrEqual(golden.tolerance_abs);
  });

  it('reuses its output buffer (no allocation per frame) and refuses a ROI outside the frame', () => {
    const pre = new Preprocessor({ size: 8, scale: 1 / 255, mean: 0, std: 1 });
    const frame = new Uint8Array(16 * 16).fill(255);
    const a = pre.run(frame, 16, 16);
    const b = pre.run(frame, 16, 16);
    expect(a).toBe(b);
    expect(a[0]).toBe(1);
    expect(() => pre.run(frame, 16, 16, { x: 10, y: 0, width: 10, height: 4 })).toThrow(/does not fit/);
  });
});
