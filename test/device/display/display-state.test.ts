import { describe, expect, it } from 'vitest';
import { displayStateFor, mostSevereFault, type DisplayFault, type DisplayInput, type HealthIcons } from '../../../src/device/display/display-state.js';
import type { ExamView } from '../../../src/screening/exam-machine.js';

const OK: HealthIcons = { capture: 'ok', model: 'ok', storage: 'ok', thermal: 'ok', network: 'ok' };
const MODEL = { id: 'lsnet', version: '1.2.0' };
const NO_SIGNAL: DisplayFault = { kind: 'no_signal', detail: 'HDMI input has no picture' };
const HOT: DisplayFault = { kind: 'overheating', detail: 'SoC 96 C' };
const UPDATE = { version: '1.3.0', step: 'validating', percent: 70 };

const SCANNING: ExamView = {
  phase: 'scanning',
  examId: 'E1',
  startedAt: 0,
  cause: 'auto',
  framesSeen: 40,
  usableFrames: 30,
  liveScore: 0.31,
  warmingUp: false,
};
const RESULT: ExamView = { phase: 'result', examId: 'E1', decision: 'inconclusive', reason: 'signal_lost', score: null, endedAt: 10 };

function input(overrides: Partial<DisplayInput>): DisplayInput {
  return { version: '0.1.0', starting: false, view: { phase: 'idle' }, faults: [], model: MODEL, update: null, health: OK, fps: 30, ...overrides };
}

describe('displayStateFor', () => {
  it('shows ready when idle with a model and no fault', () => {
    expect(displayStateFor(input({}))).toEqual({ page: 'ready', model: MODEL, health: OK });
  });

  it('shows the boot page while starting', () => {
    expect(displayStateFor(input({ starting: true, faults: [NO_SIGNAL], update: UPDATE }))).toEqual({ page: 'boot', version: '0.1.0' });
  });

  it('maps a scanning exam, with the live score only once warmed up', () => {
    expect(displayStateFor(input({ view: SCANNING }))).toEqual({
      page: 'scanning',
      score: 0.31,
      frames: 40,
      usableFrames: 30,
      fps: 30,
      notice: null,
      health: OK,
    });
    expect(displayStateFor(input({ view: { ...SCANNING, warmingUp: true } }))).toMatchObject({ page: 'scanning', score: null });
  });

  it('maps a result with its reason in words', () => {
    expect(displayStateFor(input({ view: RESULT }))).toEqual({
      page: 'result',
      decision: 'inconclusive',
      reason: 'Signal lost during the exam',
      score: null,
      notice: null,
      health: OK,
    });
    const refer: ExamView = { phase: 'result', examId: 'E2', decision: 'refer', reason: null, score: 0.8, endedAt: 5 };
    expect(displayStateFor(input({ view: refer }))).toMatchObject({ decision: 'refer', reason: 'Myometrial invasion suspected', score: 0.8 });
  });

  it('never covers a running exam or its result with the update page', () => {
    expect(displayStateFor(input({ view: SCANNING, update: UPDATE })).page).toBe('scanning');
    expect(displayStateFor(input({ view: RESULT, update: UPDATE })).page).toBe('result');
    expect(displayStateFor(input({ update: UPDATE }))).toEqual({ page: 'update', ...UPDATE });
  });

  it('lets a fault cover ready, but shows it in the status line during an exam', () => {
    expect(displayStateFor(input({ faults: [NO_SIGNAL] }))).toEqual({ page: 'fault', fault: NO_SIGNAL, health: OK });
    expect(displayStateFor(input({ view: SCANNING, faults: [HOT] }))).toMatchObject({ page: 'scanning', notice: HOT });
    expect(displayStateFor(input({ view: RESULT, faults: [HOT] }))).toMatchObject({ page: 'result', notice: HOT });
  });

  it('shows an update rather than the fault of an idle scanner', () => {
    expect(displayStateFor(input({ faults: [NO_SIGNAL], update: UPDATE })).page).toBe('update');
  });

  it('treats a missing model as a model fault, after any reported fault', () => {
    expect(displayStateFor(input({ model: null }))).toEqual({ page: 'fault', fault: { kind: 'model_error', detail: 'No model loaded' }, health: OK });
    expect(displayStateFor(input({ model: null, faults: [HOT] }))).toMatchObject({ page: 'fault', fault: HOT });
  });

  it('picks the most severe fault whatever their order', () => {
    const storage: DisplayFault = { kind: 'storage', detail: 'disk full' };
    const model: DisplayFault = { kind: 'model_error', detail: 'golden vectors differ' };
    expect(mostSevereFault([NO_SIGNAL, storage, model])).toBe(model);
    expect(mostSevereFault([storage, NO_SIGNAL])).toBe(storage);
    expect(mostSevereFault([NO_SIGNAL, HOT, model])).toBe(HOT);
    expect(mostSevereFault([])).toBeNull();
  });
});
