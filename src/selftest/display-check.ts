import { pino } from 'pino';
import type { Config } from '../core/config/index.js';
import { EventBus } from '../core/event-bus.js';
import { createStatusDisplay } from '../device/display/create-status-display.js';
import type { Check } from './check.js';

/**
 * Opens the configured display (the Nextion on display.port, or the built-in emulator), draws the boot page and
 * waits for the display to answer: the handshake (`sendme` -> page) and the page's writes acknowledged.
 */
export function displayCheck(config: Config, waitMs = 4000): Check {
  return async (signal) => {
    const display = createStatusDisplay({ config: config.display, bus: new EventBus(), logger: pino({ level: 'silent' }) });
    await display.start(signal);
    try {
      display.show({ page: 'boot', version: 'self-test' });
      const deadline = performance.now() + waitMs;
      while (performance.now() < deadline && !signal.aborted) {
        const s = display.stats();
        if (s.connected && s.acks > 0 && s.writes > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const s = display.stats();
      const where = config.display.port === '' ? 'emulator (no display.port configured)' : config.display.port;
      const data = { port: where, connected: s.connected, writes: s.writes, acks: s.acks, errors: s.errors, garbageBytes: s.garbageBytes };
      if (!s.connected) return { outcome: 'fail', detail: `${where}: no answer within ${waitMs} ms`, data };
      const errors = Object.values(s.errors).reduce((a, b) => a + b, 0);
      if (s.acks === 0 || errors > 0) return { outcome: 'warn', detail: `${where}: connected, ${s.acks} acks, ${errors} error replies`, data };
      return { outcome: 'pass', detail: `${where}: connected, ${s.acks} writes acknowledged`, data };
    } finally {
      await display.stop();
    }
  };
}
