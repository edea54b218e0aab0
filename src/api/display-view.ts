import { EmulatedDisplay } from '../device/display/emulated-display.js';
import type { DisplayStats, StatusDisplay } from '../device/display/status-display.js';

/** What the dashboard can know about the cart display. */
export interface DisplayView {
  /** `emulated`: the in-process emulator (its screen can be rendered); `serial`: a real Nextion (no mirror image). */
  readonly kind: 'emulated' | 'serial';
  stats(): DisplayStats;
  /** The page shown and its text rendering; null for a real display (the driver keeps only a diff mirror). */
  screen(): { page: string; text: string } | null;
  /** The screen as a 480x272 gray PNG; null when it cannot be rendered. */
  png(): Buffer | null;
}

/** The view for the daemon's display: the emulator renders its screen, a serial display reports its link only. */
export function displayViewOf(display: StatusDisplay): DisplayView {
  if (display instanceof EmulatedDisplay) {
    const emulator = display.emulator;
    return {
      kind: 'emulated',
      stats: () => display.stats(),
      screen: () => ({ page: emulator.page, text: emulator.renderText() }),
      png: () => emulator.renderPng(),
    };
  }
  return { kind: 'serial', stats: () => display.stats(), screen: () => null, png: () => null };
}
