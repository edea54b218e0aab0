import type { Rect } from '../../core/frame.js';
import { MyoError } from '../../core/errors.js';
import { drawText, fillRect, type GrayImage } from '../../imaging/draw.js';
import { fanBox, layoutSpec, screenTransform, type LayoutName, type ScreenTransform } from './screen-layout.js';
import {
  INK,
  STATUS_TEMPLATE,
  anchorText,
  drawScreenBackground,
  fieldRect,
  type ScreenParams,
} from './screen-static.js';

/** What changes on screen every frame besides the fan image. */
export interface ScreenOverlay {
  /** Wall-clock epoch ms; the clock shows local hh:mm:ss so static text changes every second, as on a scanner. */
  readonly wallTimeMs: number;
  /** The source's running frame number. */
  readonly frameNumber: number;
  /** The freeze button is on: "FREEZE" is shown. */
  readonly frozen: boolean;
}

/**
 * Composes the scanner screen: a cached background (re-drawn only when the exam's parameters change), the fan image
 * copied row by row into its box, and the few dynamic text fields. No per-pixel work outside the fan box, so a
 * 1080p frame costs about two buffer copies.
 */
export class ScreenCompositor {
  readonly layout: LayoutName;
  readonly width: number;
  readonly height: number;
  readonly fanBox: Rect;
  readonly #transform: ScreenTransform;
  #background: GrayImage | null = null;
  #paramsKey = '';

  constructor(layout: LayoutName, width: number, height: number) {
    layoutSpec(layout);
    this.layout = layout;
    this.width = width;
    this.height = height;
    this.#transform = screenTransform(width, height);
    this.fanBox = fanBox(layout, width, height);
    if (this.fanBox.x + this.fanBox.width > width || this.fanBox.y + this.fanBox.height > height) {
      throw new MyoError('MYO_ERR_INTERNAL', 'fan box does not fit the screen', { layout, width, height });
    }
  }

  /** Sets the exam parameters shown on screen; redraws the background only when they differ from the last ones. */
  setParams(params: ScreenParams): void {
    const key = JSON.stringify(params);
    if (key === this.#paramsKey && this.#background) return;
    this.#background = drawScreenBackground(this.layout, this.width, this.height, params);
    this.#paramsKey = key;
  }

  /**
   * One screen. `fan` must be exactly fan-box sized (or null for an empty box); the result is a new buffer unless
   * `out` (width*height bytes) is given, in which case it is overwritten and returned.
   */
  compose(fan: GrayImage | null, overlay: ScreenOverlay, out?: Uint8Array): Uint8Array {
    const bg = this.#background;
    if (!bg) throw new MyoError('MYO_ERR_NOT_READY', 'screen parameters were never set');
    const box = this.fanBox;
    if (fan && (fan.width !== box.width || fan.height !== box.height)) {
      throw new MyoError('MYO_ERR_INTERNAL', 'fan image does not match the fan box', {
        fan: `${fan.width}x${fan.height}`,
        box: `${box.width}x${box.height}`,
      });
    }
    const data = out ?? new Uint8Array(this.width * this.height);
    data.set(bg.data);
    if (fan) {
      for (let row = 0; row < box.height; row++) {
        const s = row * box.width;
        data.set(fan.data.subarray(s, s + box.width), (box.y + row) * this.width + box.x);
      }
    }
    const img: GrayImage = { width: this.width, height: this.height, data };
    this.#drawOverlay(img, overlay);
    return data;
  }

  #drawOverlay(img: GrayImage, overlay: ScreenOverlay): void {
    const t = this.#transform;
    const spec = layoutSpec(this.layout);
    const clock = anchorText(t, spec.clock);
    drawText(img, clock.x, clock.y, formatClock(overlay.wallTimeMs), { value: INK.text, scale: clock.scale });
    const counter = anchorText(t, spec.counter);
    const n = String(Math.max(0, Math.floor(overlay.frameNumber)) % 10_000_000).padStart(7, '0');
    drawText(img, counter.x, counter.y, `Frm ${n}`, { value: INK.label, scale: counter.scale });
    if (overlay.frozen) {
      // Inverse video, as scanners flag a frozen image.
      fillRect(img, fieldRect(t, spec.status, STATUS_TEMPLATE), INK.text);
      const status = anchorText(t, spec.status);
      drawText(img, status.x, status.y, STATUS_TEMPLATE, { value: 0, scale: status.scale });
    }
  }
}

/** Local time of day as hh:mm:ss (no date: the screen shows no more than a scanner needs). */
export function formatClock(wallTimeMs: number): string {
  const d = new Date(wallTimeMs);
  const pad = (v: number): string => String(v).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

