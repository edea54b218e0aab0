import { EventBus } from '../../../src/core/event-bus.js';
import type { BusEventName, BusEvents } from '../../../src/core/events.js';
import { NextionEmulator } from '../../../src/device/display/display-emulator.js';
import type { DisplayState, HealthIcons } from '../../../src/device/display/display-state.js';
import { encodeInstructions, instructionText, type Instruction } from '../../../src/device/display/nextion-protocol.js';
import { renderPage } from '../../../src/device/display/pages.js';

export const HEALTH_OK: HealthIcons = { capture: 'ok', model: 'ok', storage: 'ok', thermal: 'ok', network: 'ok' };

export const READY: DisplayState = { page: 'ready', model: { id: 'lsnet', version: '1.2.0' }, health: HEALTH_OK };

export function scanning(frames: number, score: number | null = 0.5): DisplayState {
  return { page: 'scanning', score, frames, usableFrames: Math.floor(frames * 0.8), fps: 30, notice: null, health: HEALTH_OK };
}

export const RESULT: DisplayState = {
  page: 'result',
  decision: 'refer',
  reason: 'Myometrial invasion suspected',
  score: 0.67,
  notice: null,
  health: HEALTH_OK,
};

/** The bytes a list of instruction texts makes on the wire. */
export function wire(texts: readonly string[]): Buffer {
  return Buffer.concat(texts.map((t) => Buffer.from([...Buffer.from(t, 'latin1'), 0xff, 0xff, 0xff])));
}

export function texts(instructions: readonly Instruction[]): string[] {
  return instructions.map(instructionText);
}

/** What a freshly powered display shows after receiving exactly the full page of `state`. */
export function screenOf(state: DisplayState): unknown {
  const reference = new NextionEmulator();
  reference.receive(encodeInstructions(renderPage(state)));
  return snapshot(reference);
}

/** An emulator's current page and component values as a plain object, for toEqual. */
export function snapshot(emulator: NextionEmulator): unknown {
  const screen = emulator.screen();
  return { page: screen.page.name, values: Object.fromEntries(screen.values) };
}

/** Collects every payload of `event` emitted on `bus`. */
export function record<K extends BusEventName>(bus: EventBus, event: K): BusEvents[K][] {
  const seen: BusEvents[K][] = [];
  bus.on(event, (payload) => seen.push(payload));
  return seen;
}

/** Polls `check` until it holds; fails after `timeoutMs` with `what`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
