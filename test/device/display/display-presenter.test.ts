import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/event-bus.js';
import { DisplayPresenter } from '../../../src/device/display/display-presenter.js';
import type { DisplayInput } from '../../../src/device/display/display-state.js';
import { MemoryDisplay } from '../../../src/device/display/memory-display.js';
import { testPages } from '../../../src/device/display/test-pages.js';
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

  it('plays the test pages over the duration, then shows the live state again', async () => {
    const display = new MemoryDisplay({ bus: new EventBus() });
    const presenter = new DisplayPresenter({ display, read: () => input() });
    presenter.refresh();
    const pages = testPages().map((p) => p.state);
    const played = await presenter.playTestPages(pages.slice(0, 3), 300, () => false);
    expect(played).toEqual({ shown: 3, interrupted: false });
    expect(display.states.map((s) => s.page)).toEqual(['ready', 'boot', 'ready', 'scanning', 'ready']);
  });

  it('never covers an exam: refuses to start during one, and stops at once when one starts', async () => {
    const display = new MemoryDisplay({ bus: new EventBus() });
    let current = input();
    const presenter = new DisplayPresenter({ display, read: () => current });
    const scanning: DisplayInput['view'] = { phase: 'scanning', examId: 'e-1', startedAt: 0, cause: 'auto', framesSeen: 1, usableFrames: 1, liveScore: null, warmingUp: true };
    const examRuns = (): boolean => current.view.phase !== 'idle';
    await expect(presenter.playTestPages(testPages().map((p) => p.state), 1000, () => true)).rejects.toMatchObject({ code: 'MYO_ERR_COMMAND_BUSY' });
    const playing = presenter.playTestPages(testPages().map((p) => p.state), 12_000, examRuns);
    await expect(presenter.playTestPages([], 100, () => false)).rejects.toMatchObject({ code: 'MYO_ERR_COMMAND_BUSY' });
    // The timer-driven refresh does not draw over the pattern while it plays.
    expect(presenter.refresh()).toBeNull();
    setTimeout(() => (current = input({ view: scanning })), 150);
    const played = await playing;
    expect(played.interrupted).toBe(true);
    expect(played.shown).toBe(1);
    expect(display.states.at(-1)?.page).toBe('scanning');
  });
});
