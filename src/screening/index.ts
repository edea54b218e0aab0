export type * from './types.js';
export { REJECT_REASONS, isLiveSignal } from './types.js';
export { measureFrame, type FrameFeatures } from './frame-features.js';
export { judgeFrame, type FrameJudgement, type FrameVerdict, type QualityGateOptions } from './quality-gate.js';
export { ScoreAggregator, type ScoreAggregatorOptions } from './score-aggregator.js';
export { decideExam, type DecisionOptions, type ExamDecision, type ExamTally } from './decision.js';
export { LiveTracker } from './live-tracker.js';
export {
  ExamMachine,
  type ExamInput,
  type ExamMachineOptions,
  type ExamOutcome,
  type ExamStep,
  type ExamView,
} from './exam-machine.js';
