import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { delay, type Clock } from '../core/clock.js';
import { MyoError, toMyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Frame } from '../core/frame.js';
import type { Logger } from '../core/logger.js';
import { FrameHandoff } from './frame-handoff.js';
import type { FrameSource, FrameSourceStats } from './frame-source.js';
import type { FrameStreamParser, GrayImage } from './gray-frame.js';
import { RawFrameParser, type RawFrameGeometry } from './raw-frame-parser.js';
import { SourceReporter } from './source-reporter.js';
import { StderrTail } from './stderr-tail.js';
import { Y4mParser } from './y4m-parser.js';
import { isAborted } from './abort.js';

/** What the subprocess writes on stdout: self-describing Y4M, or headerless gray frames of a known geometry. */
export type SubprocessOutput = { readonly format: 'y4m' } | ({ readonly format: 'raw' } & RawFrameGeometry);

export interface SubprocessSourceOptions {
  /** `file` or `v4l2`: names the source in events, logs and metrics. */
  readonly name: string;
  /** argv of the capture command (argv[0] is looked up on PATH); no shell is involved. */
  readonly command: readonly string[];
  readonly output: SubprocessOutput;
  readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /**
   * What an exit with status 0 means. `disconnect`: a live device must never end, so it is a loss like any other;
   * `end`: the stream is over, the iterable ends; `loop`: run the command again at once (a looping file).
   */
  readonly onCleanExit: 'disconnect' | 'end' | 'loop';
  /** `newest` drains the pipe continuously and keeps only the newest frame (live); `all` pauses the pipe instead. */
  readonly delivery: 'newest' | 'all';
  /** Runs before each spawn; throwing counts as a failed attempt (e.g. the capture device node is missing). */
  readonly preflight?: (() => Promise<void>) | undefined;
  /** SIGTERM, then SIGKILL after this long (default 1000 ms). */
  readonly killGraceMs?: number | undefined;
  /** Jitter source for the reconnect backoff (tests pin it). */
  readonly random?: (() => number) | undefined;
}

export interface SubprocessSourceDeps {
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface RunOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly frames: number;
  readonly error: MyoError | null;
  readonly stderr: string[];
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/**
 * A FrameSource fed by a capture subprocess (ffmpeg or GStreamer reading V4L2, ffmpeg decoding a file): spawns the
 * argv, parses stdout into frames, and restarts the command with exponential backoff and jitter whenever it exits,
 * fails to spawn or writes a malformed stream, until the consumer's signal aborts. The child runs in its own process
 * group so a wrapper script's children die with it; stop sends SIGTERM, then SIGKILL after a grace period.
 */
export class SubprocessFrameSource implements FrameSource {
  readonly name: string;
  readonly #options: SubprocessSourceOptions;
  readonly #deps: SubprocessSourceDeps;
  readonly #reporter: SourceReporter;
  #child: Child | null = null;
  #handoff: FrameHandoff | null = null;
  #droppedBefore = 0;

  constructor(options: SubprocessSourceOptions, deps: SubprocessSourceDeps) {
    if (options.command.length === 0 || options.command[0] === '') {
      throw new MyoError('MYO_ERR_CAPTURE_SPAWN', `capture source ${options.name} has an empty command`);
    }
    this.name = options.name;
    this.#options = options;
    this.#deps = deps;
    this.#reporter = new SourceReporter({ name: options.name, reconnect: options.reconnect, random: options.random, ...deps });
  }

  /** Process id of the running capture command, for diagnostics (and tests that pull the plug). */
  get childPid(): number | null {
    return this.#child?.pid ?? null;
  }

  stats(): FrameSourceStats {
    return this.#reporter.stats(this.#droppedBefore + (this.#handoff?.dropped ?? 0));
  }

  async *frames(signal: AbortSignal): AsyncGenerator<Frame> {
    if (signal.aborted) return;
    const inner = new AbortController();
    const onAbort = (): void => inner.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const handoff = new FrameHandoff(this.#options.delivery);
    this.#handoff = handoff;
    const supervisor = this.#supervise(inner.signal, handoff).then(
      () => handoff.end(),
      (error: unknown) => handoff.end(error),
    );
    try {
      for (;;) {
        let frame: Frame | null;
        try {
          frame = await handoff.next(inner.signal);
        } catch (error) {
          if (inner.signal.aborted) return;
          throw error;
        }
        if (!frame) return;
        yield frame;
      }
    } finally {
      inner.abort();
      signal.removeEventListener('abort', onAbort);
      await supervisor;
      this.#droppedBefore += handoff.dropped;
      if (this.#handoff === handoff) this.#handoff = null;
    }
  }

  async #supervise(signal: AbortSignal, handoff: FrameHandoff): Promise<void> {
    const { onCleanExit, preflight } = this.#options;
    while (!signal.aborted) {
      let outcome: RunOutcome;
      try {
        await preflight?.();
        outcome = await this.#runOnce(signal, handoff);
      } catch (error) {
        outcome = { code: null, signal: null, frames: 0, error: toMyoError(error, 'MYO_ERR_CAPTURE_SOURCE'), stderr: [] };
      }
      if (isAborted(signal)) return;
      const clean = outcome.error === null && outcome.code === 0;
      if (clean && onCleanExit === 'end') {
        this.#reporter.ended();
        return;
      }
      if (clean && onCleanExit === 'loop' && outcome.frames > 0) continue;
      const reason = this.#describe(outcome);
      const retryInMs = this.#reporter.disconnected(reason, {
        code: outcome.code,
        signal: outcome.signal,
        stderr: outcome.stderr,
        errorCode: outcome.error?.code,
      });
      try {
        await delay(retryInMs, signal);
      } catch {
        return;
      }
    }
  }

  #describe(outcome: RunOutcome): string {
    const program = this.#options.command[0] ?? '?';
    let reason: string;
    if (outcome.error) reason = outcome.error.message;
    else if (outcome.signal) reason = `${program} was killed by ${outcome.signal}`;
    else if (outcome.code === 0) reason = `${program} exited${outcome.frames === 0 ? ' without a frame' : ''}`;
    else reason = `${program} exited with code ${outcome.code ?? '?'}`;
    const last = outcome.stderr[outcome.stderr.length - 1];
    return last && !outcome.error ? `${reason}: ${last}` : reason;
  }

  #parser(): FrameStreamParser {
    const output = this.#options.output;
    return output.format === 'y4m' ? new Y4mParser() : new RawFrameParser(output);
  }

  #runOnce(signal: AbortSignal, handoff: FrameHandoff): Promise<RunOutcome> {
    const [program = '', ...args] = this.#options.command;
    const parser = this.#parser();
    const stderr = new StderrTail();
    const grace = this.#options.killGraceMs ?? 1000;
    return new Promise<RunOutcome>((resolve) => {
      let frames = 0;
      let failure: MyoError | null = null;
      let settled = false;
      let killTimer: NodeJS.Timeout | null = null;
      let child: Child;
      try {
        child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      } catch (error) {
        resolve({ code: null, signal: null, frames: 0, error: spawnError(program, error), stderr: [] });
        return;
      }
      this.#child = child;
      const signalGroup = (name: NodeJS.Signals): void => {
        const pid = child.pid;
        if (pid === undefined) return;
        try {
          process.kill(-pid, name);
        } catch {
          // The group is already gone.
        }
      };
      const stop = (): void => {
        // A paused pipe never reaches 'close': let it flow (and be ignored) while the child dies.
        child.stdout.resume();
        signalGroup('SIGTERM');
        killTimer ??= setTimeout(() => signalGroup('SIGKILL'), grace);
      };
      const finish = (code: number | null, exitSignal: NodeJS.Signals | null): void => {
        if (settled) return;
        settled = true;
        if (killTimer) clearTimeout(killTimer);
        signal.removeEventListener('abort', stop);
        handoff.onDrain = null;
        if (this.#child === child) this.#child = null;
        if (parser.pendingBytes > 0 && !failure && !signal.aborted) {
          this.#deps.logger.debug({ source: this.name, pendingBytes: parser.pendingBytes }, 'stream ended inside a frame');
        }
        resolve({ code, signal: exitSignal, frames, error: failure, stderr: stderr.lines() });
      };
      signal.addEventListener('abort', stop, { once: true });
      child.on('error', (error) => {
        failure ??= spawnError(program, error);
        if (child.pid === undefined) finish(null, null);
      });
      child.on('exit', () => {
        // Leftovers of a wrapper script could hold the pipe open and keep 'close' from ever firing.
        signalGroup('SIGKILL');
      });
      child.on('close', finish);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => stderr.push(text));
      child.stdout.on('data', (chunk: Buffer) => {
        if (failure || signal.aborted) return;
        let images: GrayImage[];
        try {
          images = parser.push(chunk);
        } catch (error) {
          failure = toMyoError(error, 'MYO_ERR_CAPTURE_STREAM');
          stop();
          return;
        }
        for (const image of images) {
          frames += 1;
          handoff.push(this.#reporter.frame(image));
        }
        if (this.#options.delivery === 'all' && handoff.waiting > 0) {
          child.stdout.pause();
          handoff.onDrain = () => {
            if (!settled) child.stdout.resume();
          };
        }
      });
      if (signal.aborted) stop();
    });
  }
}

function spawnError(program: string, error: unknown): MyoError {
  const message = error instanceof Error ? error.message : String(error);
  return new MyoError('MYO_ERR_CAPTURE_SPAWN', `cannot start ${program}: ${message}`, { program }, { cause: error });
}
