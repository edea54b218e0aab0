import type { Manifest } from '../package/manifest-schema.js';
import type { VerifiedPackage } from '../package/verify.js';

/** Execution providers in the order the configuration may name them. */
export type ProviderName = 'tensorrt' | 'cuda' | 'cpu';

/** A provider that was asked for and could not start, and why. */
export interface ProviderFailure {
  readonly provider: ProviderName;
  readonly reason: string;
}

/** A model session built and warmed up in the engine, serving or not. */
export interface PreparedModel {
  /** Opaque slot name inside the engine; the handle for run(), activate() and discard(). */
  readonly slot: string;
  readonly id: string;
  readonly version: string;
  /** sha256 of the ONNX file, from the verified manifest. */
  readonly sha256: string;
  readonly manifest: Manifest;
  readonly dir: string;
  /** The provider that runs this session. */
  readonly provider: ProviderName;
  /** Providers tried before it that failed. */
  readonly fallbacks: readonly ProviderFailure[];
  readonly loadMs: number;
  readonly warmupMs: number;
}

/** What one inference returned. */
export interface EngineResult {
  /** Every output by name, flattened (row-major). */
  readonly outputs: Readonly<Record<string, Float32Array>>;
  /** Time spent inside `session.run` on the worker thread, in ms: the runtime's own cost, without messaging. */
  readonly runtimeMs: number;
}

export interface EngineStats {
  readonly runs: number;
  readonly failures: number;
  readonly timeouts: number;
  readonly restarts: number;
  /** False while the worker is being replaced, or before anything was loaded. */
  readonly available: boolean;
}

/**
 * The inference port (ARCHITECTURE section 3). A model is prepared fully (session built, warmed up) in a slot of its
 * own before it may serve, so a candidate can be checked against its golden vectors while the active one keeps
 * running, and the swap is one assignment between frames. One run at a time: the pipeline never has two in flight.
 */
export interface InferenceEngine {
  readonly name: string;
  /** Builds and warms a session for a verified package; the active model (if any) keeps serving meanwhile. */
  prepare(pkg: VerifiedPackage): Promise<PreparedModel>;
  /** Makes a prepared model the one `run()` uses; the previously active one is released. */
  activate(model: PreparedModel): Promise<void>;
  /** Releases a prepared model that will not be activated. */
  discard(model: PreparedModel): Promise<void>;
  /** Runs the active model (or `model`, for validation) on one preprocessed input. */
  run(input: Float32Array, model?: PreparedModel): Promise<EngineResult>;
  active(): PreparedModel | null;
  stats(): EngineStats;
  close(): Promise<void>;
}
