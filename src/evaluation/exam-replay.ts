import { MyoError } from '../core/errors.js';
import { ExamMachine, type ExamMachineOptions, type ExamOutcome, type ExamStep, type FrameVerdict } from '../screening/index.js';

/** Still images replayed as a 30 fps cine loop: the frame rate the exam rules (timeouts, minimum frames) assume. */
export const REPLAY_FRAME_INTERVAL_MS = 1000 / 30;

export type ExamReplayOptions = Omit<ExamMachineOptions, 'newExamId'>;

/**
 * One patient's images through a fresh ExamMachine, as the live pipeline would see them: the operator starts the
 * exam at time 0, frame i arrives at (i + 1) x 1000/30 ms, the operator ends it one frame period after the last,
 * and the machine's own ExamOutcome (trimmed-mean score, decision, inconclusive reason) is the exam's result.
 *
 * A run of non-live frames (no tissue at all) as long as the idle timeout ends the exam by itself, as it would live;
 * the frames after that are not part of the exam (`framesAfterEnd`), rather than opening a second exam.
 */
export class ExamReplay {
  readonly #machine: ExamMachine;
  #frames = 0;
  #outcome: ExamOutcome | null = null;
  #framesAfterEnd = 0;

  constructor(examId: string, options: ExamReplayOptions) {
    this.#machine = new ExamMachine({ ...options, newExamId: () => examId });
    const started = this.#machine.step({ type: 'operator', at: 0, action: 'start' });
    if (started.started === null) throw new MyoError('MYO_ERR_INTERNAL', `exam ${examId} did not start at the operator's word`);
  }

  /** Frames given after the machine ended the exam by itself; they do not count toward it. */
  get framesAfterEnd(): number {
    return this.#framesAfterEnd;
  }

  frame(verdict: FrameVerdict, probability: number | null): void {
    if (this.#outcome !== null) {
      this.#framesAfterEnd += 1;
      return;
    }
    this.#frames += 1;
    this.#record(this.#machine.step({ type: 'frame', at: this.#frames * REPLAY_FRAME_INTERVAL_MS, verdict, probability }));
  }

  /** Ends the exam (operator end, unless it already ended by itself) and returns its outcome. */
  end(): ExamOutcome {
    if (this.#outcome === null) {
      this.#record(this.#machine.step({ type: 'operator', at: (this.#frames + 1) * REPLAY_FRAME_INTERVAL_MS, action: 'end' }));
    }
    const outcome = this.#outcome;
    if (outcome === null) throw new MyoError('MYO_ERR_INTERNAL', 'the exam machine did not end the exam at the operator\'s word');
    return outcome;
  }

  #record(step: ExamStep): void {
    if (step.ended !== null) this.#outcome = step.ended;
  }
}
