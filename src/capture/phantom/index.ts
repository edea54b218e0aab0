export type * from './types.js';
export { TissueClass, TISSUE_CLASS_COUNT } from './types.js';
export { Rng, deriveSeed, hash3, hashSeeded, mix32, seedToUint32, unitFromHash } from './rng.js';
export { NoiseField } from './noise-field.js';
export { MaskRegion, MIN_WALL_CM, SceneSampler, type WallProfile } from './scene.js';
export {
  BORDERLINE_MARGIN,
  DEFAULT_BORDERLINE_FRACTION,
  DEFAULT_POSITIVE_FRACTION,
  DEFAULT_THRESHOLD,
  MAX_DEPTH_RATIO,
  MAX_THRESHOLD,
  MIN_THRESHOLD,
  createCase,
  labelFor,
  resolveCaseOptions,
  type ResolvedCaseOptions,
} from './sample-case.js';
export {
  FAN_RADIUS_FRACTION,
  fanLayout,
  pixelInFan,
  pixelToScene,
  probePose,
  probeToScene,
  sceneToPixel,
  sceneToProbe,
  type FanLayout,
  type ProbePose,
} from './fan-geometry.js';
export {
  BModeRenderer,
  renderBMode,
  type BModeImage,
  type BModeOptions,
  type PolarDiagnostics,
} from './bmode-renderer.js';
export {
  DATASET_LAYOUT_VERSION,
  LABELS_HEADER,
  PHANTOM_GENERATOR,
  caseId,
  exportDataset,
  resolveExportOptions,
  splitHint,
  type ExportDatasetOptions,
  type ExportSummary,
  type SplitHint,
} from './export-dataset.js';

// The scanner screen and its scripted exams (the `phantom` capture source draws these).
export type * from './script-types.js';
export { phantomScript, examTruth } from './script-builder.js';
export { ScriptTimeline } from './script-timeline.js';
export { LAYOUT_NAMES, fanBox, fanRect, layoutSpec, type LayoutName } from './screen-layout.js';
export { ScreenCompositor } from './screen-compositor.js';
export { ScreenPlayer } from './screen-player.js';
