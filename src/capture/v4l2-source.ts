import { access, stat } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import type { CaptureConfig } from '../core/config/schema.js';
import { MyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Frame } from '../core/frame.js';
import type { Logger } from '../core/logger.js';
import {
  customPipeline,
  ffmpegV4l2Pipeline,
  gstreamerV4l2Pipeline,
  withDvTimingsQuery,
  type CapturePipeline,
  type GstDecoder,
} from './capture-pipelines.js';
import type { FrameSource, FrameSourceStats } from './frame-source.js';
import { SubprocessFrameSource } from './subprocess-source.js';

export interface V4l2SourceDeps {
  readonly config: CaptureConfig;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Whether this board is a Jetson (picks the GStreamer decoder in `auto`); probes /etc/nv_tegra_release by default. */
  readonly isJetson?: (() => Promise<boolean>) | undefined;
  readonly random?: (() => number) | undefined;
}

/** The capture command for the configured pipeline. */
export function v4l2Pipeline(config: CaptureConfig, jetson: boolean): CapturePipeline {
  const v4l2 = config.v4l2;
  const tc358743 = v4l2.bridge === 'tc358743';
  const common = {
    device: v4l2.device,
    // The bridge outputs UYVY only, whatever inputFormat says.
    inputFormat: tc358743 ? 'uyvy' : v4l2.inputFormat,
    width: v4l2.width,
    height: v4l2.height,
    fps: config.fps,
  } as const;
  const bridged = (pipeline: CapturePipeline): CapturePipeline => (tc358743 ? withDvTimingsQuery(v4l2.device, pipeline) : pipeline);
  switch (v4l2.pipeline) {
    case 'ffmpeg':
      return bridged(ffmpegV4l2Pipeline(common));
    case 'gstreamer': {
      const decoder: GstDecoder = v4l2.decoder === 'auto' ? (jetson ? 'nvv4l2decoder' : 'software') : v4l2.decoder;
      return bridged(gstreamerV4l2Pipeline({ ...common, decoder }));
    }
    case 'custom':
      return customPipeline(v4l2);
  }
}

async function onJetson(): Promise<boolean> {
  try {
    await access('/etc/nv_tegra_release');
    return true;
  } catch {
    return false;
  }
}

/**
 * The HDMI grabber (UVC, V4L2) read through a capture subprocess. Before each attempt the device node must exist,
 * so an unplugged grabber is reported as disconnected and retried with backoff instead of spawning ffmpeg in a loop.
 * UVC gives no signal events; loss shows up as the process exiting (ENODEV) or as frames stopping.
 */
export class V4l2FrameSource implements FrameSource {
  readonly name = 'v4l2';
  readonly #deps: V4l2SourceDeps;
  #inner: SubprocessFrameSource | null = null;

  constructor(deps: V4l2SourceDeps) {
    this.#deps = deps;
  }

  get childPid(): number | null {
    return this.#inner?.childPid ?? null;
  }

  stats(): FrameSourceStats {
    return this.#inner?.stats() ?? { produced: 0, dropped: 0, connects: 0, connected: false };
  }

  async *frames(signal: AbortSignal): AsyncGenerator<Frame> {
    const inner = await this.#source();
    yield* inner.frames(signal);
  }

  async #source(): Promise<SubprocessFrameSource> {
    if (this.#inner) return this.#inner;
    const { config, bus, clock, logger } = this.#deps;
    const jetson = config.v4l2.pipeline === 'gstreamer' && config.v4l2.decoder === 'auto' && (await (this.#deps.isJetson ?? onJetson)());
    const pipeline = v4l2Pipeline(config, jetson);
    const device = config.v4l2.device;
    const checkDevice = config.v4l2.pipeline !== 'custom';
    logger.info({ argv: pipeline.argv, output: pipeline.output }, 'v4l2 capture pipeline');
    this.#inner = new SubprocessFrameSource(
      {
        name: this.name,
        command: pipeline.argv,
        output: pipeline.output,
        reconnect: config.reconnect,
        onCleanExit: 'disconnect',
        delivery: 'newest',
        preflight: checkDevice ? () => requireDevice(device) : undefined,
        random: this.#deps.random,
      },
      { bus, clock, logger },
    );
    return this.#inner;
  }
}

async function requireDevice(device: string): Promise<void> {
  try {
    await stat(device);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new MyoError('MYO_ERR_CAPTURE_SOURCE', `capture device ${device} is not there (${code}); grabber unplugged?`, {
      device,
    });
  }
}
