/**
 * Stage timestamps a frame collects on its way from capture to decision (monotonic ms, Clock.now()). `null` where
 * a stage did not run for this frame (no inference on rejected frames or frames skipped to hold the budget).
 */
export interface FrameTimings {
  readonly captured: number;
  /** Taken out of the mailbox by the pipeline. */
  readonly taken: number;
  readonly preprocessed: number | null;
  readonly inferred: number | null;
  /** Time spent inside `session.run` as the worker measured it. */
  readonly runtimeMs: number | null;
  readonly decided: number;
}

/** Stage durations in ms, for histograms and the benchmark. */
export interface StageDurations {
  readonly mailbox: number;
  readonly preprocess: number | null;
  readonly inference: number | null;
  readonly decision: number;
  readonly captureToDecision: number;
}

export function stageDurations(t: FrameTimings): StageDurations {
  const preprocess = t.preprocessed === null ? null : t.preprocessed - t.taken;
  const inference = t.inferred === null || t.preprocessed === null ? null : t.inferred - t.preprocessed;
  const decisionStart = t.inferred ?? t.preprocessed ?? t.taken;
  return {
    mailbox: Math.max(0, t.taken - t.captured),
    preprocess,
    inference,
    decision: Math.max(0, t.decided - decisionStart),
    captureToDecision: Math.max(0, t.decided - t.captured),
  };
}
