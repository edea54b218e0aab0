import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config/index.js';
import { MyoError } from '../core/errors.js';
import { EventBus } from '../core/event-bus.js';
import { createRootLogger } from '../core/logger.js';
import { createStatusDisplay } from '../device/display/create-status-display.js';
import { testPages } from '../device/display/test-pages.js';
import { formatTable, printJson, type CliIo } from './output.js';

const USAGE = `usage: myoscreen display test [--port PATH] [--baud N] [--dwell MS] [--config FILE] [--json]
  draws every page of the cart display in turn (boot, ready, scanning, each result, each fault, update) and reports
  what the display answered; without --port, the configured display.port, or the built-in emulator`;

export async function displayCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'test') throw new MyoError('MYO_ERR_USAGE', `unknown display subcommand "${sub ?? ''}"\n${USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      port: { type: 'string' },
      baud: { type: 'string' },
      dwell: { type: 'string', default: '1500' },
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean', default: false },
    },
  });
  const dwell = Number(values.dwell);
  if (!Number.isInteger(dwell) || dwell < 50 || dwell > 60_000) throw new MyoError('MYO_ERR_USAGE', `--dwell takes 50..60000 ms, got "${values.dwell}"`);
  const file = values.config ?? io.env.MYOSCREEN_CONFIG;
  const { config } = loadConfig({ ...(file ? { file } : {}), env: io.env });
  const baudRate = values.baud === undefined ? config.display.baudRate : Number(values.baud);
  if (!Number.isInteger(baudRate) || baudRate < 1200) throw new MyoError('MYO_ERR_USAGE', `--baud takes a baud rate, got "${values.baud ?? ''}"`);
  const displayConfig = { ...config.display, port: values.port ?? config.display.port, baudRate, logEmulator: false };
  const logger = createRootLogger({ level: 'warn', deviceId: config.device.id });
  const display = createStatusDisplay({ config: displayConfig, bus: new EventBus(), logger });
  const controller = new AbortController();
  await display.start(controller.signal);
  const rows: { page: string; writes: number; acks: number; errors: number; connected: boolean }[] = [];
  try {
    for (const { name, state } of testPages()) {
      const before = display.stats();
      display.show(state);
      if (!values.json) io.stderr(`showing ${name}\n`);
      await new Promise((r) => setTimeout(r, dwell));
      const after = display.stats();
      const errors = (s: typeof after): number => Object.values(s.errors).reduce((a, b) => a + b, 0);
      rows.push({ page: name, writes: after.writes - before.writes, acks: after.acks - before.acks, errors: errors(after) - errors(before), connected: after.connected });
    }
  } finally {
    await display.stop();
  }
  const ok = rows.every((r) => r.connected && r.errors === 0 && r.acks > 0);
  const port = displayConfig.port === '' ? 'emulator' : displayConfig.port;
  if (values.json) {
    printJson(io, { ok, port, baudRate, pages: rows });
  } else {
    io.stdout(formatTable(['page', 'connected', 'writes', 'acks', 'errors'], rows.map((r) => [r.page, String(r.connected), String(r.writes), String(r.acks), String(r.errors)])));
    io.stdout(`${port}: ${ok ? 'every page drawn and acknowledged' : 'FAILED: see the rows without acks or with errors'}\n`);
  }
  return ok ? 0 : 1;
}
