import type { CaptureStats } from '../capture/capture-stats.js';
import type { HealthCheck } from '../api/health.js';

/**
 * Turns capture stats into the `capture` health check. Live ultrasound is `ok`; a frozen or blank screen is
 * `degraded` (the scanner is there but nothing can be screened); no frames at all is `failed`, which makes the
 * appliance not ready.
 */
export function captureHealth(stats: CaptureStats): HealthCheck {
  if (!stats.sourceConnected) return { status: 'failed', reason: 'capture source disconnected', critical: true };
  switch (stats.signal) {
    case 'ok':
      return { status: 'ok', reason: `live at ${stats.fps.toFixed(1)} fps`, critical: true };
    case 'frozen':
      return { status: 'degraded', reason: 'image frozen', critical: true };
    case 'blank':
      return { status: 'degraded', reason: 'image blank', critical: true };
    case 'no_signal':
      return { status: 'failed', reason: 'no frames from the source', critical: true };
    case 'disconnected':
      return { status: 'failed', reason: 'capture source disconnected', critical: true };
  }
}
