import { describe, expect, it } from 'vitest';
import type { DisplayState, HealthIcons } from '../../../src/device/display/display-state.js';
import { hmiLayout, touchActions } from '../../../src/device/display/hmi-layout.js';
import { instructionText } from '../../../src/device/display/nextion-protocol.js';
import { renderPage } from '../../../src/device/display/pages.js';

const OK: HealthIcons = { capture: 'ok', model: 'ok', storage: 'ok', thermal: 'ok', network: 'ok' };
// RGB565 of the layout's colours: green (0,160,0), amber (255,160,0), red (220,0,0).
const GREEN = 1280;
const AMBER = 64_768;
const RED = 55_296;
const HEALTH_OK = [
  'hCapture.txt="ok"',
  `hCapture.bco=${GREEN}`,
  'hModel.txt="ok"',
  `hModel.bco=${GREEN}`,
  'hStorage.txt="ok"',
  `hStorage.bco=${GREEN}`,
  'hThermal.txt="ok"',
  `hThermal.bco=${GREEN}`,
  'hNetwork.txt="ok"',
  `hNetwork.bco=${GREEN}`,
];

function texts(state: DisplayState): string[] {
  return renderPage(state).map(instructionText);
}

describe('renderPage', () => {
  it('draws the boot page', () => {
    expect(texts({ page: 'boot', version: '0.1.0' })).toEqual(['page boot', 'tVersion.txt="version 0.1.0"']);
  });

  it('draws the ready page with the model and the health strip', () => {
    expect(texts({ page: 'ready', model: { id: 'lsnet', version: '1.2.0' }, health: OK })).toEqual([
      'page ready',
      'tModel.txt="model lsnet 1.2.0"',
      ...HEALTH_OK,
    ]);
  });

  it('colours each health icon by its level', () => {
    const health: HealthIcons = { capture: 'fail', model: 'ok', storage: 'warn', thermal: 'ok', network: 'warn' };
    const out = texts({ page: 'ready', model: null, health });
    expect(out.slice(1, 6)).toEqual(['tModel.txt="no model"', 'hCapture.txt="fail"', `hCapture.bco=${RED}`, 'hModel.txt="ok"', `hModel.bco=${GREEN}`]);
    expect(out).toContain(`hStorage.bco=${AMBER}`);
    expect(out).toContain('hNetwork.txt="warn"');
  });

  it('draws the scanning page with a live score', () => {
    const state: DisplayState = { page: 'scanning', score: 0.4249, frames: 120, usableFrames: 96, fps: 29.97, notice: null, health: OK };
    expect(texts(state)).toEqual([
      'page scanning',
      'tScore.txt="0.42"',
      'jScore.val=42',
      'vis jScore,1',
      'nFrames.val=120',
      'nUsable.val=96',
      'tFps.txt="30.0 fps"',
      'tStatus.txt=""',
      ...HEALTH_OK,
    ]);
  });

  it('hides the score bar while warming up and shows a fault in the status line', () => {
    const state: DisplayState = {
      page: 'scanning',
      score: null,
      frames: 3,
      usableFrames: 1,
      fps: null,
      notice: { kind: 'overheating', detail: 'SoC 96 C' },
      health: { ...OK, thermal: 'fail' },
    };
    expect(texts(state).slice(0, 8)).toEqual([
      'page scanning',
      'tScore.txt="warming up"',
      'jScore.val=0',
      'vis jScore,0',
      'nFrames.val=3',
      'nUsable.val=1',
      'tFps.txt="-- fps"',
      'tStatus.txt="OVERHEATING: SoC 96 C"',
    ]);
  });

  it('draws each decision of the result page in its colour', () => {
    const base = { reason: 'Myometrial invasion suspected', score: 0.67, notice: null, health: OK } as const;
    expect(texts({ page: 'result', decision: 'refer', ...base })).toEqual([
      'page result',
      'tDecision.txt="REFER"',
      `tDecision.bco=${RED}`,
      'tScore.txt="score 0.67"',
      'tReason.txt="Myometrial invasion suspected"',
      'tStatus.txt=""',
      ...HEALTH_OK,
    ]);
    expect(texts({ page: 'result', decision: 'no_invasion', ...base }).slice(1, 3)).toEqual(['tDecision.txt="NO INVASION"', `tDecision.bco=${GREEN}`]);
    const inconclusive = texts({ page: 'result', decision: 'inconclusive', reason: 'Signal lost during the exam', score: null, notice: null, health: OK });
    expect(inconclusive.slice(1, 5)).toEqual([
      'tDecision.txt="INCONCLUSIVE"',
      `tDecision.bco=${AMBER}`,
      'tScore.txt=""',
      'tReason.txt="Signal lost during the exam"',
    ]);
  });

  it('draws the fault page', () => {
    expect(texts({ page: 'fault', fault: { kind: 'no_signal', detail: 'HDMI input has no picture' }, health: { ...OK, capture: 'fail' } })).toEqual([
      'page fault',
      'tKind.txt="NO SIGNAL"',
      'tDetail.txt="HDMI input has no picture"',
      'hCapture.txt="fail"',
      `hCapture.bco=${RED}`,
      ...HEALTH_OK.slice(2),
    ]);
  });

  it('draws the update page, clamping the percentage', () => {
    expect(texts({ page: 'update', version: '1.3.0', step: 'verifying', percent: 41.6 })).toEqual([
      'page update',
      'tVersion.txt="model 1.3.0"',
      'tStep.txt="verifying"',
      'jProgress.val=42',
      'tPercent.txt="42 %"',
    ]);
    expect(texts({ page: 'update', version: '1.3.0', step: 'done', percent: 180 })).toContain('jProgress.val=100');
  });

  it("cuts text at the component's capacity in the layout", () => {
    const detail = 'x'.repeat(100);
    const out = texts({ page: 'fault', fault: { kind: 'storage', detail }, health: OK });
    expect(out[2]).toBe(`tDetail.txt="${'x'.repeat(47)}~"`);
  });

  it('writes only components that exist on the page, as the layout names them', () => {
    const layout = hmiLayout();
    const states: DisplayState[] = [
      { page: 'boot', version: '1' },
      { page: 'ready', model: null, health: OK },
      { page: 'scanning', score: 0.5, frames: 1, usableFrames: 1, fps: 1, notice: null, health: OK },
      { page: 'result', decision: 'refer', reason: 'r', score: 0.9, notice: null, health: OK },
      { page: 'fault', fault: { kind: 'storage', detail: 'd' }, health: OK },
      { page: 'update', version: '1', step: 's', percent: 1 },
    ];
    for (const state of states) {
      const spec = layout.find((p) => p.name === state.page);
      const names = new Set(spec?.components.map((c) => c.name));
      for (const instruction of renderPage(state)) {
        const component = instruction.op === 'set' ? instruction.target.split('.')[0] : instruction.op === 'vis' ? instruction.component : null;
        if (component !== null) expect(names.has(component ?? ''), `${state.page}.${component ?? ''}`).toBe(true);
      }
    }
  });
});

describe('the HMI layout', () => {
  it('numbers pages and components in order and maps the buttons to operator actions', () => {
    const layout = hmiLayout();
    expect(layout.map((p) => `${p.id}:${p.name}`)).toEqual(['0:boot', '1:ready', '2:scanning', '3:result', '4:fault', '5:update']);
    for (const p of layout) expect(p.components.map((c) => c.id)).toEqual(p.components.map((_, i) => i + 1));
    const ready = layout[1]!;
    const start = ready.components.find((c) => c.name === 'bStart')!;
    expect(touchActions(layout).get(`1:${start.id}`)).toBe('start');
    expect([...touchActions(layout).values()].sort()).toEqual(['acknowledge', 'end', 'start']);
  });

  it('keeps every component on the 480x272 screen', () => {
    for (const p of hmiLayout()) {
      for (const c of p.components) {
        expect(c.x >= 0 && c.y >= 0 && c.x + c.w <= 480 && c.y + c.h <= 272, `${p.name}.${c.name}`).toBe(true);
      }
    }
  });
});
