#!/usr/bin/env node
// Runs a model's golden vectors through onnxruntime-node (the daemon's runtime) and compares them with the PyTorch
// outputs stored in golden.json. Exit 0 when every output is within the tolerance, 1 on a mismatch, 2 on bad use.
//
//   node training/scripts/onnx_parity.mjs MODEL.onnx GOLDEN.json [--json]
//   node training/scripts/onnx_parity.mjs MODEL.onnx --bench N [--threads T] [--json]   (CPU latency, batch 1)
//
// onnxruntime-node resolves from the repository's node_modules (this file lives in training/scripts/).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && ['--bench', '--threads'].includes(args[i - 1])));
const asJson = flag('--json');

function fail(code, message, extra = {}) {
  console.error(`onnx_parity: ${message}`);
  if (asJson) console.log(JSON.stringify({ ok: false, message, ...extra }));
  process.exit(code);
}

function floats(b64) {
  const buf = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  return new Float32Array(copy.buffer);
}

async function session(path, threads) {
  return ort.InferenceSession.create(path, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}

async function bench(modelPath) {
  const runs = Number(option('--bench', '100'));
  const threads = Number(option('--threads', '1'));
  const s = await session(modelPath, threads);
  const meta = s.inputMetadata?.[0];
  const dims = meta?.shape ?? null;
  if (!dims || dims.some((d) => typeof d !== 'number')) fail(2, `cannot read a static input shape from ${modelPath}`);
  const size = dims.reduce((a, b) => a * b, 1);
  const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(size), dims) };
  for (let i = 0; i < 10; i++) await s.run(feeds);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await s.run(feeds);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const res = { ok: true, runtime: `onnxruntime-node ${ort.env.versions?.common ?? ''}`.trim(), threads, runs, p50_ms: q(0.5), p99_ms: q(0.99), mean_ms: times.reduce((a, b) => a + b, 0) / runs };
  console.error(`onnx_parity: latency ${threads} thread(s): p50 ${res.p50_ms.toFixed(3)} ms, p99 ${res.p99_ms.toFixed(3)} ms`);
  if (asJson) console.log(JSON.stringify(res));
}

async function check(modelPath, goldenPath) {
  const golden = JSON.parse(readFileSync(goldenPath, 'utf8'));
  const tol = golden.tolerance ?? {};
  const tolLogits = tol.logits_abs ?? 1e-3;
  const tolProb = tol.probability_abs ?? 1e-4;
  const tolAtt = tol.attention_abs ?? 1e-4;
  const s = await session(modelPath, 1);
  if (!s.inputNames.includes('image') || !s.outputNames.includes('logits') || !s.outputNames.includes('attention')) {
    fail(1, `signature mismatch: inputs ${s.inputNames} outputs ${s.outputNames} (want image -> logits, attention)`);
  }
  let worst = { logits: 0, probability: 0, attention: 0 };
  const bad = [];
  for (const c of golden.cases) {
    const x = floats(c.input.data);
    const out = await s.run({ image: new ort.Tensor('float32', x, c.input.shape) });
    const logits = Array.from(out.logits.data);
    const att = out.attention.data;
    const e = c.expected;
    const dl = Math.max(...logits.map((v, i) => Math.abs(v - e.logits[i])));
    const m = Math.max(...logits);
    const ex = logits.map((v) => Math.exp(v - m));
    const p = ex[1] / (ex[0] + ex[1]);
    const dp = Math.abs(p - e.probability);
    const shapeOk = JSON.stringify(out.attention.dims) === JSON.stringify(e.attention.shape);
    let da = shapeOk ? 0 : Infinity;
    if (shapeOk) for (let i = 0; i < att.length; i++) da = Math.max(da, Math.abs(att[i] - e.attention.data[i]));
    worst = { logits: Math.max(worst.logits, dl), probability: Math.max(worst.probability, dp), attention: Math.max(worst.attention, da) };
    if (dl > tolLogits || dp > tolProb || da > tolAtt) bad.push({ id: c.id, logits: dl, probability: dp, attention: da, attentionShape: out.attention.dims });
  }
  const res = { ok: bad.length === 0, cases: golden.cases.length, max_abs_diff: worst, tolerance: { logits_abs: tolLogits, probability_abs: tolProb, attention_abs: tolAtt } };
  if (bad.length) fail(1, `${bad.length}/${golden.cases.length} golden case(s) outside the tolerance: ${JSON.stringify(bad)}`, res);
  console.error(`onnx_parity: ${golden.cases.length} golden cases match (max |diff| logits ${worst.logits.toExponential(2)}, probability ${worst.probability.toExponential(2)}, attention ${worst.attention.toExponential(2)})`);
  if (asJson) console.log(JSON.stringify(res));
}

const [modelPath, goldenPath] = positional;
if (!modelPath) fail(2, 'usage: onnx_parity.mjs MODEL.onnx GOLDEN.json [--json] | MODEL.onnx --bench N [--threads T] [--json]');
try {
  if (flag('--bench')) await bench(modelPath);
  else if (goldenPath) await check(modelPath, goldenPath);
  else fail(2, 'missing GOLDEN.json (or --bench N)');
} catch (err) {
  fail(1, `failed: ${err?.message ?? err}`);
}
