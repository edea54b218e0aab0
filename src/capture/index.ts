/** The capture room's public surface: sources, the service, and the pure pieces other rooms and tools reuse. */
export type { FrameSource, FrameSourceStats } from './frame-source.js';
export type { CaptureStats } from './capture-stats.js';
export { createFrameSource, type FrameSourceDeps } from './create-source.js';
export { CaptureService, type CapturedFrame, type CaptureServiceDeps } from './capture-service.js';
export { FrameMailbox, isMailboxClosed, type MailboxStats } from './mailbox.js';
export { FileFrameSource, isY4mPath, type FileSourceDeps } from './file-source.js';
export { V4l2FrameSource, v4l2Pipeline, type V4l2SourceDeps } from './v4l2-source.js';
export {
  SubprocessFrameSource,
  type SubprocessOutput,
  type SubprocessSourceDeps,
  type SubprocessSourceOptions,
} from './subprocess-source.js';
export {
  customPipeline,
  ffmpegFilePipeline,
  ffmpegV4l2Pipeline,
  gstFraction,
  gstreamerV4l2Pipeline,
  type CapturePipeline,
  type GstDecoder,
  type V4l2PipelineOptions,
} from './capture-pipelines.js';
export { Y4mParser, parseY4mHeader, type Y4mHeader, type Y4mParserOptions } from './y4m-parser.js';
export { RawFrameParser, gstreamerGray8Stride, type RawFrameGeometry } from './raw-frame-parser.js';
export type { FrameStreamParser, GrayImage } from './gray-frame.js';
export { SignalMonitor, type SignalMeasure, type SignalMonitorOptions, type SignalTransition } from './signal-monitor.js';
export { RoiDetector, type RoiDetectorOptions, type RoiMethod, type RoiUpdate } from './roi-detector.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { rectIoU, padAndClamp, fullFrame, rectProblem } from './rect.js';
