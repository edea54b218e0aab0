import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportDataset } from '../../src/capture/phantom/export-dataset.js';
import { runCli } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/output.js';
import type { EvaluationReport } from '../../src/evaluation/report.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { BUNDLED_PACKAGE, readManifest } from '../helpers/model-package.js';

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env: {}, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

/** labels.csv rows as (id, patient, label), in file order; the phantom writes no quoted fields. */
function labelRows(dir: string): { id: string; patient: string; label: number }[] {
  const [, ...lines] = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [id = '', , patient = '', label = ''] = line.split(',');
    return { id, patient, label: Number(label) };
  });
}

async function evaluateJson(args: readonly string[]): Promise<{ report: EvaluationReport; err: string }> {
  const cli = io();
  const code = await runCli(['evaluate', ...args, '--json'], cli);
  expect(code, cli.err.join('')).toBe(0);
  expect(cli.out).toHaveLength(1);
  return { report: JSON.parse(cli.out[0] ?? '') as EvaluationReport, err: cli.err.join('') };
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

beforeAll(() => {
  // The engine's worker thread loads the compiled worker from dist/.
  ensureBuilt();
}, 120_000);

describe('myoscreen evaluate on a phantom export', () => {
  it('evaluates every image through the live path and reports counts that add up', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'myo-evaluate-')), 'set');
    const exported = io();
    expect(await runCli(['phantom', 'export', '--out', dir, '--count', '12', '--size', '256', '--seed', '5'], exported)).toBe(0);
    const rows = labelRows(dir);
    expect(rows).toHaveLength(12);

    const { report, err } = await evaluateJson(['--data', dir, '--min-usable-frames', '1']);
    expect(err).toContain('evaluated 12/12');

    const manifest = readManifest(BUNDLED_PACKAGE);
    expect(report.model).toMatchObject({ id: manifest.id, version: manifest.version, provider: 'cpu', threshold: manifest.operatingPoint.threshold });
    expect(report.dataset).toMatchObject({ totalRows: 12, split: 'all', limitPatients: null });
    expect(report.settings.minUsableFrames).toBe(1);

    // Frames: one per row, in labels.csv order, with the row's label.
    expect(report.frames.map((f) => [f.id, f.patientId, f.label])).toEqual(rows.map((r) => [r.id, r.patient, r.label]));
    const inferred = report.frames.filter((f) => f.probability !== null);
    for (const f of report.frames) {
      expect(f.probability === null).toBe(!f.usable);
      if (f.probability !== null) expect(f.probability).toBeGreaterThanOrEqual(0);
      if (f.probability !== null) expect(f.probability).toBeLessThanOrEqual(1);
    }

    // Gate: every frame usable or rejected for one reason.
    const { gate, frameLevel: fl, examLevel: el, timing } = report;
    expect(gate.frames).toBe(rows.length);
    expect(gate.usable + gate.rejected).toBe(gate.frames);
    expect(sum(Object.values(gate.byReason))).toBe(gate.rejected);

    // Frame level: over inferred frames, at the manifest threshold, recounted here from the per-frame results.
    const threshold = manifest.operatingPoint.threshold;
    expect(fl.frames).toBe(rows.length);
    expect(fl.positives).toBe(rows.filter((r) => r.label === 1).length);
    expect(fl.positives + fl.negatives).toBe(fl.frames);
    expect(fl.inferred).toBe(gate.usable);
    expect(fl.tp + fl.fn).toBe(inferred.filter((f) => f.label === 1).length);
    expect(fl.tn + fl.fp).toBe(inferred.filter((f) => f.label === 0).length);
    expect(fl.tp).toBe(inferred.filter((f) => f.label === 1 && (f.probability ?? 0) >= threshold).length);
    expect(fl.fp).toBe(inferred.filter((f) => f.label === 0 && (f.probability ?? 0) >= threshold).length);
    if (fl.tp + fl.fn > 0) expect(fl.sensitivity).toBeCloseTo(fl.tp / (fl.tp + fl.fn), 12);
    if (fl.tn + fl.fp > 0) expect(fl.specificity).toBeCloseTo(fl.tn / (fl.tn + fl.fp), 12);

    // Exams: one per patient; decisions and reasons add up; sensitivity and specificity over decided exams only.
    expect(el.exams).toBe(new Set(rows.map((r) => r.patient)).size);
    expect(report.exams).toHaveLength(el.exams);
    expect(sum(Object.values(el.decisions))).toBe(el.exams);
    expect(el.decided).toBe(el.decisions.refer + el.decisions.no_invasion);
    expect(sum(Object.values(el.inconclusiveByReason))).toBe(el.decisions.inconclusive);
    expect(el.tp + el.fn + el.tn + el.fp).toBe(el.decided);
    expect(el.tp + el.fp).toBe(el.decisions.refer);
    expect(sum(report.exams.map((e) => e.frames))).toBe(rows.length);
    // One image per patient: the exam's trimmed mean is that image's probability (to the aggregator's 1/2048).
    for (const e of report.exams) {
      const p = report.frames.find((f) => f.patientId === e.patientId)?.probability ?? null;
      if (p === null) expect(e.score).toBeNull();
      else expect(e.score).toBeCloseTo(p, 3);
    }

    expect(timing.frames).toBe(rows.length);
    expect(timing.inferred).toBe(fl.inferred);
    if (timing.inferred > 0) expect(timing.meanRunMs).toBeGreaterThan(0);
    expect(timing.framesPerSecond).toBeGreaterThan(0);
  }, 120_000);

  it('decides multi-frame exams, and says why one-image exams stay inconclusive under the configured minimum', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'myo-evaluate-cine-')), 'set');
    // The CLI has no --frames-per-case yet; the exporter itself writes cine frames that share a patient_id.
    await exportDataset({ outDir: dir, count: 4, seed: 9, size: 160, framesPerCase: 3 });

    const strict = await evaluateJson(['--data', dir]);
    expect(strict.report.settings.minUsableFrames).toBe(20);
    expect(strict.report.frameLevel.frames).toBe(12);
    expect(strict.report.examLevel.exams).toBe(4);
    expect(strict.report.exams.every((e) => e.frames === 3)).toBe(true);
    expect(strict.report.examLevel.decided).toBe(0);
    expect(strict.report.examLevel.inconclusiveByReason.too_few_usable_frames).toBeGreaterThan(0);
    expect(strict.report.notes.join('\n')).toContain('--min-usable-frames');

    const text = io();
    expect(await runCli(['evaluate', '--data', dir, '--min-usable-frames', '2', '--limit', '3'], text)).toBe(0);
    const table = text.out.join('');
    expect(table).toContain('3 patients');
    expect(table).toMatch(/^sensitivity\s/m);
    expect(table).toMatch(/^quality gate\s+frames/m);
    expect(table).toContain('mean session.run');
  }, 120_000);

  it('refuses bad arguments and folders with coded errors', async () => {
    const cli = io();
    expect(await runCli(['evaluate'], cli)).toBe(64);
    expect(await runCli(['evaluate', '--data', tmpdir(), '--split', 'holdout'], cli)).toBe(64);
    expect(await runCli(['evaluate', '--data', tmpdir(), '--threads', '0'], cli)).toBe(64);
    expect(cli.err.join('')).toMatch(/MYO_ERR_USAGE: --threads must be an integer in 1\.\.16/);
    const empty = mkdtempSync(join(tmpdir(), 'myo-evaluate-empty-'));
    expect(await runCli(['evaluate', '--data', empty, '--json'], cli)).toBe(65);
    expect(cli.err.join('')).toContain(`MYO_ERR_DATASET_INVALID: ${join(empty, 'labels.csv')}: cannot be read`);
    expect(cli.out).toEqual([]);
  });
});
