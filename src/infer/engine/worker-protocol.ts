import type { ProviderFailure, ProviderName } from './engine.js';

/**
 * Messages between the engine (main thread) and its onnxruntime worker. The worker is our own code, but a message is
 * still a boundary: each side checks the `type` and the fields it reads before trusting them.
 */
export interface SessionSettings {
  readonly providers: readonly ProviderName[];
  readonly intraOpThreads: number;
  readonly allowSpinning: boolean;
  readonly graphOptimization: 'disabled' | 'basic' | 'extended' | 'all';
  readonly deviceId: number;
}

export interface TensorMeta {
  readonly name: string;
  readonly type: string;
  /** Dimensions; a symbolic dimension is reported as -1. */
  readonly shape: readonly number[];
}

export type ToWorker =
  | {
      readonly type: 'load';
      readonly id: number;
      readonly slot: string;
      readonly modelPath: string;
      readonly settings: SessionSettings;
      readonly inputName: string;
      readonly inputShape: readonly number[];
      readonly warmupRuns: number;
      /** TensorRT provider options for this model and the cache folders to create first (tensorrt-options.ts). */
      readonly tensorrt?: { readonly options: Readonly<Record<string, string>>; readonly folders: readonly string[] } | undefined;
    }
  | { readonly type: 'run'; readonly id: number; readonly slot: string; readonly length: number }
  | { readonly type: 'release'; readonly id: number; readonly slot: string };

export type FromWorker =
  | { readonly type: 'ready' }
  | {
      readonly type: 'loaded';
      readonly id: number;
      readonly provider: ProviderName;
      readonly fallbacks: readonly ProviderFailure[];
      readonly inputs: readonly TensorMeta[];
      readonly outputs: readonly TensorMeta[];
      readonly loadMs: number;
      readonly warmupMs: number;
    }
  | { readonly type: 'result'; readonly id: number; readonly outputs: Readonly<Record<string, Float32Array>>; readonly runtimeMs: number }
  | { readonly type: 'released'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly code: string; readonly message: string };

/** Data the worker is started with: the shared input buffer the main thread writes each preprocessed frame into. */
export interface WorkerInit {
  readonly input: SharedArrayBuffer;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Narrows a message from the worker; anything else is reported as a protocol error by the caller. */
export function parseFromWorker(message: unknown): FromWorker | null {
  if (!isRecord(message) || typeof message.type !== 'string') return null;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'loaded':
      return typeof message.id === 'number' && typeof message.provider === 'string' && Array.isArray(message.inputs) && Array.isArray(message.outputs)
        ? (message as unknown as FromWorker)
        : null;
    case 'result':
      return typeof message.id === 'number' && typeof message.runtimeMs === 'number' && isRecord(message.outputs)
        ? (message as unknown as FromWorker)
        : null;
    case 'released':
      return typeof message.id === 'number' ? { type: 'released', id: message.id } : null;
    case 'error':
      return typeof message.id === 'number' && typeof message.code === 'string' && typeof message.message === 'string'
        ? { type: 'error', id: message.id, code: message.code, message: message.message }
        : null;
    default:
      return null;
  }
}
