import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BModeRenderer } from '../../../src/capture/phantom/bmode-renderer.js';
import {
  LABELS_HEADER,
  exportDataset,
  type ExportDatasetOptions,
} from '../../../src/capture/phantom/export-dataset.js';
import { deriveSeed } from '../../../src/capture/phantom/rng.js';
import { createCase } from '../../../src/capture/phantom/sample-case.js';
import { decodeGrayPng } from '../../../src/imaging/png.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'myo-phantom-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Row {
  id: string;
  image: string;
  patient_id: string;
  label: string;
  depth_ratio: string;
  split_hint: string;
  source: string;
}

function readLabels(dir: string): Row[] {
  const [header, ...lines] = readFileSync(join(dir, 'labels.csv'), 'utf8').trimEnd().split('\n');
  expect(header).toBe(LABELS_HEADER);
  const keys = header!.split(',') as (keyof Row)[];
  return lines.map((line) => {
    const cells = line.split(',');
    expect(cells).toHaveLength(keys.length);
    return Object.fromEntries(keys.map((k, i) => [k, cells[i]!])) as unknown as Row;
  });
}

describe('exportDataset', () => {
  it('writes images, masks, labels.csv and dataset.json in the documented layout', async () => {
    const out = tempDir();
    const progress: [number, number][] = [];
    const summary = await exportDataset({
      outDir: out,
      count: 12,
      seed: 5,
      size: 64,
      positiveFraction: 0.5,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(summary.images).toBe(12);
    expect(progress.at(-1)).toEqual([12, 12]);
    const rows = readLabels(out);
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.id)).size).toBe(12);
    for (const [i, row] of rows.entries()) {
      expect(row.source).toBe('phantom');
      expect(['train', 'val', 'test']).toContain(row.split_hint);
      expect(row.patient_id).toBe(row.id);
      expect(row.image).toBe(`images/${row.id}.png`);
      const c = createCase(deriveSeed(5, i), { positiveFraction: 0.5 });
      expect(row.label).toBe(String(c.label));
      expect(Number(row.depth_ratio)).toBeCloseTo(c.depthRatio, 4);
      expect(Number(row.label)).toBe(Number(row.depth_ratio) >= 0.5 ? 1 : 0);

      const img = decodeGrayPng(readFileSync(join(out, row.image)));
      expect([img.width, img.height]).toEqual([64, 64]);
      // Any image can be re-rendered alone from (seed, index).
      const again = new BModeRenderer().render(c, { width: 64, height: 64 });
      expect(Buffer.from(img.pixels).equals(Buffer.from(again.pixels))).toBe(true);
      for (const name of ['endometrium', 'myometrium', 'tumour'] as const) {
        const mask = decodeGrayPng(readFileSync(join(out, 'masks', `${row.id}_${name}.png`)));
        expect(Buffer.from(mask.pixels).equals(Buffer.from(again.masks[name]))).toBe(true);
        expect(mask.pixels.every((v) => v === 0 || v === 255)).toBe(true);
      }
    }
    const meta = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ seed: 5, count: 12, size: 64, threshold: 0.5, positiveFraction: 0.5 });
    expect(meta.generator).toMatchObject({ name: 'myoscreen-phantom' });
    const counts = meta.counts as { positive: number; negative: number };
    expect(counts.positive).toBe(rows.filter((r) => r.label === '1').length);
    expect(counts.positive + counts.negative).toBe(12);
    expect(readdirSync(out).sort()).toEqual(['dataset.json', 'images', 'labels.csv', 'masks']);
  });

  it('is byte-identical for the same options and differs for another seed', async () => {
    const a = tempDir();
    const b = tempDir();
    const c = tempDir();
    await exportDataset({ outDir: a, count: 4, seed: 9, size: 48 });
    await exportDataset({ outDir: b, count: 4, seed: 9, size: 48 });
    await exportDataset({ outDir: c, count: 4, seed: 10, size: 48 });
    for (const file of ['labels.csv', 'dataset.json']) {
      expect(readFileSync(join(a, file)).equals(readFileSync(join(b, file)))).toBe(true);
    }
    const images = readdirSync(join(a, 'images'));
    expect(images).toHaveLength(4);
    for (const f of images) expect(readFileSync(join(a, 'images', f)).equals(readFileSync(join(b, 'images', f)))).toBe(true);
    const firstA = readFileSync(join(a, 'images', images[0]!));
    const firstC = readFileSync(join(c, 'images', readdirSync(join(c, 'images'))[0]!));
    expect(firstA.equals(firstC)).toBe(false);
  });

  it('groups cine frames of a case under one patient_id', async () => {
    const out = tempDir();
    await exportDataset({ outDir: out, count: 3, seed: 2, size: 48, framesPerCase: 3 });
    const rows = readLabels(out);
    expect(rows).toHaveLength(9);
    const patients = new Map<string, Row[]>();
    for (const r of rows) patients.set(r.patient_id, [...(patients.get(r.patient_id) ?? []), r]);
    expect(patients.size).toBe(3);
    for (const group of patients.values()) {
      expect(group).toHaveLength(3);
      expect(new Set(group.map((r) => r.label)).size).toBe(1);
      expect(new Set(group.map((r) => r.split_hint)).size).toBe(1);
    }
  });

  it.each<[string, Partial<ExportDatasetOptions>]>([
    ['count 0', { count: 0 }],
    ['fractional count', { count: 2.5 }],
    ['size 16', { size: 16 }],
    ['size 2048', { size: 2048 }],
    ['negative seed', { seed: -1 }],
    ['positiveFraction 1.5', { positiveFraction: 1.5 }],
    ['borderlineFraction -0.2', { borderlineFraction: -0.2 }],
    ['threshold 1', { threshold: 1 }],
    ['framesPerCase 0', { framesPerCase: 0 }],
    ['empty outDir', { outDir: '' }],
  ])('refuses %s with MYO_ERR_PHANTOM_PARAMS and writes nothing', async (_name, bad) => {
    const out = tempDir();
    await expect(exportDataset({ outDir: out, count: 2, seed: 1, size: 64, ...bad })).rejects.toMatchObject({
      code: 'MYO_ERR_PHANTOM_PARAMS',
    });
    expect(readdirSync(out)).toEqual([]);
  });

  it('stops when aborted and leaves no labels.csv behind', async () => {
    const out = tempDir();
    const controller = new AbortController();
    const run = exportDataset({
      outDir: out,
      count: 10,
      seed: 1,
      size: 48,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'MYO_ERR_ABORTED' });
    expect(readdirSync(out)).not.toContain('labels.csv');
  });

  it('reports file system failures as MYO_ERR_IO', async () => {
    const out = tempDir();
    const blocker = join(out, 'file');
    await exportDataset({ outDir: blocker, count: 1, seed: 1, size: 32 });
    await expect(exportDataset({ outDir: join(blocker, 'labels.csv', 'x'), count: 1, seed: 1, size: 32 })).rejects.toMatchObject({
      code: 'MYO_ERR_IO',
    });
  });
});
