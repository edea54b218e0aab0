/**
 * The onnxruntime worker thread. `session.run()` blocks the thread it runs on (FACTS: onnxruntime-node), so sessions
 * live here and the daemon's event loop never waits on the runtime. The main thread writes each preprocessed input
 * into a shared buffer and posts a small `run` message; outputs come back as transferred buffers.
 */
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { ProviderFailure, ProviderName } from './engine.js';
import { sessionOptionsFor } from './session-options.js';
import type { FromWorker, TensorMeta, ToWorker, WorkerInit } from './worker-protocol.js';

interface Slot {
  readonly session: ort.InferenceSession;
  readonly inputName: string;
  readonly inputShape: readonly number[];
  /** The runtime refuses tensors over shared memory ("Invalid argument"), so each run copies into this buffer. */
  readonly input: Float32Array;
}

const port = parentPort;
if (!port) throw new Error('ort-session-worker must run in a worker thread');
const init = workerData as WorkerInit;
const inputView = new Float32Array(init.input);
const slots = new Map<string, Slot>();

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function describeMeta(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorMeta[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' ? d : -1)) }
      : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

/** Backends this build of onnxruntime knows at all; asking for one it lacks is skipped with a reason. */
function knownBackends(): Set<string> {
  try {
    return new Set(ort.listSupportedBackends().map((b) => b.name));
  } catch {
    return new Set(['cpu']);
  }
}

async function createSession(
  modelPath: string,
  settings: Extract<ToWorker, { type: 'load' }>['settings'],
  tensorrt: Extract<ToWorker, { type: 'load' }>['tensorrt'],
): Promise<{ session: ort.InferenceSession; provider: ProviderName; fallbacks: ProviderFailure[] }> {
  const fallbacks: ProviderFailure[] = [];
  const known = knownBackends();
  for (const provider of settings.providers) {
    if (!known.has(provider)) {
      fallbacks.push({ provider, reason: 'not in this onnxruntime build' });
      continue;
    }
    try {
      // TensorRT creates only the last level of its cache folders: make them first.
      if (provider === 'tensorrt') for (const folder of tensorrt?.folders ?? []) mkdirSync(folder, { recursive: true });
      const session = await ort.InferenceSession.create(modelPath, sessionOptionsFor(provider, settings, tensorrt?.options));
      return { session, provider, fallbacks };
    } catch (error) {
      // A missing CUDA/TensorRT library throws here rather than falling back silently: record it and go on.
      fallbacks.push({ provider, reason: error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error) });
    }
  }
  const tried = fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ');
  throw Object.assign(new Error(`no execution provider could start (${tried})`), { code: 'MYO_ERR_ENGINE_PROVIDER' });
}

function inputTensor(slot: Slot, length: number): ort.Tensor {
  if (length !== slot.input.length) throw Object.assign(new Error(`input has ${length} values, the model takes ${slot.input.length}`), { code: 'MYO_ERR_FRAME_INVALID' });
  slot.input.set(inputView.subarray(0, length));
  return new ort.Tensor('float32', slot.input, [...slot.inputShape]);
}

async function load(msg: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  const started = performance.now();
  const { session, provider, fallbacks } = await createSession(msg.modelPath, msg.settings, msg.tensorrt);
  const loadMs = performance.now() - started;
  const previous = slots.get(msg.slot);
  slots.set(msg.slot, { session, inputName: msg.inputName, inputShape: msg.inputShape, input: new Float32Array(msg.inputShape.reduce((a, b) => a * b, 1)) });
  if (previous) await previous.session.release();
  const inputs = describeMeta(session.inputMetadata);
  const outputs = describeMeta(session.outputMetadata);
  // Warm up only when the graph takes what we will feed: a mismatch is reported by the main thread with a code.
  const expected = inputs.length === 1 && inputs[0]?.name === msg.inputName && sameShape(inputs[0].shape, msg.inputShape);
  const warmStart = performance.now();
  if (expected) {
    const slot = slots.get(msg.slot);
    const length = msg.inputShape.reduce((a, b) => a * b, 1);
    inputView.fill(0, 0, length);
    for (let i = 0; i < msg.warmupRuns && slot; i += 1) await slot.session.run({ [msg.inputName]: inputTensor(slot, length) });
  }
  send({ type: 'loaded', id: msg.id, provider, fallbacks, inputs, outputs, loadMs, warmupMs: performance.now() - warmStart });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

async function run(msg: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const slot = slots.get(msg.slot);
  if (!slot) {
    send({ type: 'error', id: msg.id, code: 'MYO_ERR_ENGINE_UNAVAILABLE', message: `no session in slot ${msg.slot}` });
    return;
  }
  const started = performance.now();
  const results = await slot.session.run({ [slot.inputName]: inputTensor(slot, msg.length) });
  const runtimeMs = performance.now() - started;
  const outputs: Record<string, Float32Array> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, tensor] of Object.entries(results)) {
    if (tensor.type !== 'float32') continue;
    // Copy out of the runtime's buffer into one we own, then hand it over without a second copy.
    const data = Float32Array.from(tensor.data as Float32Array);
    outputs[name] = data;
    transfer.push(data.buffer);
  }
  send({ type: 'result', id: msg.id, outputs, runtimeMs }, transfer);
}

async function release(msg: Extract<ToWorker, { type: 'release' }>): Promise<void> {
  const slot = slots.get(msg.slot);
  slots.delete(msg.slot);
  if (slot) await slot.session.release();
  send({ type: 'released', id: msg.id });
}

async function handle(msg: ToWorker): Promise<void> {
  try {
    if (msg.type === 'load') await load(msg);
    else if (msg.type === 'run') await run(msg);
    else await release(msg);
  } catch (error) {
    const raw = (error as { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : 'MYO_ERR_ENGINE_FAILED';
    send({ type: 'error', id: msg.id, code, message: error instanceof Error ? error.message : String(error) });
  }
}

// Messages are handled one after another: the main thread never has two runs in flight, and a load must not
// interleave with a run on the same slot.
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(() => handle(msg));
});
send({ type: 'ready' });
