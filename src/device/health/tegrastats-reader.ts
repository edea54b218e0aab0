import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { isAborted } from '../../capture/abort.js';
import { Backoff } from '../../capture/backoff.js';
import { StderrTail } from '../../capture/stderr-tail.js';
import { delay, type Clock } from '../../core/clock.js';
import { MyoError } from '../../core/errors.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';
import { findExecutable } from './executables.js';
import { describeError } from './probed.js';
import { parseTegrastatsLine, type TegrastatsSample } from './tegrastats.js';

export interface TegrastatsReaderOptions {
  /** Default `tegrastats` (on PATH); tests point it at a stand-in script. */
  readonly binary?: string | undefined;
  /** `tegrastats --interval` in ms (default 1000). */
  readonly intervalMs?: number | undefined;
  readonly restart?: { readonly initialDelayMs: number; readonly maxDelayMs: number } | undefined;
  /** SIGTERM, then SIGKILL after this long (default 1000 ms). */
  readonly killGraceMs?: number | undefined;
  readonly random?: (() => number) | undefined;
}

export interface TegrastatsReaderDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly find?: ((name: string) => Promise<string | null>) | undefined;
}

export interface TimedTegrastatsSample {
  readonly sample: TegrastatsSample;
  /** Monotonic ms (clock.now()) when the line arrived. */
  readonly at: number;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/**
 * Runs `tegrastats --interval N` as a supervised child and keeps the newest parsed line. Only where the binary exists:
 * elsewhere start() notes that and the reader stays empty. The child is restarted with backoff whenever it exits
 * (tegrastats dies when another instance runs `--stop`), until stop().
 */
export class TegrastatsReader implements Lifecycle {
  readonly name = 'tegrastats';
  readonly #options: TegrastatsReaderOptions;
  readonly #deps: TegrastatsReaderDeps;
  #latest: TimedTegrastatsSample | null = null;
  #binary: string | null = null;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #child: Child | null = null;
  #linesSeen = 0;
  #linesUnparsed = 0;

  constructor(options: TegrastatsReaderOptions, deps: TegrastatsReaderDeps) {
    this.#options = options;
    this.#deps = deps;
  }

  /** Whether a tegrastats binary was found at start. */
  get available(): boolean {
    return this.#binary !== null;
  }

  get stats(): { readonly lines: number; readonly unparsed: number; readonly childPid: number | null } {
    return { lines: this.#linesSeen, unparsed: this.#linesUnparsed, childPid: this.#child?.pid ?? null };
  }

  /** The newest sample, or null when there is none or it is older than `maxAgeMs` (tegrastats stalled or died). */
  latest(maxAgeMs = Number.POSITIVE_INFINITY): TimedTegrastatsSample | null {
    const latest = this.#latest;
    if (!latest || this.#deps.clock.now() - latest.at > maxAgeMs) return null;
    return latest;
  }

  async start(signal: AbortSignal): Promise<void> {
    if (this.#abort) throw new MyoError('MYO_ERR_LIFECYCLE', 'tegrastats reader started twice');
    signal.throwIfAborted();
    const binary = this.#options.binary ?? 'tegrastats';
    this.#binary = await (this.#deps.find ?? ((name: string) => findExecutable(name)))(binary);
    if (this.#binary === null) {
      this.#deps.logger.info({ binary }, 'tegrastats not found: Jetson readings off');
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = this.#supervise(this.#binary, abort.signal);
  }

  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
    this.#loop = null;
  }

  async #supervise(binary: string, signal: AbortSignal): Promise<void> {
    const restart = this.#options.restart ?? { initialDelayMs: 1000, maxDelayMs: 30_000 };
    const random = this.#options.random;
    const backoff = new Backoff({ ...restart, ...(random ? { random } : {}) });
    const args = ['--interval', String(Math.max(1, Math.round(this.#options.intervalMs ?? 1000)))];
    while (!signal.aborted) {
      const outcome = await this.#runOnce(binary, args, signal, () => backoff.reset());
      if (isAborted(signal)) return;
      const retryInMs = backoff.next();
      this.#deps.logger.warn({ binary, ...outcome, retryInMs }, 'tegrastats exited; restarting');
      try {
        await delay(retryInMs, signal);
      } catch {
        return;
      }
    }
  }

  #runOnce(
    binary: string,
    args: readonly string[],
    signal: AbortSignal,
    onLine: () => void,
  ): Promise<{ code: number | null; exitSignal: NodeJS.Signals | null; error: string | null; stderr: string }> {
    return new Promise((resolve) => {
      const stderr = new StderrTail(5);
      let partial = '';
      let spawnError: string | null = null;
      let killTimer: NodeJS.Timeout | null = null;
      let child: Child;
      try {
        child = spawn(binary, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        resolve({ code: null, exitSignal: null, error: describeError(error), stderr: '' });
        return;
      }
      this.#child = child;
      const stop = (): void => {
        child.kill('SIGTERM');
        killTimer ??= setTimeout(() => child.kill('SIGKILL'), this.#options.killGraceMs ?? 1000);
      };
      signal.addEventListener('abort', stop, { once: true });
      child.on('error', (error) => {
        spawnError ??= describeError(error);
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => stderr.push(text));
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        partial = (lines.pop() ?? '').slice(-8192);
        for (const line of lines) this.#take(line, onLine);
      });
      child.on('close', (code, exitSignal) => {
        if (killTimer) clearTimeout(killTimer);
        signal.removeEventListener('abort', stop);
        if (this.#child === child) this.#child = null;
        resolve({ code, exitSignal, error: spawnError, stderr: stderr.last() });
      });
      if (signal.aborted) stop();
    });
  }

  #take(line: string, onLine: () => void): void {
    if (line.trim() === '') return;
    this.#linesSeen += 1;
    const sample = parseTegrastatsLine(line);
    if (!sample) {
      this.#linesUnparsed += 1;
      // Only the first few: a format this parser does not know would otherwise log every interval.
      if (this.#linesUnparsed <= 3) this.#deps.logger.warn({ line: line.slice(0, 300) }, 'tegrastats line not understood');
      return;
    }
    this.#latest = { sample, at: this.#deps.clock.now() };
    onLine();
  }
}
