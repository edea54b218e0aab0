import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus } from '../../../src/core/event-bus.js';
import type { DisplayState } from '../../../src/device/display/display-state.js';
import type { OperatorAction } from '../../../src/device/display/hmi-layout.js';
import type { StatusDisplay } from '../../../src/device/display/status-display.js';
import { READY, RESULT, record, scanning } from './helpers.js';

/** What the contract needs to see of one StatusDisplay implementation. */
export interface DisplayUnderTest {
  readonly display: StatusDisplay;
  readonly bus: EventBus;
  /** Resolves once the display has taken everything shown so far. */
  settle(): Promise<void>;
  /** What the display presents now, as the state it corresponds to (compared with toEqual against `expected`). */
  presents(expected: DisplayState): Promise<{ actual: unknown; expected: unknown }>;
  /** A finger on the control for `action` (the display already shows the page that has it). */
  touch(action: OperatorAction): void;
}

/** The page that carries each action's button. */
const PAGE_FOR: Readonly<Record<OperatorAction, DisplayState>> = { start: READY, end: scanning(3), acknowledge: RESULT };

/** One suite, run against every StatusDisplay adapter: the behaviour the rest of the daemon relies on. */
export function describeStatusDisplayContract(name: string, create: () => DisplayUnderTest): void {
  describe(`StatusDisplay contract: ${name}`, () => {
    const made: DisplayUnderTest[] = [];
    const make = (): DisplayUnderTest => {
      const d = create();
      made.push(d);
      return d;
    };

    afterEach(async () => {
      await Promise.all(made.splice(0).map((d) => d.display.stop()));
    });

    it('presents the last state shown (last write wins)', async () => {
      const d = make();
      await d.display.start(AbortSignal.timeout(1000));
      d.display.show(READY);
      d.display.show(scanning(7));
      d.display.show(RESULT);
      await d.settle();
      const { actual, expected } = await d.presents(RESULT);
      expect(actual).toEqual(expected);
    });

    it('presents a state shown before start once started', async () => {
      const d = make();
      d.display.show(scanning(12, 0.33));
      await d.display.start(AbortSignal.timeout(1000));
      await d.settle();
      const { actual, expected } = await d.presents(scanning(12, 0.33));
      expect(actual).toEqual(expected);
    });

    it('counts the states shown', async () => {
      const d = make();
      await d.display.start(AbortSignal.timeout(1000));
      for (let i = 1; i <= 5; i++) d.display.show(scanning(i));
      await d.settle();
      expect(d.display.stats().statesShown).toBe(5);
      expect(d.display.stats().connected).toBe(true);
    });

    it.each(['start', 'end', 'acknowledge'] as const)('reports a touch on %s as an operator action from the display', async (action) => {
      const d = make();
      const actions = record(d.bus, 'operatorAction');
      await d.display.start(AbortSignal.timeout(1000));
      d.display.show(PAGE_FOR[action]);
      await d.settle();
      d.touch(action);
      const deadline = Date.now() + 2000;
      while (actions.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(actions.map((a) => [a.action, a.source])).toEqual([[action, 'display']]);
    });

    it('stops idempotently and never throws from show, before start or after stop', async () => {
      const d = make();
      expect(() => d.display.show(READY)).not.toThrow();
      await d.display.stop();
      await d.display.start(AbortSignal.timeout(1000));
      await d.display.stop();
      await d.display.stop();
      expect(() => d.display.show(RESULT)).not.toThrow();
      expect(d.display.stats().connected).toBe(false);
    });
  });
}
