import type { Frame } from '../core/frame.js';

/**
 * The capture port. A source yields frames as its device delivers them and never buffers more than a couple: when
 * the consumer is slow it keeps only the newest (counting what it overwrote in `stats().dropped`). A source reports
 * `sourceDisconnected` / `sourceConnected` / `resolutionChanged` on the bus and reconnects by itself with backoff;
 * the iterable only ends when `signal` aborts (or, for a non-looping file, at its end).
 *
 * Signal quality (no_signal / frozen / blank) is judged downstream by the SignalMonitor, the same way for every
 * source, because UVC grabbers raise no source-change events (see FACTS.md).
 */
export interface FrameSource {
  /** `phantom`, `file` or `v4l2`; used in events, logs and metrics. */
  readonly name: string;
  frames(signal: AbortSignal): AsyncIterable<Frame>;
  stats(): FrameSourceStats;
}

export interface FrameSourceStats {
  /** Frames read from the device or subprocess. */
  readonly produced: number;
  /** Frames overwritten inside the source before anyone asked for them. */
  readonly dropped: number;
  /** Successful (re)connections, the first included. */
  readonly connects: number;
  readonly connected: boolean;
}
