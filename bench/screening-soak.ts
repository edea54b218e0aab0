import { runOnce } from './screening-pipeline.js';
import type { BenchModule } from './types.js';

/**
 * `npm run bench -- --only screening-soak --soak 30 --out soak`: the daemon on the live phantom (idle screens,
 * freezes, signal losses, exams recorded to SQLite) at 30 fps for MIN minutes, RSS sampled throughout; the target
 * is a flat RSS (least-squares slope after the first tenth of the run).
 */
export const run: BenchModule = async ({ soakMinutes }) => {
  if (soakMinutes <= 0) throw new Error('screening-soak needs --soak MINUTES');
  return runOnce({ threads: 1, seconds: soakMinutes * 60, warmupSeconds: 30, fps: 30, fullScript: true });
};
