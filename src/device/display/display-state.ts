import type { ExamView } from '../../screening/exam-machine.js';
import type { Decision, InconclusiveReason } from '../../screening/types.js';

/**
 * What the cart display shows, as data: one variant per page. The daemon's state is mapped to this by
 * `displayStateFor`; `renderPage` (pages.ts) turns it into instructions. Nothing here knows about bytes or ports.
 */
export type HealthLevel = 'ok' | 'warn' | 'fail';

export interface HealthIcons {
  readonly capture: HealthLevel;
  readonly model: HealthLevel;
  readonly storage: HealthLevel;
  readonly thermal: HealthLevel;
  readonly network: HealthLevel;
}

export const HEALTH_ICON_NAMES = ['capture', 'model', 'storage', 'thermal', 'network'] as const satisfies readonly (keyof HealthIcons)[];

export type FaultKind = 'no_signal' | 'model_error' | 'overheating' | 'storage';

export interface DisplayFault {
  readonly kind: FaultKind;
  /** One line for the sonographer or the technician, e.g. "HDMI input has no picture". */
  readonly detail: string;
}

export interface ModelIdentity {
  readonly id: string;
  readonly version: string;
}

export interface UpdateProgress {
  readonly version: string;
  /** The update step in words (downloading, verifying, validating, activating, ...). */
  readonly step: string;
  /** 0..100 */
  readonly percent: number;
}

export type DisplayState =
  | { readonly page: 'boot'; readonly version: string }
  | { readonly page: 'ready'; readonly model: ModelIdentity | null; readonly health: HealthIcons }
  | {
      readonly page: 'scanning';
      /** 0..1, or null while the exam is still warming up (too few scored frames to mean anything). */
      readonly score: number | null;
      readonly frames: number;
      readonly usableFrames: number;
      readonly fps: number | null;
      /** A fault that arose during the exam: shown in the status line, never instead of the exam. */
      readonly notice: DisplayFault | null;
      readonly health: HealthIcons;
    }
  | {
      readonly page: 'result';
      readonly decision: Decision;
      readonly reason: string;
      readonly score: number | null;
      readonly notice: DisplayFault | null;
      readonly health: HealthIcons;
    }
  | { readonly page: 'fault'; readonly fault: DisplayFault; readonly health: HealthIcons }
  | { readonly page: 'update'; readonly version: string; readonly step: string; readonly percent: number };

export type PageName = DisplayState['page'];

export interface DisplayInput {
  /** The daemon's own version, shown while it starts. */
  readonly version: string;
  /** True until the daemon's parts have all started. */
  readonly starting: boolean;
  readonly view: ExamView;
  /** Current faults, in any order: the most severe one is shown. */
  readonly faults: readonly DisplayFault[];
  readonly model: ModelIdentity | null;
  readonly update: UpdateProgress | null;
  readonly health: HealthIcons;
  /** Capture frame rate, for the scanning page; null when unknown. */
  readonly fps: number | null;
}

/** Most severe first: a hot board or a missing model stops screening altogether; no signal is the scanner's state. */
const FAULT_SEVERITY: readonly FaultKind[] = ['overheating', 'model_error', 'storage', 'no_signal'];

export function mostSevereFault(faults: readonly DisplayFault[]): DisplayFault | null {
  let best: DisplayFault | null = null;
  for (const fault of faults) {
    if (best === null || FAULT_SEVERITY.indexOf(fault.kind) < FAULT_SEVERITY.indexOf(best.kind)) best = fault;
  }
  return best;
}

const REASON_TEXT: Readonly<Record<InconclusiveReason, string>> = {
  signal_lost: 'Signal lost during the exam',
  too_few_usable_frames: 'Too few usable frames',
  poor_image_quality: 'Image quality too poor',
  out_of_distribution: 'Image unlike the training data',
  interrupted: 'Exam interrupted',
};

/** The reason line of the result page. */
export function reasonText(decision: Decision, reason: InconclusiveReason | null): string {
  if (reason !== null) return REASON_TEXT[reason];
  if (decision === 'refer') return 'Myometrial invasion suspected';
  if (decision === 'no_invasion') return 'No myometrial invasion seen';
  return 'No decision';
}

/**
 * The page for the daemon's state. Priorities, highest first:
 * 1. an exam in progress or its result: never covered by an update or a fault (a fault shows in its status line);
 * 2. start-up;
 * 3. a model update in progress (updates run between exams; "no signal" while the scanner is idle is normal then);
 * 4. the most severe fault, and a missing model counts as one;
 * 5. ready.
 */
export function displayStateFor(input: DisplayInput): DisplayState {
  const notice = mostSevereFault(input.faults);
  const { view, health } = input;
  if (view.phase === 'scanning') {
    return {
      page: 'scanning',
      score: view.warmingUp ? null : view.liveScore,
      frames: view.framesSeen,
      usableFrames: view.usableFrames,
      fps: input.fps,
      notice,
      health,
    };
  }
  if (view.phase === 'result') {
    return { page: 'result', decision: view.decision, reason: reasonText(view.decision, view.reason), score: view.score, notice, health };
  }
  if (input.starting) return { page: 'boot', version: input.version };
  if (input.update !== null) return { page: 'update', ...input.update };
  if (notice !== null) return { page: 'fault', fault: notice, health };
  if (input.model === null) return { page: 'fault', fault: { kind: 'model_error', detail: 'No model loaded' }, health };
  return { page: 'ready', model: input.model, health };
}
