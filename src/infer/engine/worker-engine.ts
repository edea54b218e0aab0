import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ERROR_CATALOGUE, MyoError, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { VerifiedPackage } from '../package/verify.js';
import type { EngineResult, EngineStats, InferenceEngine, PreparedModel } from './engine.js';
import { ioSignatureProblems } from './io-signature.js';
import type { TensorrtPlanner } from './tensorrt-setup.js';
import { defaultWorkerUrl } from './worker-url.js';
import { parseFromWorker, type FromWorker, type SessionSettings, type ToWorker, type WorkerInit } from './worker-protocol.js';

export interface WorkerEngineOptions {
  readonly settings: SessionSettings;
  readonly warmupRuns: number;
  /** A run that takes longer is declared hung: its promise rejects and the worker is replaced. */
  readonly hardTimeoutMs: number;
  readonly loadTimeoutMs: number;
  readonly logger: Logger;
  /** Told about every worker replacement (the daemon puts it on the bus). */
  readonly onRestart?: ((reason: string, restarts: number) => void) | undefined;
  /** Tests point this at a worker that misbehaves on purpose. */
  readonly workerUrl?: URL | undefined;
  /** Largest input in floats (the shared buffer's size); default covers a 1x1x1024x1024 input. */
  readonly maxInputFloats?: number | undefined;
  /** TensorRT options and cache folders per model (when `tensorrt` is among the providers). */
  readonly tensorrtPlanner?: TensorrtPlanner | undefined;
}

interface Pending {
  readonly resolve: (message: FromWorker) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface WorkerHandle {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  dead: boolean;
}

const READY_TIMEOUT_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * onnxruntime-node in a worker thread. The main thread never calls into the runtime: it writes the input into a
 * shared buffer, posts `run`, and awaits the answer under a hard time limit. A run that outlives the limit, or a
 * worker that dies, gets the worker replaced and the active model reloaded into the new one while the daemon keeps
 * going (runs meanwhile fail with MYO_ERR_ENGINE_UNAVAILABLE and the pipeline counts those frames as not inferred).
 */
export class WorkerEngine implements InferenceEngine {
  readonly name = 'onnxruntime-worker';
  readonly #options: WorkerEngineOptions;
  readonly #input: SharedArrayBuffer;
  readonly #inputView: Float32Array;
  readonly #pending = new Map<number, Pending>();
  #handle: WorkerHandle | null = null;
  #nextId = 1;
  #nextSlot = 1;
  #active: PreparedModel | null = null;
  /** Runs go one at a time: each waits for the previous to settle. */
  #queue: Promise<unknown> = Promise.resolve();
  #restarting: Promise<void> | null = null;
  #closed = false;
  #stats = { runs: 0, failures: 0, timeouts: 0, restarts: 0 };
  #consecutiveRestarts = 0;

  constructor(options: WorkerEngineOptions) {
    this.#options = options;
    const floats = options.maxInputFloats ?? 1024 * 1024;
    this.#input = new SharedArrayBuffer(floats * Float32Array.BYTES_PER_ELEMENT);
    this.#inputView = new Float32Array(this.#input);
  }

  #spawn(): WorkerHandle {
    const init: WorkerInit = { input: this.#input };
    const worker = new Worker(this.#options.workerUrl ?? defaultWorkerUrl(), { workerData: init, name: 'myoscreen-onnxruntime' });
    let markReady: () => void = () => undefined;
    let failReady: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const readyTimer = setTimeout(() => failReady(new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', 'inference worker did not start')), READY_TIMEOUT_MS);
    const handle: WorkerHandle = { worker, ready, dead: false };
    worker.on('message', (raw: unknown) => {
      const message = parseFromWorker(raw);
      if (!message) {
        this.#options.logger.error({ message: raw }, 'malformed message from the inference worker');
        return;
      }
      if (message.type === 'ready') {
        clearTimeout(readyTimer);
        markReady();
        return;
      }
      const pending = this.#pending.get(message.id);
      if (!pending) return; // the answer to a request that already timed out
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      pending.resolve(message);
    });
    const onDeath = (reason: string): void => {
      clearTimeout(readyTimer);
      failReady(new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', `inference worker failed to start: ${reason}`));
      if (handle.dead) return;
      handle.dead = true;
      if (this.#handle === handle && !this.#closed) void this.#restart(`worker died: ${reason}`);
    };
    worker.on('error', (error) => onDeath(error.message));
    worker.on('exit', (code) => onDeath(`exit code ${code}`));
    worker.unref();
    return handle;
  }

  async #worker(): Promise<WorkerHandle> {
    if (this.#closed) throw new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', 'engine is closed');
    if (this.#restarting) await this.#restarting;
    this.#handle ??= this.#spawn();
    await this.#handle.ready;
    return this.#handle;
  }

  #request(handle: WorkerHandle, message: ToWorker, timeoutMs: number, onTimeout: () => MyoError): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(message.id);
        reject(onTimeout());
      }, timeoutMs);
      this.#pending.set(message.id, { resolve, reject, timer });
      handle.worker.postMessage(message);
    });
  }

  async prepare(pkg: VerifiedPackage): Promise<PreparedModel> {
    const { manifest } = pkg;
    const slot = `s${this.#nextSlot++}`;
    const tensorrt = this.#tensorrtFor(manifest.files[manifest.model]?.sha256 ?? '', `${manifest.id} ${manifest.version}`);
    const loaded = await this.#serial(async () => {
      const handle = await this.#worker();
      const answer = await this.#request(
        handle,
        {
          type: 'load',
          id: this.#nextId++,
          slot,
          modelPath: pkg.modelPath,
          settings: this.#options.settings,
          inputName: manifest.input.name,
          inputShape: manifest.input.shape,
          warmupRuns: this.#options.warmupRuns,
          tensorrt,
        },
        this.#options.loadTimeoutMs,
        () => new MyoError('MYO_ERR_ENGINE_TIMEOUT', `loading ${manifest.id} ${manifest.version} took longer than ${this.#options.loadTimeoutMs} ms`),
      );
      return expect(answer, 'loaded');
    });
    const problems = ioSignatureProblems(manifest, loaded.inputs, loaded.outputs);
    if (problems.length > 0) {
      await this.#release(slot);
      throw new MyoError('MYO_ERR_MODEL_IO_MISMATCH', `${manifest.id} ${manifest.version}: ${problems.join('; ')}`, { problems });
    }
    const sha256 = manifest.files[manifest.model]?.sha256 ?? '';
    return {
      slot,
      id: manifest.id,
      version: manifest.version,
      sha256,
      manifest,
      dir: pkg.dir,
      provider: loaded.provider,
      fallbacks: loaded.fallbacks,
      loadMs: loaded.loadMs,
      warmupMs: loaded.warmupMs,
    };
  }

  /** The TensorRT part of a load message: provider options and the cache folders to create, or undefined. */
  #tensorrtFor(sha256: string, model: string): { options: Readonly<Record<string, string>>; folders: string[] } | undefined {
    const planner = this.#options.tensorrtPlanner;
    if (!planner) return undefined;
    const plan = planner(sha256);
    this.#options.logger.info({ model, cacheKey: plan.cacheKey, engineCacheDir: plan.engineCacheDir, precision: plan.precision }, 'TensorRT plan');
    const folders = [plan.engineCacheDir, plan.timingCacheDir].filter((f): f is string => f !== null);
    return { options: plan.providerOptions, folders };
  }

  async activate(model: PreparedModel): Promise<void> {
    const previous = this.#active;
    this.#active = model;
    this.#consecutiveRestarts = 0;
    if (previous && previous.slot !== model.slot) await this.#release(previous.slot);
  }

  async discard(model: PreparedModel): Promise<void> {
    if (this.#active?.slot === model.slot) throw new MyoError('MYO_ERR_LIFECYCLE', 'the active model cannot be discarded');
    await this.#release(model.slot);
  }

  async #release(slot: string): Promise<void> {
    await this.#serial(async () => {
      const handle = await this.#worker();
      const answer = await this.#request(handle, { type: 'release', id: this.#nextId++, slot }, this.#options.loadTimeoutMs, () =>
        new MyoError('MYO_ERR_ENGINE_TIMEOUT', `releasing slot ${slot} timed out`),
      );
      expect(answer, 'released');
    }).catch((error: unknown) => {
      // A slot that cannot be released dies with its worker; nothing serves from it any more.
      this.#options.logger.warn({ err: error, slot }, 'releasing a model session failed');
    });
  }

  run(input: Float32Array, model?: PreparedModel): Promise<EngineResult> {
    const target = model ?? this.#active;
    if (!target) return Promise.reject(new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', 'no model is loaded'));
    if (this.#restarting) return Promise.reject(new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', 'inference worker is restarting'));
    if (input.length > this.#inputView.length) {
      return Promise.reject(new MyoError('MYO_ERR_FRAME_INVALID', `input of ${input.length} floats exceeds the engine's buffer`));
    }
    return this.#serial(async () => {
      const handle = await this.#worker();
      this.#inputView.set(input);
      const limit = this.#options.hardTimeoutMs;
      try {
        const answer = await this.#request(handle, { type: 'run', id: this.#nextId++, slot: target.slot, length: input.length }, limit, () => {
          this.#stats.timeouts += 1;
          void this.#restart(`a run hung for more than ${limit} ms`);
          return new MyoError('MYO_ERR_ENGINE_TIMEOUT', `inference did not return within ${limit} ms; the worker is being replaced`);
        });
        const result = expect(answer, 'result');
        this.#stats.runs += 1;
        this.#consecutiveRestarts = 0;
        return { outputs: result.outputs, runtimeMs: result.runtimeMs };
      } catch (error) {
        this.#stats.failures += 1;
        throw error;
      }
    });
  }

  /** Chains work so that the worker sees one request at a time; a failure does not break the chain. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Replaces the worker: the old one is terminated without waiting (a thread stuck in native code may never stop;
   * it is abandoned, not awaited), pending requests fail, a new worker starts and the active model is loaded into
   * it again. Repeated restarts back off so a model that kills its worker every time cannot spin the CPU.
   */
  #restart(reason: string): Promise<void> {
    if (this.#restarting || this.#closed) return this.#restarting ?? Promise.resolve();
    this.#stats.restarts += 1;
    this.#consecutiveRestarts += 1;
    const restarts = this.#stats.restarts;
    const old = this.#handle;
    this.#handle = null;
    if (old) {
      old.dead = true;
      void old.worker.terminate().catch(() => undefined);
    }
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', `inference worker replaced: ${reason}`));
      this.#pending.delete(id);
    }
    this.#options.logger.error({ reason, restarts }, 'replacing the inference worker');
    this.#options.onRestart?.(reason, restarts);
    const backoff = Math.min(MAX_RESTART_DELAY_MS, this.#consecutiveRestarts > 1 ? 500 * 2 ** (this.#consecutiveRestarts - 2) : 0);
    this.#restarting = (async () => {
      if (backoff > 0) await new Promise((resolve) => setTimeout(resolve, backoff).unref());
      const active = this.#active;
      if (!active || this.#closed) return;
      const handle = this.#spawn();
      this.#handle = handle;
      await handle.ready;
      const started = performance.now();
      const answer = await this.#request(
        handle,
        {
          type: 'load',
          id: this.#nextId++,
          slot: active.slot,
          modelPath: `${active.dir}/${active.manifest.model}`,
          settings: this.#options.settings,
          inputName: active.manifest.input.name,
          inputShape: active.manifest.input.shape,
          warmupRuns: this.#options.warmupRuns,
        },
        this.#options.loadTimeoutMs,
        () => new MyoError('MYO_ERR_ENGINE_TIMEOUT', 'reloading the model after a restart timed out'),
      );
      expect(answer, 'loaded');
      this.#options.logger.info({ model: `${active.id} ${active.version}`, tookMs: Math.round(performance.now() - started) }, 'inference worker replaced');
    })()
      .catch((error: unknown) => {
        this.#options.logger.error({ err: error }, 'the replacement inference worker could not load the model');
        // Leave no handle: the next run spawns a fresh worker, which fails the same way and is reported each time.
        this.#handle = null;
      })
      .finally(() => {
        this.#restarting = null;
      });
    return this.#restarting;
  }

  active(): PreparedModel | null {
    return this.#active;
  }

  stats(): EngineStats {
    return { ...this.#stats, available: this.#active !== null && this.#restarting === null && !this.#closed };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Release the active session inside the worker first: the worker handles messages in order, so this waits for a
    // run in flight to return, and the thread is not torn down under onnxruntime mid-run. Bounded: a hung run is not
    // waited for.
    const serving = this.#handle;
    const active = this.#active;
    if (serving && !serving.dead && active) {
      await Promise.race([
        this.#request(serving, { type: 'release', id: this.#nextId++, slot: active.slot }, CLOSE_RELEASE_MS, () =>
          new MyoError('MYO_ERR_ENGINE_TIMEOUT', 'releasing the session at close timed out'),
        ).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, CLOSE_RELEASE_MS).unref()),
      ]);
    }
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new MyoError('MYO_ERR_ENGINE_UNAVAILABLE', 'engine is closed'));
    }
    this.#pending.clear();
    const handle = this.#handle;
    this.#handle = null;
    this.#active = null;
    if (handle) {
      handle.dead = true;
      // terminate() resolves once the thread is gone; a thread stuck in native code is not waited for long.
      await Promise.race([handle.worker.terminate(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
  }
}

/** How long close() lets a run in flight finish and the session be released before the worker is terminated. */
const CLOSE_RELEASE_MS = 1000;

type Answer<K extends FromWorker['type']> = Extract<FromWorker, { type: K }>;

/** The answer of the kind asked for, or the worker's error as a coded MyoError. */
function expect<K extends Exclude<FromWorker['type'], 'ready' | 'error'>>(answer: FromWorker, type: K): Answer<K> {
  if (answer.type === type) return answer as Answer<K>;
  if (answer.type === 'error') {
    const code: ErrorCode = answer.code in ERROR_CATALOGUE ? (answer.code as ErrorCode) : 'MYO_ERR_ENGINE_FAILED';
    throw new MyoError(code, answer.message);
  }
  throw new MyoError('MYO_ERR_INTERNAL', `inference worker answered ${answer.type} to a ${type} request`);
}
