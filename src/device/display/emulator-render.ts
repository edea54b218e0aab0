import { createGray, drawText, fillRect, strokeRect, type GrayImage } from '../../imaging/draw.js';
import { CHAR_ADVANCE, GLYPH_HEIGHT, measureText } from '../../imaging/font.js';
import { encodeGrayPng } from '../../imaging/png.js';
import type { ComponentValues } from './display-emulator.js';
import { SCREEN_HEIGHT, SCREEN_WIDTH, type ComponentSpec, type PageSpec } from './hmi-layout.js';

/** What the emulated screen shows: the current page and its components' values. */
export interface EmulatorScreen {
  readonly page: PageSpec;
  readonly values: ReadonlyMap<string, Readonly<ComponentValues>>;
}

/**
 * The screen as one log line: `[page]`, the daemon-written fields in layout order (empty ones left out, numbers
 * with their label), then `|` and the health strip. Labels, buttons and progress bars are not repeated in words.
 */
export function renderScreenText(screen: EmulatorScreen): string {
  const fields: string[] = [];
  const health: string[] = [];
  for (const spec of screen.page.components) {
    const values = screen.values.get(spec.name);
    if (values === undefined || !values.vis) continue;
    if (spec.role === 'health') health.push(`${spec.label} ${values.txt}`);
    else if (spec.role === 'field' && spec.kind === 'text' && values.txt !== '') fields.push(values.txt);
    else if (spec.role === 'field' && spec.kind === 'number') fields.push(`${spec.label} ${values.val}`);
  }
  const main = fields.length === 0 ? `[${screen.page.name}]` : `[${screen.page.name}] ${fields.join('  ')}`;
  return health.length === 0 ? main : `${main}  | ${health.join(' ')}`;
}

/** The screen as the sonographer would see it, in gray: 480x272, each component drawn in its box. */
export function renderScreenPng(screen: EmulatorScreen): Buffer {
  const img = createGray(SCREEN_WIDTH, SCREEN_HEIGHT, 0);
  for (const spec of screen.page.components) {
    const values = screen.values.get(spec.name);
    if (values === undefined || !values.vis) continue;
    drawComponent(img, spec, values);
  }
  return encodeGrayPng(img.data, img.width, img.height);
}

function drawComponent(img: GrayImage, spec: ComponentSpec, values: Readonly<ComponentValues>): void {
  const box = { x: spec.x, y: spec.y, width: spec.w, height: spec.h };
  const background = gray565(values.bco);
  const foreground = gray565(values.pco);
  if (spec.kind === 'progress') {
    fillRect(img, box, background);
    fillRect(img, { ...box, width: Math.round((spec.w * Math.min(100, Math.max(0, values.val))) / 100) }, foreground);
    strokeRect(img, box, 200);
    return;
  }
  if (values.bco !== 0) fillRect(img, box, background);
  if (spec.kind === 'button') strokeRect(img, box, 255);
  const text = spec.kind === 'number' ? String(values.val) : values.txt;
  // Shrink the font until the text fits its box, as a designer would have picked a smaller font.
  let scale = Math.max(1, spec.font);
  while (scale > 1 && (measureText(text, scale).width > spec.w - 4 || GLYPH_HEIGHT * scale > spec.h)) scale -= 1;
  const width = measureText(text, scale).width;
  const x = spec.kind === 'button' ? spec.x + Math.max(2, Math.floor((spec.w - width) / 2)) : spec.x + 2;
  const y = spec.y + Math.max(0, Math.floor((spec.h - GLYPH_HEIGHT * scale) / 2));
  const fits = Math.max(0, Math.floor((spec.w - 4 + scale) / (CHAR_ADVANCE * scale)));
  drawText(img, x, y, text.slice(0, fits), { value: contrast(foreground, values.bco === 0 ? 0 : background), scale });
}

/** Luminance of an RGB565 colour, 0..255. */
export function gray565(rgb565: number): number {
  const r = ((rgb565 >> 11) & 0x1f) / 31;
  const g = ((rgb565 >> 5) & 0x3f) / 63;
  const b = (rgb565 & 0x1f) / 31;
  return Math.round(255 * (0.299 * r + 0.587 * g + 0.114 * b));
}

/** Text gray kept at least a third of the range away from its background, so coloured text stays legible in gray. */
function contrast(foreground: number, background: number): number {
  if (Math.abs(foreground - background) >= 85) return foreground;
  return background < 128 ? 255 : 0;
}
