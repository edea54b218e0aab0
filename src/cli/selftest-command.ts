import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config/index.js';
import { MyoError } from '../core/errors.js';
import { captureCheck, clockCheck, diskCheck, modelCheck } from '../selftest/basic-checks.js';
import { runChecks, type Check } from '../selftest/check.js';
import { displayCheck } from '../selftest/display-check.js';
import { brokerCheck } from '../selftest/broker-check.js';
import { formatTable, printJson, type CliIo } from './output.js';

const USAGE = `usage: myoscreen selftest [--config FILE] [--only NAME ...] [--json]
  checks capture, model, display, disk, broker and clock; exit 0 when none failed, 1 otherwise`;

export async function selftestCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      only: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new MyoError('MYO_ERR_USAGE', `unexpected argument "${positionals[0] ?? ''}"\n${USAGE}`);
  const file = values.config ?? io.env.MYOSCREEN_CONFIG;
  const { config } = loadConfig({ ...(file ? { file } : {}), env: io.env });
  const all: [string, Check][] = [
    ['capture', captureCheck(config)],
    ['model', modelCheck(config)],
    ['display', displayCheck(config)],
    ['disk', diskCheck(config)],
    ['broker', brokerCheck(config)],
    ['clock', clockCheck()],
  ];
  const only = values.only;
  for (const name of only ?? []) {
    if (!all.some(([n]) => n === name)) throw new MyoError('MYO_ERR_USAGE', `unknown check "${name}" (known: ${all.map(([n]) => n).join(', ')})`);
  }
  const selected = only ? all.filter(([name]) => only.includes(name)) : all;
  if (!values.json) io.stderr(`running ${selected.length} checks...\n`);
  const report = await runChecks(selected, 60_000);
  if (values.json) {
    printJson(io, report);
  } else {
    const rows = report.checks.map((c) => [c.name, c.outcome.toUpperCase(), `${Math.round(c.tookMs)} ms`, c.detail]);
    io.stdout(formatTable(['check', 'result', 'took', 'detail'], rows));
    io.stdout(report.ok ? 'self-test passed\n' : 'self-test FAILED\n');
  }
  return report.ok ? 0 : 1;
}
