import type { CaptureStats } from '../capture/capture-stats.js';
import type { SignalState } from '../core/frame.js';
import { counterFromTotal, type MetricsRegistry } from './metrics.js';

const SIGNAL_STATES: readonly SignalState[] = ['ok', 'no_signal', 'frozen', 'blank', 'disconnected'];

/** Exposes the capture service's counters as `myoscreen_capture_*` metrics, read at scrape time. */
export function registerCaptureMetrics(metrics: MetricsRegistry, read: () => CaptureStats, source: string): void {
  metrics.counter('capture_frames_total', 'Frames read from the capture source.', {
    collect: counterFromTotal(() => read().framesCaptured),
  });
  metrics.counter('capture_frames_dropped_total', 'Frames replaced by a newer one before the pipeline took them.', {
    collect: counterFromTotal(() => read().framesDropped),
  });
  metrics.gauge('capture_fps', 'Capture rate over the last seconds (frames/s).', {
    collect() {
      this.set(read().fps);
    },
  });
  metrics.gauge('capture_source_connected', 'Whether the capture source is connected (1) or not (0).', {
    labelNames: ['source'] as const,
    collect() {
      this.set({ source }, read().sourceConnected ? 1 : 0);
    },
  });
  metrics.gauge('capture_signal_state', 'Current signal state: 1 for the active state, 0 for the others.', {
    labelNames: ['state'] as const,
    collect() {
      const current = read().signal;
      for (const state of SIGNAL_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  metrics.gauge('capture_frame_pixels', 'Size of the frames being captured.', {
    labelNames: ['dimension'] as const,
    collect() {
      const stats = read();
      this.set({ dimension: 'width' }, stats.width);
      this.set({ dimension: 'height' }, stats.height);
    },
  });
  metrics.gauge('capture_roi_pixels', 'Region of interest (the ultrasound fan) in frame pixels; -1 before it is known.', {
    labelNames: ['edge'] as const,
    collect() {
      const roi = read().roi;
      this.set({ edge: 'x' }, roi?.x ?? -1);
      this.set({ edge: 'y' }, roi?.y ?? -1);
      this.set({ edge: 'width' }, roi?.width ?? -1);
      this.set({ edge: 'height' }, roi?.height ?? -1);
    },
  });
}
