import type { Rect, SignalState } from './frame.js';

/**
 * Every event on the daemon's bus, by name. Names are past-tense camelCase. Later rooms add their events here, so
 * the bus stays one typed map and listeners get checked payloads.
 */
export interface BusEvents {
  /** A source's signal state changed (live -> frozen, blank, no_signal, disconnected, or back to ok). */
  signalChanged: { source: string; state: SignalState; previous: SignalState; reason: string; at: number };
  /** The source started delivering frames of another size. */
  resolutionChanged: {
    source: string;
    width: number;
    height: number;
    previous: { width: number; height: number } | null;
    at: number;
  };
  /** The source's device or subprocess went away; it will retry after `retryInMs`. */
  sourceDisconnected: { source: string; reason: string; attempt: number; retryInMs: number; at: number };
  /** The source (re)connected and its first frame arrived. */
  sourceConnected: { source: string; attempt: number; at: number };
  /** The region of interest (the ultrasound fan) was found or moved. */
  roiChanged: { roi: Rect; method: 'configured' | 'auto' | 'full-frame'; at: number };
  /** The phantom scanner began a script segment; `expected`/`label` carry the exam's ground truth (null otherwise). */
  phantomSegmentStarted: { index: number; kind: string; expected: string | null; label: 0 | 1 | null; at: number };
  /** The inference engine loaded a model package (after verification and the golden-vector self-test). */
  modelLoaded: { id: string; version: string; sha256: string; provider: string; loadMs: number; at: number };
  /**
   * The model update agent (src/fleet) moved: installed model, candidate, phase (ARCHITECTURE section 7) and progress.
   * Telemetry republishes the retained `model/state` on each one.
   */
  modelStateChanged: {
    installed: { id: string; version: string; sha256: string; securityVersion: number } | null;
    candidate: { id: string; version: string; sha256: string; securityVersion: number } | null;
    phase: 'idle' | 'queued' | 'downloading' | 'verifying' | 'staged' | 'waiting' | 'validating' | 'activating' | 'probation' | 'committed' | 'rolled_back';
    progress: number | null;
    jobId: string | null;
    at: number;
  };
  /** A remote `restart` command (or the dashboard) asked the daemon to restart once no exam runs; main.ts exits 75. */
  restartRequested: { reason: string; at: number };
  /** A provider could not start and the engine fell back to the next one in `inference.providers`. */
  providerFallback: { failed: string; next: string | null; reason: string; at: number };
  /** The inference worker was replaced (a hung run, or the worker died); the daemon kept running. */
  engineRestarted: { reason: string; restarts: number; at: number };
  /** The pipeline changed how often it runs inference to stay within its latency budget (stride 1 = every frame). */
  inferenceRateChanged: { stride: number; previous: number; p95Ms: number; budgetMs: number; at: number };
  /** An exam started (automatically when live ultrasound appeared, or on operator request). */
  examStarted: { examId: string; cause: 'auto' | 'operator'; at: number };
  /** An exam ended with its decision; the record is on disk before this is emitted. */
  examEnded: {
    examId: string;
    decision: 'refer' | 'no_invasion' | 'inconclusive';
    reason: string | null;
    score: number | null;
    cause: 'operator' | 'idle_timeout' | 'signal_lost' | 'shutdown';
    at: number;
  };
  /** The operator pressed a control on the cart display or the dashboard. */
  operatorAction: { action: 'start' | 'end' | 'acknowledge'; source: string; at: number };
  /** The cart's status display answered after (re)connecting; it is redrawn with the current state. */
  displayConnected: { port: string; attempt: number; at: number };
  /** The status display's port could not be opened, went away or stopped answering; it is retried after `retryInMs`. */
  displayDisconnected: { port: string; reason: string; attempt: number; retryInMs: number; at: number };
  /**
   * A device health check (thermal, memory, disk, cpu) changed status; `previous` is null on the first judgement
   * (emitted then only when it is not ok). Reason-only changes (81 C -> 82 C) are not events.
   */
  healthChanged: {
    part: string;
    status: 'ok' | 'degraded' | 'failed';
    previous: 'ok' | 'degraded' | 'failed' | null;
    reason: string;
    at: number;
  };
  /** Thermal throttling started or ended; `reason` says what was seen (trip crossed, capped CPU frequency). */
  throttlingChanged: { throttled: boolean; reason: string; at: number };
  /** A long-lived part finished starting / stopping. */
  partStarted: { part: string; tookMs: number };
  partStopped: { part: string; tookMs: number };
}

export type BusEventName = keyof BusEvents;
