import { MyoError } from '../../core/errors.js';
import { readGolden } from '../package/golden.js';
import type { VerifiedPackage } from '../package/verify.js';
import type { EngineResult, EngineStats, InferenceEngine, PreparedModel, ProviderFailure, ProviderName } from './engine.js';

export interface FakeEngineOptions {
  /** p(invasion) for an input; the fake turns it into logits [0, logit(p)]. Default: the mean input value squashed. */
  readonly score?: ((input: Float32Array) => number) | undefined;
  /** Providers to try in order, and which of them "fail to start" here. */
  readonly providers?: readonly ProviderName[] | undefined;
  readonly unavailable?: readonly ProviderName[] | undefined;
  /** Simulated time inside the runtime per run. */
  readonly runtimeMs?: number | undefined;
  readonly hardTimeoutMs?: number | undefined;
  readonly onRestart?: ((reason: string, restarts: number) => void) | undefined;
  /**
   * Answer a package's own golden inputs with its golden outputs (default true), as the real model would, so that a
   * daemon built on the fake passes the golden-vector gate; every other input gets the scripted score.
   */
  readonly reproduceGolden?: boolean | undefined;
}

interface GoldenPair {
  readonly input: Float32Array;
  readonly outputs: Readonly<Record<string, Float32Array>>;
}

/**
 * The in-memory engine beside the real one (ARCHITECTURE: every port has a fake). It keeps the contract the
 * pipeline relies on (prepare/activate/discard, one run at a time, hard limit with a restart, coded errors) without
 * onnxruntime, and lets tests script scores, latency, hangs and failures.
 */
export class FakeEngine implements InferenceEngine {
  readonly name = 'fake';
  readonly #options: FakeEngineOptions;
  #active: PreparedModel | null = null;
  readonly #prepared = new Set<string>();
  readonly #golden = new Map<string, readonly GoldenPair[]>();
  #nextSlot = 1;
  #stats = { runs: 0, failures: 0, timeouts: 0, restarts: 0 };
  #hangNext = 0;
  #failNext: Error | null = null;
  #busy = false;
  #closed = false;
  /** Inputs seen, newest last (bounded), for assertions. */
  readonly seen: number[] = [];

  constructor(options: FakeEngineOptions = {}) {
    this.#options = options;
  }

  /** The next `count` runs never return on their own: the hard limit must catch them. */
  hangNext(count = 1): void {
    this.#hangNext += count;
  }

  failNext(error: Error): void {
    this.#failNext = error;
  }

  async prepare(pkg: VerifiedPackage): Promise<PreparedModel> {
    if (this.#closed) throw new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', 'engine is closed');
    const fallbacks: ProviderFailure[] = [];
    const unavailable = new Set(this.#options.unavailable ?? []);
    const provider = (this.#options.providers ?? ['cpu']).find((p) => {
      if (!unavailable.has(p)) return true;
      fallbacks.push({ provider: p, reason: 'not available in the fake' });
      return false;
    });
    if (!provider) throw new MyoError('MYO_ERR_ENGINE_PROVIDER', 'no execution provider could start');
    const slot = `fake${this.#nextSlot++}`;
    const { manifest } = pkg;
    if (this.#options.reproduceGolden ?? true) {
      const golden = await readGolden(pkg.dir, manifest);
      this.#golden.set(
        slot,
        golden.cases.map((c) => ({
          input: float32FromBase64(c.input.data),
          outputs: { logits: Float32Array.from(c.expected.logits), attention: Float32Array.from(c.expected.attention.data) },
        })),
      );
    }
    this.#prepared.add(slot);
    return {
      slot,
      id: manifest.id,
      version: manifest.version,
      sha256: manifest.files[manifest.model]?.sha256 ?? '',
      manifest,
      dir: pkg.dir,
      provider,
      fallbacks,
      loadMs: 0,
      warmupMs: 0,
    };
  }

  activate(model: PreparedModel): Promise<void> {
    if (!this.#prepared.has(model.slot)) return Promise.reject(new MyoError('MYO_ERR_LIFECYCLE', `slot ${model.slot} is not prepared`));
    const previous = this.#active;
    this.#active = model;
    if (previous && previous.slot !== model.slot) this.#prepared.delete(previous.slot);
    return Promise.resolve();
  }

  discard(model: PreparedModel): Promise<void> {
    if (this.#active?.slot === model.slot) return Promise.reject(new MyoError('MYO_ERR_LIFECYCLE', 'the active model cannot be discarded'));
    this.#prepared.delete(model.slot);
    this.#golden.delete(model.slot);
    return Promise.resolve();
  }

  async run(input: Float32Array, model?: PreparedModel): Promise<EngineResult> {
    const target = model ?? this.#active;
    if (this.#closed || !target || !this.#prepared.has(target.slot)) {
      throw new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', 'no model is loaded');
    }
    if (this.#busy) throw new MyoError('MYO_ERR_INTERNAL', 'two runs in flight: the pipeline must not do that');
    this.#busy = true;
    try {
      if (this.#hangNext > 0) {
        this.#hangNext -= 1;
        const limit = this.#options.hardTimeoutMs ?? 2000;
        await new Promise((resolve) => setTimeout(resolve, limit));
        this.#stats.timeouts += 1;
        this.#stats.restarts += 1;
        this.#stats.failures += 1;
        this.#options.onRestart?.(`a run hung for more than ${limit} ms`, this.#stats.restarts);
        throw new MyoError('MYO_ERR_ENGINE_TIMEOUT', `inference did not return within ${limit} ms; the worker is being replaced`);
      }
      if (this.#failNext) {
        const error = this.#failNext;
        this.#failNext = null;
        this.#stats.failures += 1;
        throw error;
      }
      const runtimeMs = this.#options.runtimeMs ?? 0;
      if (runtimeMs > 0) await new Promise((resolve) => setTimeout(resolve, runtimeMs));
      const golden = this.#golden.get(target.slot)?.find((pair) => close(pair.input, input));
      if (golden) {
        this.#stats.runs += 1;
        return { outputs: golden.outputs, runtimeMs };
      }
      const p = Math.min(1 - 1e-6, Math.max(1e-6, (this.#options.score ?? meanScore)(input)));
      this.seen.push(p);
      if (this.seen.length > 1000) this.seen.shift();
      this.#stats.runs += 1;
      const attentionSize = target.manifest.outputs.find((o) => o.name === 'attention')?.shape.reduce((a, b) => a * b, 1) ?? 0;
      return {
        outputs: {
          logits: Float32Array.of(0, Math.log(p / (1 - p))),
          attention: new Float32Array(attentionSize).fill(attentionSize > 0 ? 1 / attentionSize : 0),
        },
        runtimeMs,
      };
    } finally {
      this.#busy = false;
    }
  }

  active(): PreparedModel | null {
    return this.#active;
  }

  stats(): EngineStats {
    return { ...this.#stats, available: this.#active !== null && !this.#closed };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#active = null;
    this.#prepared.clear();
    return Promise.resolve();
  }
}

/** Golden inputs are matched within the preprocessing contract's tolerance (the daemon recomputes them). */
function close(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (Math.abs((a[i] ?? 0) - (b[i] ?? 0)) > 1e-4) return false;
  return true;
}

function float32FromBase64(data: string): Float32Array {
  const bytes = Buffer.from(data, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.length / 4));
}

function meanScore(input: Float32Array): number {
  let sum = 0;
  for (const v of input) sum += v;
  return 1 / (1 + Math.exp(-sum / Math.max(1, input.length)));
}
