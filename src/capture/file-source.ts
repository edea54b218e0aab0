import { access, open } from 'node:fs/promises';
import { delay, type Clock } from '../core/clock.js';
import type { CaptureConfig } from '../core/config/schema.js';
import { MyoError, toMyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Frame } from '../core/frame.js';
import type { Logger } from '../core/logger.js';
import { ffmpegFilePipeline } from './capture-pipelines.js';
import type { FrameSource, FrameSourceStats } from './frame-source.js';
import { SourceReporter } from './source-reporter.js';
import { SubprocessFrameSource } from './subprocess-source.js';
import { Y4mParser } from './y4m-parser.js';
import { isAborted } from './abort.js';

export interface FileSourceDeps {
  readonly config: CaptureConfig;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: (() => number) | undefined;
  /** Read size of the native Y4M reader (default 1 MiB). */
  readonly readChunkBytes?: number | undefined;
}

/** True for paths the native reader handles (no subprocess). */
export function isY4mPath(path: string): boolean {
  return /\.y4m$/i.test(path);
}

/**
 * A recorded exam played back as if it were live. `.y4m` is read natively from disk; any other video goes through
 * ffmpeg (decoded to Y4M gray). `realtime` paces frames at the file's own rate (the Y4M `F` rate, else
 * capture.fps) and skips frames a slow consumer missed, as a live grabber would; without it frames come as fast as
 * the consumer takes them and none is dropped. `loop` starts over at the end (not a disconnection); otherwise the
 * iterable ends with the file.
 */
export class FileFrameSource implements FrameSource {
  readonly name = 'file';
  readonly #deps: FileSourceDeps;
  readonly #reporter: SourceReporter;
  #ffmpeg: SubprocessFrameSource | null = null;
  #dropped = 0;

  constructor(deps: FileSourceDeps) {
    this.#deps = deps;
    const { bus, clock, logger, config, random } = deps;
    this.#reporter = new SourceReporter({ name: this.name, bus, clock, logger, reconnect: config.reconnect, random });
  }

  /** Process id of the ffmpeg decoder when one runs (non-Y4M files). */
  get childPid(): number | null {
    return this.#ffmpeg?.childPid ?? null;
  }

  stats(): FrameSourceStats {
    return this.#ffmpeg ? this.#ffmpeg.stats() : this.#reporter.stats(this.#dropped);
  }

  frames(signal: AbortSignal): AsyncIterable<Frame> {
    const { path } = this.#deps.config.file;
    if (path === '') throw new MyoError('MYO_ERR_CONFIG_INVALID', 'capture.file.path is empty');
    return isY4mPath(path) ? this.#native(signal) : this.#viaFfmpeg().frames(signal);
  }

  #viaFfmpeg(): SubprocessFrameSource {
    if (this.#ffmpeg) return this.#ffmpeg;
    const { config, bus, clock, logger, random } = this.#deps;
    const { path, loop, realtime } = config.file;
    const pipeline = ffmpegFilePipeline({ path, realtime });
    this.#ffmpeg = new SubprocessFrameSource(
      {
        name: this.name,
        command: pipeline.argv,
        output: pipeline.output,
        reconnect: config.reconnect,
        onCleanExit: loop ? 'loop' : 'end',
        delivery: realtime ? 'newest' : 'all',
        preflight: () => requireFile(path),
        random,
      },
      { bus, clock, logger },
    );
    return this.#ffmpeg;
  }

  async *#native(signal: AbortSignal): AsyncGenerator<Frame> {
    const { config, clock, logger } = this.#deps;
    const { path, loop, realtime } = config.file;
    const buffer = new Uint8Array(this.#deps.readChunkBytes ?? 1 << 20);
    let started: number | null = null;
    let index = 0;
    while (!signal.aborted) {
      const parser = new Y4mParser();
      let failure: MyoError | null = null;
      try {
        const handle = await open(path, 'r');
        try {
          for (;;) {
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
            if (bytesRead === 0) break;
            // The parser copies what it keeps, so one read buffer serves the whole file.
            for (const image of parser.push(buffer.subarray(0, bytesRead))) {
              if (realtime) {
                const rate = parser.header?.frameRate;
                const interval = rate ? (1000 * rate.den) / rate.num : 1000 / config.fps;
                const now = clock.now();
                started ??= now;
                const due = started + index * interval;
                index += 1;
                if (now - due > interval) {
                  // The consumer was slow: a live grabber would have moved on, and so do we.
                  this.#reporter.skipped();
                  this.#dropped += 1;
                  continue;
                }
                if (due > now) await delay(due - now, signal);
              }
              yield this.#reporter.frame(image);
            }
          }
        } finally {
          await handle.close();
        }
      } catch (error) {
        if (isAborted(signal)) return;
        failure = toMyoError(error, 'MYO_ERR_CAPTURE_SOURCE');
      }
      if (isAborted(signal)) return;
      if (!failure && parser.frameCount === 0) {
        failure = new MyoError('MYO_ERR_CAPTURE_STREAM', `${path} holds no complete Y4M frame`, { path });
      }
      if (failure) {
        const retryInMs = this.#reporter.disconnected(`${path}: ${failure.message}`, { errorCode: failure.code });
        try {
          await delay(retryInMs, signal);
        } catch {
          return;
        }
        continue;
      }
      if (parser.pendingBytes > 0) logger.warn({ path, pendingBytes: parser.pendingBytes }, 'Y4M file ends inside a frame');
      if (!loop) {
        this.#reporter.ended();
        return;
      }
    }
  }
}

async function requireFile(path: string): Promise<void> {
  try {
    await access(path);
  } catch (error) {
    throw toMyoError(error, 'MYO_ERR_CAPTURE_SOURCE');
  }
}
