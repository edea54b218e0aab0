import type { HealthCheck } from '../api/health.js';
import type { CaptureStats } from '../capture/capture-stats.js';
import type { DisplayFault, DisplayInput, HealthIcons, HealthLevel, UpdateProgress } from './display/display-state.js';
import type { ExamView } from '../screening/exam-machine.js';

export interface DisplaySources {
  readonly version: string;
  readonly starting: boolean;
  readonly view: ExamView;
  readonly capture: CaptureStats;
  /** Every health check by part name (capture, inference, pipeline, thermal, memory, disk, cpu, ...). */
  readonly checks: Readonly<Record<string, HealthCheck>>;
  readonly model: { readonly id: string; readonly version: string } | null;
  readonly modelError: string | null;
  /** The model update in progress (src/fleet/agent), or null; the display never lets it cover an exam. */
  readonly update?: UpdateProgress | null;
}

function level(check: HealthCheck | undefined): HealthLevel {
  if (!check) return 'ok';
  return check.status === 'ok' ? 'ok' : check.status === 'degraded' ? 'warn' : 'fail';
}

function worst(...levels: HealthLevel[]): HealthLevel {
  return levels.includes('fail') ? 'fail' : levels.includes('warn') ? 'warn' : 'ok';
}

/**
 * What the cart display is fed: the exam view, faults in the sonographer's words, and the health icons. The display
 * decides what to show (displayStateFor); this only gathers. The network icon follows the MQTT connection.
 */
export function displayInputFrom(s: DisplaySources): DisplayInput {
  const { checks } = s;
  const faults: DisplayFault[] = [];
  if (s.capture.signal === 'no_signal' || s.capture.signal === 'disconnected' || !s.capture.sourceConnected) {
    faults.push({ kind: 'no_signal', detail: 'No picture from the scanner (HDMI)' });
  }
  if (s.model === null && !s.starting) faults.push({ kind: 'model_error', detail: s.modelError ?? 'No model loaded' });
  if (checks.thermal?.status === 'failed') faults.push({ kind: 'overheating', detail: checks.thermal.reason });
  const storage = [checks.disk, checks.pipeline].find((c) => c?.status === 'failed' && /disk|record|stor/i.test(c.reason));
  if (storage) faults.push({ kind: 'storage', detail: storage.reason });
  const health: HealthIcons = {
    capture: level(checks.capture),
    model: worst(level(checks.inference), checks.pipeline?.status === 'degraded' ? 'warn' : 'ok'),
    storage: level(checks.disk),
    thermal: level(checks.thermal),
    network: level(checks.mqtt),
  };
  return {
    version: s.version,
    starting: s.starting,
    view: s.view,
    faults,
    model: s.model,
    update: s.update ?? null,
    health,
    fps: s.capture.fps > 0 ? s.capture.fps : null,
  };
}
