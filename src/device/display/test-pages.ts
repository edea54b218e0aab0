import type { DisplayState, HealthIcons } from './display-state.js';

const OK: HealthIcons = { capture: 'ok', model: 'ok', storage: 'ok', thermal: 'ok', network: 'ok' };

/** One sample of every page and variant the daemon can show. */
export function testPages(): { name: string; state: DisplayState }[] {
  return [
    { name: 'boot', state: { page: 'boot', version: 'display test' } },
    { name: 'ready', state: { page: 'ready', model: { id: 'myoscreen-lsnet', version: '1.0.0' }, health: OK } },
    { name: 'scanning (warming up)', state: { page: 'scanning', score: null, frames: 12, usableFrames: 10, fps: 30, notice: null, health: OK } },
    { name: 'scanning', state: { page: 'scanning', score: 0.42, frames: 240, usableFrames: 231, fps: 30, notice: null, health: { ...OK, thermal: 'warn' } } },
    { name: 'result refer', state: { page: 'result', decision: 'refer', reason: 'Myometrial invasion suspected', score: 0.67, notice: null, health: OK } },
    { name: 'result no_invasion', state: { page: 'result', decision: 'no_invasion', reason: 'No myometrial invasion seen', score: 0.004, notice: null, health: OK } },
    { name: 'result inconclusive', state: { page: 'result', decision: 'inconclusive', reason: 'Signal lost during the exam', score: null, notice: null, health: { ...OK, capture: 'fail' } } },
    { name: 'fault no_signal', state: { page: 'fault', fault: { kind: 'no_signal', detail: 'No picture from the scanner (HDMI)' }, health: { ...OK, capture: 'fail' } } },
    { name: 'fault model_error', state: { page: 'fault', fault: { kind: 'model_error', detail: 'MYO_ERR_MODEL_SIGNATURE' }, health: { ...OK, model: 'fail' } } },
    { name: 'fault overheating', state: { page: 'fault', fault: { kind: 'overheating', detail: 'cpu 96.0 C' }, health: { ...OK, thermal: 'fail' } } },
    { name: 'fault storage', state: { page: 'fault', fault: { kind: 'storage', detail: 'disk 3 % free' }, health: { ...OK, storage: 'fail' } } },
    { name: 'update', state: { page: 'update', version: '1.1.0', step: 'validating', percent: 72 } },
  ];
}
