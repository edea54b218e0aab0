import { BModeRenderer } from '../src/capture/phantom/bmode-renderer.js';
import { deriveSeed } from '../src/capture/phantom/rng.js';
import { createCase } from '../src/capture/phantom/sample-case.js';
import type { BenchModule } from './types.js';

/**
 * Phantom throughput on one thread, as the data-set export and the live phantom screen use it: each image is a new
 * case (drawn, then rendered with masks) at 256x256; a live screen renders cine frames of one case at 480x480.
 */

const SEED = 20_240_601;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** Times `count` iterations of `work`, returning per-iteration ms sorted ascending. */
function time(count: number, work: (i: number) => number): { ms: number[]; checksum: number } {
  const ms: number[] = [];
  let checksum = 0;
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    checksum += work(i);
    ms.push(performance.now() - t0);
  }
  return { ms: ms.sort((a, b) => a - b), checksum };
}

export const run: BenchModule = ({ quick }) => {
  const renderer = new BModeRenderer();
  const warmup = quick ? 10 : 40;
  const n256 = quick ? 60 : 400;
  const n480 = quick ? 10 : 60;

  const newCase = (i: number): number => {
    const c = createCase(deriveSeed(SEED, i));
    const img = renderer.render(c, { width: 256, height: 256 });
    return (img.pixels[img.pixels.length >> 1] ?? 0) + (img.masks.tumour[img.pixels.length >> 1] ?? 0);
  };
  time(warmup, (i) => newCase(1_000_000 + i));
  // CPU time as well as wall time: on a shared machine the wall clock also counts other processes' turns.
  const cpu0 = process.cpuUsage();
  const t256 = time(n256, newCase);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs256 = (cpu.user + cpu.system) / 1000;
  const total256 = t256.ms.reduce((s, v) => s + v, 0);

  const drawOnly = time(quick ? 50 : 200, (i) => createCase(deriveSeed(SEED, 2_000_000 + i)).depthRatio);
  const drawMean = drawOnly.ms.reduce((s, v) => s + v, 0) / drawOnly.ms.length;

  const live = createCase(deriveSeed(SEED, 3_000_000));
  time(Math.min(warmup, 10), (f) => renderer.render(live, { width: 480, height: 480, frame: f }).pixels[0] ?? 0);
  const t480 = time(n480, (f) => renderer.render(live, { width: 480, height: 480, frame: f }).pixels[1000] ?? 0);
  const total480 = t480.ms.reduce((s, v) => s + v, 0);
  if (t256.checksum < 0 || t480.checksum < 0) throw new Error('unreachable');

  return Promise.resolve({
    name: 'phantom-render',
    description:
      `B-mode phantom, one thread: new case + render + masks at 256x256 (${n256} images); ` +
      `cine frames at 480x480 (${n480})`,
    metrics: {
      images_per_s_256: (n256 * 1000) / total256,
      images_per_cpu_s_256: (n256 * 1000) / cpuMs256,
      ms_per_image_256_p50: percentile(t256.ms, 50),
      ms_per_image_256_p95: percentile(t256.ms, 95),
      ms_per_case_draw: drawMean,
      ms_per_image_480: total480 / n480,
      ms_per_image_480_p95: percentile(t480.ms, 95),
      images_per_s_480: (n480 * 1000) / total480,
    },
    targets: { images_per_s_256: { op: '>=', value: 50 } },
  });
};
