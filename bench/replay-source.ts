import type { FrameSource, FrameSourceStats } from '../src/capture/frame-source.js';
import type { Frame } from '../src/core/frame.js';

/**
 * Replays frames rendered beforehand, paced at `fps` against a fixed schedule (slot k due at start + k / fps; a
 * consumer that is late makes slots pass, counted as drops). It stands in for an HDMI grabber in the pipeline
 * benchmark: the phantom renders its cine loops on the main thread, in the slack between frames, which is the
 * demo's cost and not the appliance's, so it is paid before the measurement starts.
 */
export class ReplaySource implements FrameSource {
  readonly name = 'replay';
  readonly #frames: readonly { width: number; height: number; data: Uint8Array }[];
  readonly #fps: number;
  #produced = 0;
  #dropped = 0;

  constructor(frames: readonly { width: number; height: number; data: Uint8Array }[], fps: number) {
    if (frames.length === 0) throw new Error('nothing to replay');
    this.#frames = frames;
    this.#fps = fps;
  }

  stats(): FrameSourceStats {
    return { produced: this.#produced, dropped: this.#dropped, connects: 1, connected: true };
  }

  async *frames(signal: AbortSignal): AsyncGenerator<Frame> {
    const period = 1000 / this.#fps;
    const start = performance.now();
    let slot = 0;
    while (!signal.aborted) {
      const due = start + slot * period;
      const now = performance.now();
      if (now - due > period) {
        const target = Math.floor((now - start) / period);
        this.#dropped += target - slot;
        slot = target;
        continue;
      }
      if (due > now) await new Promise((resolve) => setTimeout(resolve, due - now));
      const image = this.#frames[slot % this.#frames.length];
      if (!image) return;
      this.#produced += 1;
      yield { seq: slot, capturedAt: performance.now(), width: image.width, height: image.height, format: 'gray8', data: image.data };
      slot += 1;
    }
  }
}
