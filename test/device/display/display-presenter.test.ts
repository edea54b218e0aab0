import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/event-bus.js';
import { DisplayPresenter } from '../../../src/device/display/display-presenter.js';
import type { DisplayInput } from '../../../src/device/display/display-state.js';
import { MemoryDisplay } from '../../../src/device/display/memory-display.js';
import { HEALTH_OK } from './helpers.js';

function input(overrides: Partial<DisplayInput> = {}): DisplayInput {
  return {
    version: '0.1.0',
    starting: false,
    view: { phase: 'idle' },
    faults: [],
    model: { id: 'lsnet', version: '1.2.0' },
    update: null,
    health: HEALTH_OK,
    fps: 30,
    ...overrides,
  };
}

describe('DisplayPresenter', () => {
  it('shows the mapped state only when it changes', () => {
    const display = new MemoryDisplay({ bus: new EventBus() });
    let current = input({ starting: true });
    const presenter = new DisplayPresenter({ display, read: () => current });
    presenter.refresh();
    presenter.refresh();
    current = input();
    presenter.refresh();
    current = input({ fps: 29 }); // fps is not on the ready page: same state
    presenter.refresh();
    current = input({ faults: [{ kind: 'no_signal', detail: 'HDMI input has no picture' }] });
    presenter.refresh();
    expect(display.states.map((s) => s.page)).toEqual(['boot', 'ready', 'fault']);
  });

  it('keeps the last state when reading fails, and reports the error', () => {
    const display = new MemoryDisplay({ bus: new EventBus() });
    const errors: unknown[] = [];
    let fail = false;
    const presenter = new DisplayPresenter({
      display,
      read: () => {
        if (fail) throw new Error('pipeline not built');
        return input();
      },
      onError: (e) => errors.push(e),
    });
    presenter.refresh();
    fail = true;
    expect(presenter.refresh()).toBeNull();
    expect(display.states).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it('samples on a timer between start and stop', async () => {
    const display = new MemoryDisplay({ bus: new EventBus() });
    let frames = 0;
    const presenter = new DisplayPresenter({
      display,
      intervalMs: 10,
      read: () =>
        input({ view: { phase: 'scanning', examId: 'E', startedAt: 0, cause: 'auto', framesSeen: ++frames, usableFrames: 0, liveScore: null, warmingUp: true } }),
    });
    await presenter.start(AbortSignal.timeout(1000));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await presenter.stop();
    const shown = display.states.length;
    expect(shown).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(display.states.length).toBe(shown);
  });
});
