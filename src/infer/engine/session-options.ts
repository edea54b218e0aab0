import type { InferenceSession } from 'onnxruntime-node';
import type { ProviderName } from './engine.js';
import type { SessionSettings } from './worker-protocol.js';

/**
 * onnxruntime session options for one provider attempt. Why each setting (docs/inference.md has the measurements):
 * - one inter-op thread and sequential execution: the student is a chain of small ops; parallel branches only add
 *   scheduling cost;
 * - intra-op threads from config (1 by default: on a 2-core board the other core keeps capture and the event loop
 *   responsive; 2 threads cut a run by ~40 % but compete with capture);
 * - spinning off by default: a spinning pool keeps a core busy between frames for a gain well under a millisecond;
 * - memory arena and pattern on: the same shapes every frame, so buffers are reused instead of reallocated.
 * The Node binding passes only `deviceId` to CUDA and TensorRT (FACTS: onnxruntime-node); their other options come
 * from a patched build on the Jetson (deploy/jetson).
 */
export function sessionOptionsFor(
  provider: ProviderName,
  settings: SessionSettings,
  tensorrtOptions: Readonly<Record<string, string>> = {},
): InferenceSession.SessionOptions {
  const spinning = settings.allowSpinning ? '1' : '0';
  return {
    executionProviders: executionProviders(provider, settings.deviceId, tensorrtOptions),
    intraOpNumThreads: settings.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: settings.graphOptimization,
    enableCpuMemArena: true,
    enableMemPattern: true,
    extra: { session: { intra_op: { allow_spinning: spinning }, inter_op: { allow_spinning: '0' } } },
  };
}

function executionProviders(
  provider: ProviderName,
  deviceId: number,
  tensorrtOptions: Readonly<Record<string, string>>,
): InferenceSession.ExecutionProviderConfig[] {
  switch (provider) {
    case 'tensorrt':
      // Nodes TensorRT cannot take run on CUDA rather than falling all the way back to the CPU. The `trt_*` keys are
      // onnxruntime's option names; only the patched binding reads them (deploy/jetson), the stock one skips them.
      return [{ ...tensorrtOptions, name: 'tensorrt', deviceId }, { name: 'cuda', deviceId }];
    case 'cuda':
      return [{ name: 'cuda', deviceId }];
    case 'cpu':
      return ['cpu'];
  }
}
