import type { SignalState } from '../../core/frame.js';

/**
 * Counters the watchdog samples once per interval. All counts only grow during a process's life; the watchdog
 * compares two samples, so only their change matters.
 */
export interface ProgressCounters {
  /** Frames the capture service has taken from its source. */
  readonly framesCaptured: number;
  /** Turns of the capture loop that do not need a frame: no-signal timer checks, reconnect attempts. */
  readonly captureLoopTicks: number;
  /** The capture signal state at sampling time. */
  readonly signal: SignalState;
  /** Inference runs on frames that completed (successfully or with a per-frame error: the engine answered). */
  readonly inferenceRuns: number;
  /** Idle probe runs that completed: the daemon runs a tiny inference when no frame was inferred recently. */
  readonly probeRuns: number;
  /** How long the run in flight has been waiting for the engine, in ms; null when no run is in flight. */
  readonly pendingRunSinceMs: number | null;
}

export interface PartProgress {
  readonly progressed: boolean;
  /** Why, in words for the log and `systemctl status`. */
  readonly why: string;
}

export interface ProgressVerdict {
  /** Both parts progressed: the watchdog may ping. */
  readonly ok: boolean;
  readonly capture: PartProgress;
  readonly inference: PartProgress;
}

/** Capture states in which no frames is the expected, healthy outcome, as long as the loop keeps turning. */
const NO_FRAMES_EXPECTED: ReadonlySet<SignalState> = new Set<SignalState>(['no_signal', 'disconnected']);

/**
 * Did capture and inference both make progress between two samples?
 *
 * - Capture progressed when its frame counter moved, or when it is in a known no-frames state (no_signal,
 *   disconnected) and its loop still ticks (timeout checks, reconnect attempts). An unplugged HDMI cable is an
 *   operator problem shown on the display, not a hang: restarting the daemon would not plug it back in, and would
 *   restart it forever.
 * - Inference progressed when a run on a frame or an idle probe run completed. A run that is still pending says
 *   nothing good: a hung engine looks exactly like that.
 *
 * "Moved" is any change, not only growth: a counter that went back means its part restarted, which is activity.
 */
export function judgeProgress(prev: ProgressCounters, now: ProgressCounters): ProgressVerdict {
  const capture = judgeCapture(prev, now);
  const inference = judgeInference(prev, now);
  return { ok: capture.progressed && inference.progressed, capture, inference };
}

function judgeCapture(prev: ProgressCounters, now: ProgressCounters): PartProgress {
  const frames = now.framesCaptured - prev.framesCaptured;
  if (frames !== 0) return { progressed: true, why: `new frames: ${Math.max(frames, 0)}` };
  if (NO_FRAMES_EXPECTED.has(now.signal)) {
    if (now.captureLoopTicks !== prev.captureLoopTicks) return { progressed: true, why: `${now.signal}, capture loop alive` };
    return { progressed: false, why: `${now.signal} and the capture loop stopped ticking` };
  }
  return { progressed: false, why: `no new frame while the signal is ${now.signal}` };
}

function judgeInference(prev: ProgressCounters, now: ProgressCounters): PartProgress {
  const runs = now.inferenceRuns - prev.inferenceRuns;
  if (runs !== 0) return { progressed: true, why: `runs completed: ${Math.max(runs, 0)}` };
  const probes = now.probeRuns - prev.probeRuns;
  if (probes !== 0) return { progressed: true, why: `idle, probe runs completed: ${Math.max(probes, 0)}` };
  if (now.pendingRunSinceMs !== null) {
    return { progressed: false, why: `no run completed; one has been pending for ${(now.pendingRunSinceMs / 1000).toFixed(1)} s` };
  }
  return { progressed: false, why: 'no run or idle probe completed, none pending' };
}

/** The status line for a stalled verdict: `stalled: inference (no run completed; ...)`. */
export function stalledStatus(verdict: ProgressVerdict): string {
  const parts: string[] = [];
  if (!verdict.capture.progressed) parts.push(`capture (${verdict.capture.why})`);
  if (!verdict.inference.progressed) parts.push(`inference (${verdict.inference.why})`);
  return `stalled: ${parts.join('; ')}`;
}
