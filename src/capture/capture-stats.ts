import type { Rect, SignalState } from '../core/frame.js';

/** What the capture service reports about itself; read by metrics, health and the API at scrape time. */
export interface CaptureStats {
  readonly framesCaptured: number;
  /** Frames replaced before anyone took them: inside the source plus in the mailbox. */
  readonly framesDropped: number;
  /** Frames per second over the last couple of seconds. */
  readonly fps: number;
  readonly signal: SignalState;
  readonly roi: Rect | null;
  readonly width: number;
  readonly height: number;
  readonly sourceConnected: boolean;
  /** Runs of the no-signal timer: the capture loop is alive even when no frame arrives (the watchdog reads it). */
  readonly loopTicks: number;
}
