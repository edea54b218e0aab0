import type { Clock } from '../core/clock.js';
import type { CaptureConfig } from '../core/config/schema.js';
import type { EventBus } from '../core/event-bus.js';
import type { Logger } from '../core/logger.js';
import { FileFrameSource } from './file-source.js';
import type { FrameSource } from './frame-source.js';
import { PhantomFrameSource } from './phantom-source.js';
import { V4l2FrameSource } from './v4l2-source.js';

export interface FrameSourceDeps {
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The production frame source for `config.source`: the phantom scanner, a recorded file, or the HDMI grabber. */
export function createFrameSource(config: CaptureConfig, deps: FrameSourceDeps): FrameSource {
  switch (config.source) {
    case 'phantom':
      return new PhantomFrameSource({ config, ...deps });
    case 'file':
      return new FileFrameSource({ config, ...deps });
    case 'v4l2':
      return new V4l2FrameSource({ config, ...deps });
  }
}
