import { MyoError } from '../../core/errors.js';
import type { Decision } from '../../screening/types.js';
import { HEALTH_ICON_NAMES, type DisplayFault, type DisplayState, type FaultKind, type HealthIcons, type HealthLevel } from './display-state.js';
import { COLOUR, HEALTH_COMPONENT, findComponent, findPage, hmiLayout, type PageSpec } from './hmi-layout.js';
import { page, setColour, setText, setValue, visible, type Instruction } from './nextion-instructions.js';

/**
 * The page model: a DisplayState as the exact instructions that draw it. The page change comes first, then every
 * component the daemon writes, in layout order, so a fresh page is complete after one pass. The driver sends only
 * the instructions whose value differs from what the display already shows.
 */

export const FAULT_TITLE: Readonly<Record<FaultKind, string>> = {
  no_signal: 'NO SIGNAL',
  model_error: 'MODEL ERROR',
  overheating: 'OVERHEATING',
  storage: 'STORAGE FAULT',
};

export const DECISION_TITLE: Readonly<Record<Decision, string>> = {
  refer: 'REFER',
  no_invasion: 'NO INVASION',
  inconclusive: 'INCONCLUSIVE',
};

const DECISION_COLOUR: Readonly<Record<Decision, number>> = {
  refer: COLOUR.red,
  no_invasion: COLOUR.green,
  inconclusive: COLOUR.amber,
};

const HEALTH_COLOUR: Readonly<Record<HealthLevel, number>> = { ok: COLOUR.green, warn: COLOUR.amber, fail: COLOUR.red };

/** A score 0..1 as the display writes it: two decimals. */
export function formatScore(score: number): string {
  return Math.min(1, Math.max(0, score)).toFixed(2);
}

export function noticeText(notice: DisplayFault | null): string {
  return notice === null ? '' : `${FAULT_TITLE[notice.kind]}: ${notice.detail}`;
}

export class PageRenderer {
  readonly #layout: readonly PageSpec[];

  constructor(layout: readonly PageSpec[] = hmiLayout()) {
    this.#layout = layout;
  }

  render(state: DisplayState): Instruction[] {
    const text = (name: string, value: string): Instruction => setText(name, value, this.#capacity(state.page, name));
    switch (state.page) {
      case 'boot':
        return [page('boot'), text('tVersion', `version ${state.version}`)];
      case 'ready':
        return [
          page('ready'),
          text('tModel', state.model === null ? 'no model' : `model ${state.model.id} ${state.model.version}`),
          ...healthInstructions(state.health),
        ];
      case 'scanning': {
        const warming = state.score === null;
        return [
          page('scanning'),
          text('tScore', state.score === null ? 'warming up' : formatScore(state.score)),
          setValue('jScore', state.score === null ? 0 : Math.round(Math.min(1, Math.max(0, state.score)) * 100)),
          visible('jScore', !warming),
          setValue('nFrames', state.frames),
          setValue('nUsable', state.usableFrames),
          text('tFps', state.fps === null ? '-- fps' : `${state.fps.toFixed(1)} fps`),
          text('tStatus', noticeText(state.notice)),
          ...healthInstructions(state.health),
        ];
      }
      case 'result':
        return [
          page('result'),
          text('tDecision', DECISION_TITLE[state.decision]),
          setColour('tDecision', 'bco', DECISION_COLOUR[state.decision]),
          text('tScore', state.score === null ? '' : `score ${formatScore(state.score)}`),
          text('tReason', state.reason),
          text('tStatus', noticeText(state.notice)),
          ...healthInstructions(state.health),
        ];
      case 'fault':
        return [page('fault'), text('tKind', FAULT_TITLE[state.fault.kind]), text('tDetail', state.fault.detail), ...healthInstructions(state.health)];
      case 'update': {
        const percent = Math.round(Math.min(100, Math.max(0, state.percent)));
        return [
          page('update'),
          text('tVersion', `model ${state.version}`),
          text('tStep', state.step),
          setValue('jProgress', percent),
          text('tPercent', `${percent} %`),
        ];
      }
    }
  }

  /** The component's txt_maxl from the layout; a name missing from the layout is a bug in this file. */
  #capacity(pageName: string, name: string): number {
    const pageSpec = findPage(this.#layout, pageName);
    const spec = pageSpec === undefined ? undefined : findComponent(pageSpec, name);
    if (spec === undefined) throw new MyoError('MYO_ERR_INTERNAL', `display layout has no component ${pageName}.${name}`);
    return spec.maxLength;
  }
}

function healthInstructions(health: HealthIcons): Instruction[] {
  return HEALTH_ICON_NAMES.flatMap((icon) => {
    const name = HEALTH_COMPONENT[icon];
    return [setText(name, health[icon], 4), setColour(name, 'bco', HEALTH_COLOUR[health[icon]])];
  });
}

/** The instructions that draw `state` with the standard layout. */
export function renderPage(state: DisplayState): Instruction[] {
  return new PageRenderer().render(state);
}
