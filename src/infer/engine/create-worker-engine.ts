import type { Config } from '../../core/config/index.js';
import type { Logger } from '../../core/logger.js';
import type { InferenceEngine } from './engine.js';
import { createTensorrtPlanner } from './tensorrt-setup.js';
import { WorkerEngine } from './worker-engine.js';

/**
 * The production engine: onnxruntime-node in a worker thread, tuned from `inference.*`. Lives here, not in the
 * composition root, because the self-test and `myoscreen evaluate` build one too.
 */
export function createWorkerEngine(
  config: Config['inference'],
  deps: { logger: Logger; onRestart: (reason: string, restarts: number) => void; stateDir: string },
): InferenceEngine {
  return new WorkerEngine({
    // TensorRT engine cache under state.dir unless inference.tensorrt.cacheDir says otherwise (deploy/jetson).
    tensorrtPlanner: createTensorrtPlanner(config, deps.stateDir, deps.logger),
    settings: {
      providers: config.providers,
      intraOpThreads: config.intraOpThreads,
      allowSpinning: config.allowSpinning,
      graphOptimization: config.graphOptimization,
      deviceId: 0,
    },
    warmupRuns: config.warmupRuns,
    hardTimeoutMs: config.hardTimeoutMs,
    loadTimeoutMs: config.loadTimeoutMs,
    logger: deps.logger,
    onRestart: deps.onRestart,
  });
}
