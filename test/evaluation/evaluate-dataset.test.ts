import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadConfig, type ScreeningConfig } from '../../src/core/config/index.js';
import { isMyoError, MyoError } from '../../src/core/errors.js';
import { readDataset } from '../../src/evaluation/dataset.js';
import { evaluateDataset, type EvaluationResults } from '../../src/evaluation/evaluate-dataset.js';
import { encodeGrayPng, pngChunk } from '../../src/imaging/png.js';
import { FakeEngine } from '../../src/infer/engine/fake-engine.js';
import { bundledPackage } from '../infer/engine/engine-contract.js';

const SIZE = 64;
/** The embedded defaults, as a device without a configuration file runs. */
const SCREENING: ScreeningConfig = loadConfig({ env: {} }).config.screening;

/** Speckle-like noise (levels 60..219): passes the quality gate (tissue everywhere, few flat neighbours, bright centre). */
function speckle(seed: number): Uint8Array {
  const pixels = new Uint8Array(SIZE * SIZE);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < pixels.length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pixels[i] = 60 + ((state >>> 0) % 160);
  }
  return pixels;
}

/** Speckle with a dim centre window (x 30-70 %, y 30-75 %, level 30: tissue, but below minCentreEcho): off axis. */
function darkCentre(pixels: Uint8Array): Uint8Array {
  for (let y = Math.floor(SIZE * 0.3); y < Math.ceil(SIZE * 0.75); y += 1) {
    for (let x = Math.floor(SIZE * 0.3); x < Math.ceil(SIZE * 0.7); x += 1) pixels[y * SIZE + x] = 30;
  }
  return pixels;
}

/** An 8-bit RGB PNG (colour type 2), so the luma conversion is exercised on a real file. */
function encodeRgbPng(gray: Uint8Array): Buffer {
  const raw = new Uint8Array((SIZE * 3 + 1) * SIZE);
  for (let y = 0; y < SIZE; y += 1) {
    for (let x = 0; x < SIZE; x += 1) {
      const v = gray[y * SIZE + x] ?? 0;
      raw.set([v, v, v], y * (SIZE * 3 + 1) + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))]);
}

interface ImageSpec {
  readonly id: string;
  readonly patient: string;
  readonly label: 0 | 1;
  readonly bytes: Buffer;
}

function writeSet(images: readonly ImageSpec[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'myo-eval-'));
  mkdirSync(join(dir, 'images'));
  const rows = ['id,image,patient_id,label'];
  for (const image of images) {
    writeFileSync(join(dir, 'images', `${image.id}.png`), image.bytes);
    rows.push(`${image.id},images/${image.id}.png,${image.patient},${image.label}`);
  }
  writeFileSync(join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
  return dir;
}

const gray = (pixels: Uint8Array): Buffer => encodeGrayPng(pixels, SIZE, SIZE);

/** A fake engine that answers the given probabilities in order, one per run. */
async function scriptedEngine(probabilities: readonly number[]): Promise<{ engine: FakeEngine; model: Awaited<ReturnType<FakeEngine['prepare']>> }> {
  const queue = [...probabilities];
  const engine = new FakeEngine({ score: () => queue.shift() ?? Number.NaN });
  const model = await engine.prepare(await bundledPackage());
  await engine.activate(model);
  return { engine, model };
}

async function evaluate(images: readonly ImageSpec[], probabilities: readonly number[], screening: ScreeningConfig): Promise<EvaluationResults> {
  const dataset = await readDataset(writeSet(images), { split: 'all', limitPatients: null });
  const { engine, model } = await scriptedEngine(probabilities);
  return evaluateDataset(dataset, { engine, model, screening });
}

describe('evaluateDataset', () => {
  it('gates, infers only usable frames, and decides one exam per patient in labels.csv order', async () => {
    const images: ImageSpec[] = [
      { id: 'a1', patient: 'A', label: 1, bytes: gray(speckle(1)) },
      { id: 'b1', patient: 'B', label: 0, bytes: gray(new Uint8Array(SIZE * SIZE)) }, // black: no tissue
      { id: 'a2', patient: 'A', label: 1, bytes: encodeRgbPng(speckle(2)) },
      { id: 'b2', patient: 'B', label: 0, bytes: gray(speckle(3)) },
      { id: 'c1', patient: 'C', label: 0, bytes: gray(darkCentre(speckle(4))) }, // ultrasound, but nothing on axis
      { id: 'd1', patient: 'D', label: 1, bytes: gray(new Uint8Array(SIZE * SIZE).fill(128)) }, // flat fill: not ultrasound
    ];
    // Runs happen in frame order, for usable frames only: a1, a2, b2.
    const results = await evaluate(images, [0.9, 0.7, 0.3], { ...SCREENING, minUsableFrames: 1 });

    expect(results.frames.map((f) => [f.id, f.patientId, f.usable, f.reason])).toEqual([
      ['a1', 'A', true, null],
      ['a2', 'A', true, null],
      ['b1', 'B', false, 'no_tissue'],
      ['b2', 'B', true, null],
      ['c1', 'C', false, 'out_of_distribution'],
      ['d1', 'D', false, 'not_ultrasound'],
    ]);
    const probabilities = results.frames.map((f) => f.probability);
    expect(probabilities[0]).toBeCloseTo(0.9, 5);
    expect(probabilities[1]).toBeCloseTo(0.7, 5);
    expect(probabilities[2]).toBeNull();
    expect(probabilities[3]).toBeCloseTo(0.3, 5);
    expect(probabilities.slice(4)).toEqual([null, null]);

    const [a, b, c, d] = results.exams;
    expect(results.exams.map((e) => e.patientId)).toEqual(['A', 'B', 'C', 'D']);
    expect(a).toMatchObject({ label: 1, frames: 2, usableFrames: 2, scoredFrames: 2, decision: 'refer', endedBy: 'operator' });
    expect(a?.score).toBeCloseTo(0.8, 5);
    // One usable of two frames: 50 % meets minUsableFraction 0.5.
    expect(b).toMatchObject({ label: 0, frames: 2, usableFrames: 1, decision: 'refer' });
    expect(b?.score).toBeCloseTo(0.3, 5);
    expect(c).toMatchObject({ label: 0, frames: 1, usableFrames: 0, score: null, decision: 'inconclusive', reason: 'out_of_distribution' });
    expect(d).toMatchObject({ label: 1, frames: 1, usableFrames: 0, score: null, decision: 'inconclusive' });
  });

  it('uses the exam rules it is given: the configured minimum leaves one-image exams inconclusive', async () => {
    const images: ImageSpec[] = [{ id: 'a1', patient: 'A', label: 1, bytes: gray(speckle(4)) }];
    const results = await evaluate(images, [0.9], SCREENING);
    expect(SCREENING.minUsableFrames).toBeGreaterThan(1);
    expect(results.exams[0]).toMatchObject({ decision: 'inconclusive', reason: 'too_few_usable_frames', scoredFrames: 1 });
  });

  it('marks patients whose images carry both labels, and counts them positive', async () => {
    const images: ImageSpec[] = [
      { id: 'a1', patient: 'A', label: 0, bytes: gray(speckle(5)) },
      { id: 'a2', patient: 'A', label: 1, bytes: gray(speckle(6)) },
    ];
    const results = await evaluate(images, [0.2, 0.4], { ...SCREENING, minUsableFrames: 1 });
    expect(results.exams[0]).toMatchObject({ label: 1, mixedLabels: true });
  });

  it('refuses an image that is not a PNG, naming the labels.csv line and the file', async () => {
    const images: ImageSpec[] = [
      { id: 'a1', patient: 'A', label: 1, bytes: gray(speckle(7)) },
      { id: 'a2', patient: 'A', label: 1, bytes: Buffer.from('GIF89a, not a PNG') },
    ];
    const error = await evaluate(images, [0.5], SCREENING).catch((e: unknown) => e);
    expect(isMyoError(error, 'MYO_ERR_DATASET_INVALID')).toBe(true);
    expect((error as MyoError).message).toMatch(/labels\.csv:3: image images\/a2\.png \(id a2\) cannot be used: PNG: not a PNG/);
  });

  it('stops on an inference failure with its code, naming the row, rather than reporting on fewer frames', async () => {
    const dataset = await readDataset(writeSet([{ id: 'a1', patient: 'A', label: 1, bytes: gray(speckle(8)) }]), { split: 'all', limitPatients: null });
    const { engine, model } = await scriptedEngine([0.5]);
    engine.failNext(new MyoError('MYO_ERR_ENGINE_FAILED', 'the runtime gave up'));
    const error = await evaluateDataset(dataset, { engine, model, screening: SCREENING }).catch((e: unknown) => e);
    expect(isMyoError(error, 'MYO_ERR_ENGINE_FAILED')).toBe(true);
    expect((error as MyoError).message).toMatch(/labels\.csv:2: image images\/a1\.png \(id a1\): the runtime gave up$/);
  });
});
