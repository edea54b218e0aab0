import { Value } from '@sinclair/typebox/value';
import { pino } from 'pino';
import { ConfigSchema, type CaptureConfig } from '../../src/core/config/schema.js';
import type { EventBus } from '../../src/core/event-bus.js';
import type { BusEventName, BusEvents } from '../../src/core/events.js';
import type { Rect } from '../../src/core/frame.js';
import type { Logger } from '../../src/core/logger.js';

/** Overrides for parts of the capture config, one level deep per section. */
export interface CaptureOverrides {
  readonly source?: CaptureConfig['source'];
  readonly fps?: number;
  readonly roi?: Partial<CaptureConfig['roi']>;
  readonly signal?: Partial<CaptureConfig['signal']>;
  readonly reconnect?: Partial<CaptureConfig['reconnect']>;
  readonly phantom?: Partial<CaptureConfig['phantom']>;
  readonly file?: Partial<CaptureConfig['file']>;
  readonly v4l2?: Partial<CaptureConfig['v4l2']>;
}

/** The capture config with schema defaults, then the given overrides. */
export function captureConfig(overrides: CaptureOverrides = {}): CaptureConfig {
  const defaults = (Value.Default(ConfigSchema, {}) as { capture: CaptureConfig }).capture;
  return {
    ...defaults,
    ...(overrides.source ? { source: overrides.source } : {}),
    ...(overrides.fps ? { fps: overrides.fps } : {}),
    roi: { ...defaults.roi, ...overrides.roi },
    signal: { ...defaults.signal, ...overrides.signal },
    reconnect: { ...defaults.reconnect, ...overrides.reconnect },
    phantom: { ...defaults.phantom, ...overrides.phantom },
    file: { ...defaults.file, ...overrides.file },
    v4l2: { ...defaults.v4l2, ...overrides.v4l2 },
  };
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Every payload of `events` emitted on `bus`, in order, with the event name. */
export function recordEvents<K extends BusEventName>(
  bus: EventBus,
  events: readonly K[],
): { name: K; payload: BusEvents[K] }[] {
  const seen: { name: K; payload: BusEvents[K] }[] = [];
  for (const name of events) bus.on(name, (payload) => seen.push({ name, payload }));
  return seen;
}

/** Deterministic uniform [0, 1) generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticScreenOptions {
  readonly width: number;
  readonly height: number;
  /** Bounding box of the fan-shaped (sector) region whose content changes every frame. */
  readonly fan: Rect;
  /** Frame number: drives the speckle and the clock. */
  readonly frame: number;
  /** Freeze the fan content (same speckle every frame). */
  readonly frozen?: boolean;
  /** Frames per clock tick (default 30: a clock that changes once a second at 30 fps). */
  readonly clockEvery?: number;
  /** Where the clock is (default top right). */
  readonly clock?: Rect;
  /** Gray level of the background (default 0). */
  readonly background?: number;
}

/** True when (x, y) is inside the sector inscribed in `fan` (apex at the top middle, 70 degrees wide). */
export function insideSector(fan: Rect, x: number, y: number): boolean {
  const apexX = fan.x + fan.width / 2;
  const dy = y - fan.y;
  if (dy < 0 || dy > fan.height) return false;
  const dx = x - apexX;
  const radius = Math.hypot(dx, dy);
  if (radius > fan.height) return false;
  return Math.abs(dx) <= Math.tan((35 * Math.PI) / 180) * dy + 1 && Math.abs(dx) <= fan.width / 2;
}

/**
 * A stand-in for a scanner screen: black background, static bright text blocks, a clock block whose pattern changes
 * every `clockEvery` frames, and a sector of speckle-like noise that changes every frame (unless frozen).
 */
export function syntheticScreen(options: SyntheticScreenOptions): Uint8Array {
  const { width, height, fan } = options;
  const data = new Uint8Array(width * height).fill(options.background ?? 0);
  const random = seededRandom(options.frozen ? 7 : 1000 + options.frame);
  for (let y = fan.y; y < Math.min(height, fan.y + fan.height); y++) {
    for (let x = fan.x; x < Math.min(width, fan.x + fan.width); x++) {
      if (insideSector(fan, x, y)) data[y * width + x] = 40 + Math.floor(random() * 170);
    }
  }
  // Static text: stripes of "glyphs" along the left edge and the bottom.
  const text = (x0: number, y0: number, w: number, h: number, pattern: number): void => {
    for (let y = y0; y < Math.min(height, y0 + h); y++) {
      for (let x = x0; x < Math.min(width, x0 + w); x++) {
        if (((x >> 2) + (y >> 2) * 3 + pattern) % 5 < 2) data[y * width + x] = 230;
      }
    }
  };
  const unit = Math.max(4, Math.round(height / 60));
  for (let line = 0; line < 6; line++) text(unit, unit * (2 + line * 3), unit * 14, unit * 2, line);
  text(unit * 4, height - unit * 4, Math.round(width * 0.5), unit * 2, 9);
  const clock = options.clock ?? {
    x: width - unit * 16,
    y: unit,
    width: unit * 14,
    height: unit * 3,
  };
  const tick = Math.floor(options.frame / (options.clockEvery ?? 30));
  text(clock.x, clock.y, clock.width, clock.height, tick);
  return data;
}

/** A Y4M stream (header, frames with every chroma plane) as one buffer, for parser and file tests. */
export function y4mBytes(options: {
  readonly width: number;
  readonly height: number;
  readonly frames: readonly Uint8Array[];
  readonly colorSpace?: string;
  readonly headerExtra?: string;
  readonly frameParams?: string;
  readonly rate?: string;
}): Buffer {
  const { width, height, frames } = options;
  const cs = options.colorSpace ?? 'mono';
  const halfW = Math.ceil(width / 2);
  const chroma: Record<string, number> = {
    mono: 0,
    '420jpeg': 2 * halfW * Math.ceil(height / 2),
    '420mpeg2': 2 * halfW * Math.ceil(height / 2),
    '422': 2 * halfW * height,
    '444': 2 * width * height,
  };
  const chromaBytes = chroma[cs];
  if (chromaBytes === undefined) throw new Error(`test helper does not know ${cs}`);
  const parts: Buffer[] = [
    Buffer.from(`YUV4MPEG2 W${width} H${height} F${options.rate ?? '30:1'} Ip A1:1 C${cs}${options.headerExtra ?? ''}\n`),
  ];
  for (const frame of frames) {
    parts.push(Buffer.from(`FRAME${options.frameParams ?? ''}\n`), Buffer.from(frame), Buffer.alloc(chromaBytes, 128));
  }
  return Buffer.concat(parts);
}

/** Splits `bytes` at random points (1 byte up to `max`), as a pipe might. */
export function randomChunks(bytes: Uint8Array, random: () => number, max: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + Math.floor(random() * max);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

/** A gray ramp test image whose every pixel depends on (x, y, index). */
export function patternFrame(width: number, height: number, index: number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x * 7 + y * 13 + index * 31) & 0xff;
  return data;
}

/** Resolves when `predicate` holds, polling every 5 ms; rejects after `timeoutMs` with `what`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** True while a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A logger whose lines (parsed JSON) land in `lines`, for tests that check what was logged. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
