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
  /** A long-lived part finished starting / stopping. */
  partStarted: { part: string; tookMs: number };
  partStopped: { part: string; tookMs: number };
}

export type BusEventName = keyof BusEvents;
