import type { Rect } from '../../core/frame.js';
import {
  createGray,
  drawLine,
  drawText,
  fillCircle,
  fillGradient,
  fillRect,
  fillTriangle,
  strokeRect,
  type GrayImage,
} from '../../imaging/draw.js';
import { measureText } from '../../imaging/font.js';
import {
  fanBox,
  layoutSpec,
  screenTransform,
  toScreenBox,
  toScreenX,
  toScreenY,
  toTextScale,
  type LayoutName,
  type LayoutSpec,
  type ScreenTransform,
  type TextAnchor,
} from './screen-layout.js';

/**
 * The parts of the scanner screen that change at most once per exam: header, parameter column, gray bar, TGC curve,
 * depth scale with focus marker, soft keys. Drawn once into a background that the compositor copies every frame.
 */
export interface ScreenParams {
  /** Shown as "Study 0007"; the phantom shows no patient data, only this counter and "ANON". */
  readonly studyNumber: number;
  readonly probe: string;
  readonly preset: string;
  readonly frequencyMHz: number;
  readonly gainDb: number;
  readonly depthCm: number;
  readonly focusCm: number;
  readonly dynamicRangeDb: number;
  readonly frameRateHz: number;
  /** TGC slider offsets (dB) from the face to the full depth. */
  readonly tgcDb: readonly number[];
  /** Probe-face radius over (probe radius + depth): where depth 0 lies below the apex, as a fraction of the radius. */
  readonly faceFraction: number;
}

/** Gray levels of the overlay, as scanners draw it: bright text, dimmer labels and rules. */
export const INK = { text: 225, label: 150, dim: 90, rule: 60, panel: 18 } as const;

/** The per-frame text fields; the compositor clears and redraws only these boxes. */
export const CLOCK_TEMPLATE = '00:00:00';
export const STATUS_TEMPLATE = 'FREEZE';
export const COUNTER_TEMPLATE = 'Frm 0000000';

export function anchorText(t: ScreenTransform, anchor: TextAnchor): { x: number; y: number; scale: number } {
  return { x: toScreenX(t, anchor.x), y: toScreenY(t, anchor.y), scale: toTextScale(t, anchor.scale) };
}

/** The box a text field of `template`'s length occupies at `anchor`, with one font pixel of margin, on screen. */
export function fieldRect(t: ScreenTransform, anchor: TextAnchor, template: string): Rect {
  const a = anchorText(t, anchor);
  const size = measureText(template, a.scale);
  const x0 = Math.max(0, a.x - a.scale);
  const y0 = Math.max(0, a.y - a.scale);
  const x1 = Math.min(t.width, a.x + size.width + a.scale);
  const y1 = Math.min(t.height, a.y + size.height + a.scale);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/** Every screen area that may change from one frame to the next, besides the fan box. */
export function dynamicRects(layout: LayoutName, width: number, height: number): Rect[] {
  const t = screenTransform(width, height);
  const spec = layoutSpec(layout);
  return [
    fieldRect(t, spec.clock, CLOCK_TEMPLATE),
    fieldRect(t, spec.status, STATUS_TEMPLATE),
    fieldRect(t, spec.counter, COUNTER_TEMPLATE),
  ];
}

export function drawScreenBackground(layout: LayoutName, width: number, height: number, params: ScreenParams): GrayImage {
  const t = screenTransform(width, height);
  const spec = layoutSpec(layout);
  const img = createGray(width, height);
  const text = (anchor: TextAnchor, value: string, ink: number, dy = 0): void => {
    const a = anchorText(t, anchor);
    drawText(img, a.x, a.y + Math.round(dy * t.scale), value, { value: ink, scale: a.scale });
  };

  for (const [x0, y0, x1, y1] of spec.rules) {
    drawLine(img, toScreenX(t, x0), toScreenY(t, y0), toScreenX(t, x1), toScreenY(t, y1), INK.rule);
  }

  text(spec.title, 'PHANTOM US', INK.text);
  text({ ...spec.title, scale: Math.max(1, spec.title.scale - 1) }, 'myoscreen demo scanner', INK.dim, spec.title.scale * 10);
  text(spec.patient, `ANON    Study ${String(params.studyNumber % 10000).padStart(4, '0')}`, INK.text);
  text(spec.patient, 'ID ----------', INK.label, spec.patient.scale * 11);
  const mi = Math.min(1.9, 0.4 + 0.06 * params.frequencyMHz + 0.02 * params.gainDb).toFixed(1);
  const tis = Math.max(0.1, 0.05 * params.frequencyMHz - 0.05).toFixed(1);
  text(spec.probe, `${params.probe}  ${params.preset}`, INK.text);
  text(spec.probe, `MI ${mi}  TIs ${tis}`, INK.label, spec.probe.scale * 11);

  const gain = Math.round(50 + params.gainDb);
  const lines = [
    ['B', ''],
    ['Frq', `${params.frequencyMHz.toFixed(1)} MHz`],
    ['Gn', String(gain)],
    ['D', `${params.depthCm.toFixed(1)} cm`],
    ['DR', String(Math.round(params.dynamicRangeDb))],
    ['FR', `${Math.round(params.frameRateHz)} Hz`],
    ['Foc', `${params.focusCm.toFixed(1)} cm`],
    ['AO', '100%'],
    ['Map', 'G/3'],
    ['Pers', '2'],
  ] as const;
  lines.forEach(([label, value], i) => {
    const dy = i * spec.params.scale * 13;
    text(spec.params, label, i === 0 ? INK.text : INK.label, dy);
    text({ ...spec.params, x: spec.params.x + spec.params.scale * 30 }, value, INK.text, dy);
  });

  drawGrayBar(img, t, spec);
  drawTgc(img, t, spec, params.tgcDb);
  drawDepthScale(img, t, spec, params);
  drawSoftKeys(img, t, spec);
  const footer = anchorText(t, { ...spec.counter, y: spec.counter.y + 30, scale: 1 });
  drawText(img, footer.x, footer.y, 'PHANTOM - NO PATIENT DATA', { value: INK.dim, scale: footer.scale });
  return img;
}

function drawGrayBar(img: GrayImage, t: ScreenTransform, spec: LayoutSpec): void {
  const box = toScreenBox(t, spec.grayBar);
  fillGradient(img, box, 255, 0, 'vertical');
  strokeRect(img, { x: box.x - 1, y: box.y - 1, width: box.width + 2, height: box.height + 2 }, INK.dim);
  const tick = Math.max(2, Math.round(6 * t.scale));
  for (let i = 0; i <= 4; i++) {
    const y = box.y + Math.round(((box.height - 1) * i) / 4);
    drawLine(img, box.x + box.width + 2, y, box.x + box.width + 1 + tick, y, INK.label);
  }
}

function drawTgc(img: GrayImage, t: ScreenTransform, spec: LayoutSpec, tgcDb: readonly number[]): void {
  const box = toScreenBox(t, spec.tgc);
  const scale = toTextScale(t, 2);
  drawText(img, box.x, box.y - 12 * scale, 'TGC', { value: INK.label, scale });
  strokeRect(img, box, INK.rule);
  const cx = box.x + Math.round(box.width / 2);
  for (let y = box.y + 2; y < box.y + box.height - 2; y += Math.max(3, Math.round(8 * t.scale))) {
    img.data[y * img.width + cx] = INK.dim;
  }
  // The curve passes through one point per slider and is interpolated linearly between them.
  const n = Math.max(2, tgcDb.length);
  const xAt = (db: number): number => cx + Math.round((db / 8) * (box.width / 2 - 6));
  const yAt = (i: number): number => box.y + 6 + Math.round(((box.height - 12) * i) / (n - 1));
  for (let i = 0; i < n; i++) {
    const db = tgcDb[i] ?? 0;
    const x = xAt(db);
    const y = yAt(i);
    if (i > 0) drawLine(img, xAt(tgcDb[i - 1] ?? 0), yAt(i - 1), x, y, INK.text, Math.max(1, Math.round(2 * t.scale)));
    fillCircle(img, x, y, Math.max(2, 4 * t.scale), INK.text);
  }
}

function drawDepthScale(img: GrayImage, t: ScreenTransform, spec: LayoutSpec, params: ScreenParams): void {
  const box = fanBox(spec.name, img.width, img.height);
  const outer = box.height * 0.97;
  const face = outer * params.faceFraction;
  const pxPerCm = (outer - face) / params.depthCm;
  const right = spec.depthScale === 'right';
  const gap = Math.round(14 * t.scale);
  const x = right ? box.x + box.width + gap : box.x - gap;
  const dir = right ? 1 : -1;
  const y0 = box.y + Math.round(face);
  const y1 = box.y + Math.round(outer);
  drawLine(img, x, y0, x, y1, INK.dim);
  const scale = toTextScale(t, 2);
  const long = Math.round(14 * t.scale);
  const short = Math.round(7 * t.scale);
  for (let cm = 0; cm <= Math.floor(params.depthCm + 1e-9); cm++) {
    const y = y0 + Math.round(cm * pxPerCm);
    const major = cm % 5 === 0;
    drawLine(img, x, y, x + dir * (major ? long : short), y, major ? INK.text : INK.label, major ? 2 : 1);
    if (cm % 2 === 0 || major) {
      const label = String(cm);
      const w = measureText(label, scale).width;
      const lx = right ? x + long + 4 * scale : x - long - 4 * scale - w;
      drawText(img, lx, y - 4 * scale, label, { value: major ? INK.text : INK.label, scale });
    }
  }
  const unit = toTextScale(t, 2);
  drawText(img, right ? x : x - measureText('cm', unit).width, y1 + 8 * unit, 'cm', { value: INK.label, scale: unit });
  // Focus marker: a small triangle beside the scale, pointing at the image.
  const fy = y0 + Math.round(params.focusCm * pxPerCm);
  const s = Math.max(4, Math.round(9 * t.scale));
  const tipX = x - dir * Math.round(4 * t.scale);
  fillTriangle(img, [tipX, fy], [tipX + dir * s, fy - s / 1.4], [tipX + dir * s, fy + s / 1.4], INK.text);
  // Orientation mark beside the top of the image, on the side away from the scale.
  const markX = right ? box.x - Math.round(18 * t.scale) : box.x + box.width + Math.round(18 * t.scale);
  fillCircle(img, markX, box.y + Math.round(14 * t.scale), Math.max(2, 7 * t.scale), INK.text);
}

function drawSoftKeys(img: GrayImage, t: ScreenTransform, spec: LayoutSpec): void {
  const k = spec.softKeys;
  const scale = toTextScale(t, 2);
  k.labels.forEach((label, i) => {
    const box = toScreenBox(t, { x: k.x + i * k.dx, y: k.y + i * k.dy, width: k.width, height: k.height });
    fillRect(img, box, INK.panel);
    strokeRect(img, box, INK.dim);
    const size = measureText(label, scale);
    drawText(img, box.x + Math.round((box.width - size.width) / 2), box.y + Math.round((box.height - size.height) / 2), label, {
      value: INK.label,
      scale,
    });
  });
}
