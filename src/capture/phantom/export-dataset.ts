import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MyoError, toMyoError } from '../../core/errors.js';
import { encodeGrayPng } from '../../imaging/png.js';
import { BModeRenderer } from './bmode-renderer.js';
import { deriveSeed, mix32 } from './rng.js';
import { createCase, resolveCaseOptions } from './sample-case.js';
import type { CaseKind } from './types.js';

/**
 * Writes a phantom data set in the layout the training pipeline reads (docs/dataset-layout.md), which is also how
 * a clinic's real data comes in. Case i is drawn from deriveSeed(seed, i), so any image can be re-rendered alone,
 * and the whole export is byte-identical for the same options. labels.csv is written last (temp name, then rename):
 * a folder without it is an unfinished export.
 */

export const PHANTOM_GENERATOR = { name: 'myoscreen-phantom', version: '1.1.0', renderer: 'bmode' } as const;
export const DATASET_LAYOUT_VERSION = 1;
export const LABELS_HEADER = 'id,image,patient_id,label,depth_ratio,split_hint,source';
export const MIN_EXPORT_SIZE = 32;
export const MAX_EXPORT_SIZE = 1024;
export const MAX_EXPORT_COUNT = 1_000_000;
export const MAX_FRAMES_PER_CASE = 64;

/** Plain numbers and strings, so a CLI can pass parsed flags straight through (undefined = default). */
export interface ExportDatasetOptions {
  readonly outDir: string;
  /** Number of cases (patients). */
  readonly count: number;
  /** Non-negative integer. */
  readonly seed: number;
  /** Square image side in pixels (32..1024). */
  readonly size: number;
  readonly positiveFraction?: number | undefined;
  readonly threshold?: number | undefined;
  readonly borderlineFraction?: number | undefined;
  /** Cine frames written per case (default 1); frames of one case share a patient_id. */
  readonly framesPerCase?: number | undefined;
  /** Called after each image with (images written, images in total). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export type SplitHint = 'train' | 'val' | 'test';

export interface ExportSummary {
  readonly outDir: string;
  readonly seed: number;
  readonly count: number;
  readonly framesPerCase: number;
  readonly images: number;
  readonly size: number;
  readonly threshold: number;
  readonly positiveFraction: number;
  readonly borderlineFraction: number;
  /** Counted per case. */
  readonly positives: number;
  readonly negatives: number;
  readonly borderline: number;
  readonly byKind: Readonly<Record<CaseKind, number>>;
  readonly bySplit: Readonly<Record<SplitHint, number>>;
  readonly labelsPath: string;
}

interface ResolvedExport {
  readonly outDir: string;
  readonly count: number;
  readonly seed: number;
  readonly size: number;
  readonly framesPerCase: number;
  readonly threshold: number;
  readonly positiveFraction: number;
  readonly borderlineFraction: number;
}

function params(message: string, details: Record<string, unknown>): MyoError {
  return new MyoError('MYO_ERR_PHANTOM_PARAMS', message, details);
}

/** Validates and fills defaults; refuses anything out of range with MYO_ERR_PHANTOM_PARAMS. */
export function resolveExportOptions(options: ExportDatasetOptions): ResolvedExport {
  const { outDir, count, seed, size } = options;
  const framesPerCase = options.framesPerCase ?? 1;
  if (outDir.length === 0) throw params('outDir is required', { outDir });
  if (!Number.isInteger(count) || count < 1 || count > MAX_EXPORT_COUNT) {
    throw params(`count must be an integer in 1..${MAX_EXPORT_COUNT}, got ${String(count)}`, { count });
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw params(`seed must be a non-negative integer, got ${String(seed)}`, { seed });
  }
  if (!Number.isInteger(size) || size < MIN_EXPORT_SIZE || size > MAX_EXPORT_SIZE) {
    throw params(`size must be an integer in ${MIN_EXPORT_SIZE}..${MAX_EXPORT_SIZE}, got ${String(size)}`, { size });
  }
  if (!Number.isInteger(framesPerCase) || framesPerCase < 1 || framesPerCase > MAX_FRAMES_PER_CASE) {
    throw params(`framesPerCase must be an integer in 1..${MAX_FRAMES_PER_CASE}, got ${String(framesPerCase)}`, {
      framesPerCase,
    });
  }
  const c = resolveCaseOptions({
    positiveFraction: options.positiveFraction,
    threshold: options.threshold,
    borderlineFraction: options.borderlineFraction,
  });
  return {
    outDir,
    count,
    seed,
    size,
    framesPerCase,
    threshold: c.threshold,
    positiveFraction: c.positiveFraction,
    borderlineFraction: c.borderlineFraction,
  };
}

/** Id of case `index` of an export with `seed`, also its patient_id. */
export function caseId(seed: number, index: number): string {
  return `s${seed}-${String(index).padStart(6, '0')}`;
}

/** A stable 80/10/10 split suggestion per patient (the pipeline may re-split, always by patient_id). */
export function splitHint(caseSeed: number): SplitHint {
  const u = (mix32(caseSeed ^ 0x5eed5eed) >>> 0) / 4294967296;
  return u < 0.8 ? 'train' : u < 0.9 ? 'val' : 'test';
}

async function io<T>(what: string, path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (cause) {
    throw new MyoError('MYO_ERR_IO', `cannot ${what} ${path}: ${toMyoError(cause).message}`, { path }, { cause });
  }
}

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await io('write', tmp, () => writeFile(tmp, data));
  await io('rename', tmp, () => rename(tmp, path));
}

export async function exportDataset(options: ExportDatasetOptions): Promise<ExportSummary> {
  const o = resolveExportOptions(options);
  const imagesDir = join(o.outDir, 'images');
  const masksDir = join(o.outDir, 'masks');
  await io('create', imagesDir, () => mkdir(imagesDir, { recursive: true }));
  await io('create', masksDir, () => mkdir(masksDir, { recursive: true }));

  const renderer = new BModeRenderer();
  const total = o.count * o.framesPerCase;
  const rows: string[] = [LABELS_HEADER];
  const byKind: Record<CaseKind, number> = { healthy: 0, confined: 0, superficial: 0, deep: 0 };
  const bySplit: Record<SplitHint, number> = { train: 0, val: 0, test: 0 };
  let positives = 0;
  let borderline = 0;
  let done = 0;
  for (let i = 0; i < o.count; i++) {
    const caseSeed = deriveSeed(o.seed, i);
    const c = createCase(caseSeed, {
      positiveFraction: o.positiveFraction,
      threshold: o.threshold,
      borderlineFraction: o.borderlineFraction,
    });
    const patient = caseId(o.seed, i);
    const split = splitHint(caseSeed);
    byKind[c.kind] += 1;
    bySplit[split] += 1;
    positives += c.label;
    if (c.borderline) borderline += 1;
    for (let f = 0; f < o.framesPerCase; f++) {
      if (options.signal?.aborted === true) {
        throw new MyoError('MYO_ERR_ABORTED', `export cancelled after ${done} of ${total} images`, { done, total });
      }
      const id = o.framesPerCase === 1 ? patient : `${patient}-f${String(f).padStart(2, '0')}`;
      const img = renderer.render(c, { width: o.size, height: o.size, frame: f });
      const files: [string, Uint8Array][] = [
        [join(imagesDir, `${id}.png`), img.pixels],
        [join(masksDir, `${id}_endometrium.png`), img.masks.endometrium],
        [join(masksDir, `${id}_myometrium.png`), img.masks.myometrium],
        [join(masksDir, `${id}_tumour.png`), img.masks.tumour],
      ];
      await Promise.all(
        files.map(([path, pixels]) => io('write', path, () => writeFile(path, encodeGrayPng(pixels, o.size, o.size)))),
      );
      const depth = c.depthRatio.toFixed(4);
      rows.push([id, `images/${id}.png`, patient, String(c.label), depth, split, 'phantom'].join(','));
      done += 1;
      options.onProgress?.(done, total);
    }
  }

  const counts = {
    cases: o.count,
    images: total,
    positive: positives,
    negative: o.count - positives,
    borderline,
    byKind,
    bySplit,
  };
  const manifest = {
    generator: PHANTOM_GENERATOR,
    layoutVersion: DATASET_LAYOUT_VERSION,
    seed: o.seed,
    count: o.count,
    framesPerCase: o.framesPerCase,
    size: o.size,
    threshold: o.threshold,
    positiveFraction: o.positiveFraction,
    borderlineFraction: o.borderlineFraction,
    counts,
    files: { labels: 'labels.csv', images: 'images/', masks: 'masks/' },
  };
  await writeAtomic(join(o.outDir, 'dataset.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const labelsPath = join(o.outDir, 'labels.csv');
  await writeAtomic(labelsPath, `${rows.join('\n')}\n`);
  return {
    outDir: o.outDir,
    seed: o.seed,
    count: o.count,
    framesPerCase: o.framesPerCase,
    images: total,
    size: o.size,
    threshold: o.threshold,
    positiveFraction: o.positiveFraction,
    borderlineFraction: o.borderlineFraction,
    positives,
    negatives: o.count - positives,
    borderline,
    byKind,
    bySplit,
    labelsPath,
  };
}
