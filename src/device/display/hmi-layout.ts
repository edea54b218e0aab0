import type { HealthIcons, PageName } from './display-state.js';
import { rgb565 } from './nextion-instructions.js';

/**
 * The HMI design the daemon expects on the display: pages in id order, each page's components with their id, kind,
 * place on the 480x272 screen, design-time values and text capacity. The real Nextion project (built in the Nextion
 * editor) must match the names, ids and capacities here; the emulator is built from this same table, and
 * docs/display.md lists it. Component ids start at 1 (id 0 is the page itself), in the order listed.
 */
export const SCREEN_WIDTH = 480;
export const SCREEN_HEIGHT = 272;

export type ComponentKind = 'text' | 'number' | 'progress' | 'button';
export type OperatorAction = 'start' | 'end' | 'acknowledge';

export const COLOUR = {
  black: 0,
  white: rgb565(255, 255, 255),
  grey: rgb565(128, 128, 128),
  dark: rgb565(40, 40, 40),
  green: rgb565(0, 160, 0),
  amber: rgb565(255, 160, 0),
  red: rgb565(220, 0, 0),
  blue: rgb565(0, 90, 200),
} as const;

export interface ComponentSpec {
  readonly name: string;
  readonly id: number;
  readonly kind: ComponentKind;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** Text scale of the bitmap font in the emulator's picture (1 = 5x8 pixels a glyph). */
  readonly font: number;
  /** Design-time values: what the component shows when its page is entered. */
  readonly txt: string;
  readonly val: number;
  readonly pco: number;
  readonly bco: number;
  /** txt_maxl: longer text is cut (text and button components). */
  readonly maxLength: number;
  /** Written by the daemon (a field) or fixed in the design (a label). */
  readonly role: 'label' | 'field' | 'health' | 'button';
  /** How the emulator's one-line text names the value ("frames 120"); health icons use it as their name. */
  readonly label: string;
  /** What touching the component means (buttons only). */
  readonly action: OperatorAction | null;
}

export interface PageSpec {
  readonly name: PageName;
  readonly id: number;
  readonly components: readonly ComponentSpec[];
}

type ComponentDraft = Pick<ComponentSpec, 'name' | 'kind' | 'x' | 'y' | 'w' | 'h'> & Partial<Omit<ComponentSpec, 'id'>>;

function component(draft: ComponentDraft): Omit<ComponentSpec, 'id'> {
  return {
    font: 2,
    txt: '',
    val: 0,
    pco: COLOUR.white,
    bco: COLOUR.black,
    maxLength: draft.kind === 'text' || draft.kind === 'button' ? 40 : 0,
    role: 'field',
    label: '',
    action: null,
    ...draft,
  };
}

const label = (name: string, txt: string, x: number, y: number, w: number, h: number, font = 2): Omit<ComponentSpec, 'id'> =>
  component({ name, kind: 'text', x, y, w, h, txt, font, role: 'label', maxLength: txt.length, pco: COLOUR.grey });

const title = (txt: string): Omit<ComponentSpec, 'id'> =>
  component({ name: 'tTitle', kind: 'text', x: 8, y: 6, w: 464, h: 28, txt, font: 3, role: 'label', maxLength: txt.length });

const button = (name: string, txt: string, action: OperatorAction): Omit<ComponentSpec, 'id'> =>
  component({ name, kind: 'button', x: 360, y: 176, w: 112, h: 48, txt, font: 3, role: 'button', action, bco: COLOUR.blue, maxLength: 8 });

/** Component names of the health strip, by icon. */
export const HEALTH_COMPONENT: Readonly<Record<keyof HealthIcons, string>> = {
  capture: 'hCapture',
  model: 'hModel',
  storage: 'hStorage',
  thermal: 'hThermal',
  network: 'hNetwork',
};

/** Five cells along the bottom: a grey name above a coloured ok / warn / fail. */
function healthStrip(): Omit<ComponentSpec, 'id'>[] {
  return Object.entries(HEALTH_COMPONENT).flatMap(([icon, name], i) => {
    const x = 4 + i * 95;
    return [
      label(`l${name.slice(1)}`, icon, x, 234, 92, 12, 1),
      component({ name, kind: 'text', x, y: 248, w: 92, h: 20, font: 2, txt: 'ok', bco: COLOUR.green, maxLength: 4, role: 'health', label: icon }),
    ];
  });
}

function definePage(name: PageName, id: number, components: readonly Omit<ComponentSpec, 'id'>[]): PageSpec {
  return { name, id, components: components.map((c, i) => ({ ...c, id: i + 1 })) };
}

/** Builds the layout afresh (it is small); callers keep the one they use. */
export function hmiLayout(): readonly PageSpec[] {
  return [
    definePage('boot', 0, [
      title('myoscreen'),
      component({ name: 'tVersion', kind: 'text', x: 8, y: 60, w: 464, h: 24, maxLength: 40 }),
      label('tStatus', 'Starting', 8, 100, 464, 24),
    ]),
    definePage('ready', 1, [
      title('READY'),
      component({ name: 'tModel', kind: 'text', x: 8, y: 48, w: 464, h: 24, maxLength: 40 }),
      label('tHint', 'Scan, or touch START', 8, 90, 340, 24),
      ...healthStrip(),
      button('bStart', 'START', 'start'),
    ]),
    definePage('scanning', 2, [
      title('SCANNING'),
      component({ name: 'tScore', kind: 'text', x: 8, y: 44, w: 340, h: 40, font: 4, maxLength: 12, txt: 'warming up' }),
      component({ name: 'jScore', kind: 'progress', x: 8, y: 92, w: 340, h: 20, pco: COLOUR.amber, bco: COLOUR.dark }),
      label('lFrames', 'frames', 8, 124, 76, 24),
      component({ name: 'nFrames', kind: 'number', x: 84, y: 124, w: 92, h: 24, label: 'frames' }),
      label('lUsable', 'usable', 184, 124, 76, 24),
      component({ name: 'nUsable', kind: 'number', x: 260, y: 124, w: 88, h: 24, label: 'usable' }),
      component({ name: 'tFps', kind: 'text', x: 8, y: 156, w: 160, h: 24, maxLength: 12 }),
      component({ name: 'tStatus', kind: 'text', x: 8, y: 200, w: 340, h: 24, maxLength: 48, pco: COLOUR.red, font: 1 }),
      ...healthStrip(),
      button('bEnd', 'END', 'end'),
    ]),
    definePage('result', 3, [
      component({ name: 'tDecision', kind: 'text', x: 8, y: 8, w: 464, h: 56, font: 5, maxLength: 16 }),
      component({ name: 'tScore', kind: 'text', x: 8, y: 76, w: 220, h: 24, maxLength: 16 }),
      component({ name: 'tReason', kind: 'text', x: 8, y: 110, w: 464, h: 24, maxLength: 48 }),
      component({ name: 'tStatus', kind: 'text', x: 8, y: 200, w: 340, h: 24, maxLength: 48, pco: COLOUR.red, font: 1 }),
      ...healthStrip(),
      button('bAck', 'OK', 'acknowledge'),
    ]),
    definePage('fault', 4, [
      component({ name: 'tKind', kind: 'text', x: 8, y: 8, w: 464, h: 48, font: 4, maxLength: 16, pco: COLOUR.red }),
      component({ name: 'tDetail', kind: 'text', x: 8, y: 72, w: 464, h: 24, maxLength: 48 }),
      ...healthStrip(),
    ]),
    definePage('update', 5, [
      title('MODEL UPDATE'),
      component({ name: 'tVersion', kind: 'text', x: 8, y: 48, w: 464, h: 24, maxLength: 40 }),
      component({ name: 'tStep', kind: 'text', x: 8, y: 84, w: 464, h: 24, maxLength: 32 }),
      component({ name: 'jProgress', kind: 'progress', x: 8, y: 124, w: 464, h: 24, pco: COLOUR.blue, bco: COLOUR.dark }),
      component({ name: 'tPercent', kind: 'text', x: 8, y: 156, w: 160, h: 24, maxLength: 8 }),
    ]),
  ];
}

export function findPage(layout: readonly PageSpec[], name: string): PageSpec | undefined {
  return layout.find((p) => p.name === name);
}

export function findComponent(pageSpec: PageSpec, name: string): ComponentSpec | undefined {
  return pageSpec.components.find((c) => c.name === name);
}

/** (page id, component id) -> operator action, from the layout's buttons. */
export function touchActions(layout: readonly PageSpec[]): ReadonlyMap<string, OperatorAction> {
  const map = new Map<string, OperatorAction>();
  for (const p of layout) for (const c of p.components) if (c.action !== null) map.set(touchKey(p.id, c.id), c.action);
  return map;
}

export function touchKey(pageId: number, componentId: number): string {
  return `${pageId}:${componentId}`;
}
