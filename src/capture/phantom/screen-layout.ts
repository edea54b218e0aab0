import type { Rect } from '../../core/frame.js';
import { MyoError } from '../../core/errors.js';
import { FAN_RADIUS_FRACTION } from './fan-geometry.js';

/**
 * The phantom scanner's screen layouts, as data. Positions are in a 1920x1080 design space and scaled uniformly
 * (letterboxed) to the configured output size, so the same layout works at 720p, 1080p or 4K. The layouts put the
 * fan at clearly different places and sizes because ROI detection is tested on them.
 */
export type LayoutName = 'standard' | 'compact' | 'wide';
export const LAYOUT_NAMES: readonly LayoutName[] = ['standard', 'compact', 'wide'];

export const DESIGN_WIDTH = 1920;
export const DESIGN_HEIGHT = 1080;

/** Where a piece of text goes and its font magnification at 1080p. */
export interface TextAnchor {
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

export interface DesignBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutSpec {
  readonly name: LayoutName;
  /** The square box the rendered fan image is scaled into; the probe's virtual apex is its top centre. */
  readonly fan: { readonly x: number; readonly y: number; readonly size: number };
  /** The sector preset this "scanner" uses, whatever the case drew: fixes the fan's outline on screen. */
  readonly sectorDeg: number;
  /** Side of the fan box that carries the depth scale (and the focus marker). */
  readonly depthScale: 'left' | 'right';
  readonly title: TextAnchor;
  /** Anonymous patient placeholder and study counter: the phantom never shows names. */
  readonly patient: TextAnchor;
  /** Probe, preset and acoustic output line. */
  readonly probe: TextAnchor;
  readonly clock: TextAnchor;
  /** The parameter column (frequency, gain, depth, dynamic range, frame rate, ...). */
  readonly params: TextAnchor;
  readonly grayBar: DesignBox;
  readonly tgc: DesignBox;
  /** LIVE / FREEZE indicator. */
  readonly status: TextAnchor;
  /** Running frame counter. */
  readonly counter: TextAnchor;
  /** Soft-key buttons: boxes laid out from `x, y`, stepping by `dx, dy`. */
  readonly softKeys: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly dx: number;
    readonly dy: number;
    readonly labels: readonly string[];
  };
  /** Thin separator lines (x0, y0, x1, y1). */
  readonly rules: readonly (readonly [number, number, number, number])[];
}

const KEYS = ['Depth', 'Gain', 'Focus', 'Zoom', 'Cine', 'Measure', 'Report'] as const;

const LAYOUTS: Readonly<Record<LayoutName, LayoutSpec>> = {
  // A cart scanner: header across the top, parameters on the left, image in the middle, TGC on the right.
  standard: {
    name: 'standard',
    fan: { x: 530, y: 96, size: 860 },
    sectorDeg: 150,
    depthScale: 'right',
    title: { x: 36, y: 20, scale: 3 },
    patient: { x: 520, y: 26, scale: 2 },
    probe: { x: 1010, y: 26, scale: 2 },
    clock: { x: 1700, y: 22, scale: 3 },
    params: { x: 40, y: 130, scale: 2 },
    grayBar: { x: 1480, y: 120, width: 18, height: 256 },
    tgc: { x: 1600, y: 120, width: 160, height: 560 },
    status: { x: 40, y: 900, scale: 3 },
    counter: { x: 40, y: 950, scale: 2 },
    softKeys: { x: 530, y: 1016, width: 150, height: 44, dx: 170, dy: 0, labels: KEYS.slice(0, 6) },
    rules: [
      [0, 70, 1920, 70],
      [0, 1000, 1920, 1000],
      [470, 70, 470, 1000],
    ],
  },
  // A laptop-style portable: small image at the upper left, a large control panel on the right.
  compact: {
    name: 'compact',
    fan: { x: 80, y: 180, size: 600 },
    sectorDeg: 150,
    depthScale: 'right',
    title: { x: 40, y: 24, scale: 2 },
    patient: { x: 40, y: 70, scale: 2 },
    probe: { x: 40, y: 120, scale: 2 },
    clock: { x: 1740, y: 24, scale: 2 },
    params: { x: 1100, y: 180, scale: 3 },
    grayBar: { x: 770, y: 190, width: 14, height: 200 },
    tgc: { x: 820, y: 190, width: 120, height: 420 },
    status: { x: 80, y: 850, scale: 3 },
    counter: { x: 80, y: 900, scale: 2 },
    softKeys: { x: 1100, y: 640, width: 240, height: 60, dx: 0, dy: 76, labels: KEYS.slice(0, 5) },
    rules: [
      [0, 160, 1040, 160],
      [1040, 0, 1040, 1080],
    ],
  },
  // A wide-screen console: a large image on the right, text and widgets on the left.
  wide: {
    name: 'wide',
    fan: { x: 900, y: 56, size: 960 },
    sectorDeg: 150,
    depthScale: 'left',
    title: { x: 40, y: 24, scale: 3 },
    patient: { x: 40, y: 80, scale: 2 },
    probe: { x: 40, y: 130, scale: 2 },
    clock: { x: 40, y: 1010, scale: 3 },
    params: { x: 40, y: 200, scale: 2 },
    grayBar: { x: 360, y: 200, width: 18, height: 300 },
    tgc: { x: 560, y: 200, width: 170, height: 620 },
    status: { x: 360, y: 1010, scale: 3 },
    counter: { x: 600, y: 1018, scale: 2 },
    softKeys: { x: 40, y: 560, width: 260, height: 48, dx: 0, dy: 62, labels: KEYS },
    rules: [
      [0, 180, 780, 180],
      [0, 990, 780, 990],
      [780, 0, 780, 1080],
    ],
  },
};

export function layoutSpec(name: LayoutName): LayoutSpec {
  const spec = (LAYOUTS as Partial<Record<string, LayoutSpec>>)[name];
  if (!spec) throw new MyoError('MYO_ERR_PHANTOM_PARAMS', `unknown phantom screen layout '${name}'`, { name });
  return spec;
}

/** Design-space to screen mapping: uniform scale, content centred (letterboxed) in the output. */
export interface ScreenTransform {
  readonly width: number;
  readonly height: number;
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

export function screenTransform(width: number, height: number): ScreenTransform {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 64 || height < 36) {
    throw new MyoError('MYO_ERR_PHANTOM_PARAMS', `screen size must be at least 64x36, got ${width}x${height}`, {
      width,
      height,
    });
  }
  const scale = Math.min(width / DESIGN_WIDTH, height / DESIGN_HEIGHT);
  return {
    width,
    height,
    scale,
    offsetX: Math.floor((width - DESIGN_WIDTH * scale) / 2),
    offsetY: Math.floor((height - DESIGN_HEIGHT * scale) / 2),
  };
}

export function toScreenX(t: ScreenTransform, x: number): number {
  return t.offsetX + Math.round(x * t.scale);
}

export function toScreenY(t: ScreenTransform, y: number): number {
  return t.offsetY + Math.round(y * t.scale);
}

export function toScreenBox(t: ScreenTransform, box: DesignBox): Rect {
  const x = toScreenX(t, box.x);
  const y = toScreenY(t, box.y);
  return { x, y, width: toScreenX(t, box.x + box.width) - x, height: toScreenY(t, box.y + box.height) - y };
}

/** Integer font magnification for a design-space scale (at least 1 so text stays legible when downscaled). */
export function toTextScale(t: ScreenTransform, designScale: number): number {
  return Math.max(1, Math.round(designScale * t.scale));
}

/** The fan box on screen: a square, so the rendered fan keeps the aspect it was trained on. */
export function fanBox(name: LayoutName, width: number, height: number): Rect {
  const t = screenTransform(width, height);
  const f = layoutSpec(name).fan;
  const x = toScreenX(t, f.x);
  const y = toScreenY(t, f.y);
  const size = Math.max(16, Math.round(f.size * t.scale));
  return { x, y, width: size, height: size };
}

/**
 * Nominal probe radius and imaging depth (cm) used to place the top edge of the ground-truth ROI. The real top edge
 * (the probe face arc at the sector's edges) moves with each case's probe radius and depth by about +-1 % of the
 * fan's height; the sides and the bottom do not move.
 */
const NOMINAL_PROBE_RADIUS_CM = 0.95;
const NOMINAL_DEPTH_CM = 9;

/**
 * Ground truth for ROI detection: the bounding rectangle of the fan (the moving image region) on a screen of
 * `width` x `height` drawn with layout `name`. The sector is wide enough that the square box clips it at both
 * sides, so the fan spans the box's full width; it reaches down to the full radius below the apex.
 */
export function fanRect(name: LayoutName, width: number, height: number): Rect {
  const box = fanBox(name, width, height);
  const halfAngle = (layoutSpec(name).sectorDeg * Math.PI) / 360;
  const outer = box.height * FAN_RADIUS_FRACTION;
  const inner = (outer * NOMINAL_PROBE_RADIUS_CM) / (NOMINAL_PROBE_RADIUS_CM + NOMINAL_DEPTH_CM);
  // Topmost fan pixel: the probe-face arc where it meets the sector edge (or the box side, whichever is higher).
  const edgeAngle = Math.min(halfAngle, Math.PI / 2);
  const top = Math.floor(inner * Math.cos(edgeAngle));
  const bottom = Math.ceil(outer);
  const halfSpan = Math.min(box.width / 2, outer * Math.sin(edgeAngle));
  const left = Math.floor(box.width / 2 - halfSpan);
  return {
    x: box.x + left,
    y: box.y + top,
    width: Math.min(box.width, Math.ceil(box.width / 2 + halfSpan)) - left,
    height: Math.min(box.height, bottom) - top,
  };
}
