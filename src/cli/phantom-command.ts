import { parseArgs } from 'node:util';
import { exportDataset } from '../capture/phantom/export-dataset.js';
import { MyoError } from '../core/errors.js';
import { printJson, type CliIo } from './output.js';

const USAGE = `usage: myoscreen phantom export --out DIR --count N [--seed S] [--size PX]
                                [--positive-fraction F] [--threshold T] [--borderline-fraction B] [--json]`;

function intOption(name: string, raw: string | undefined, fallback?: number): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new MyoError('MYO_ERR_USAGE', `--${name} is required\n${USAGE}`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new MyoError('MYO_ERR_USAGE', `--${name} must be an integer, got "${raw}"`);
  return value;
}

function fractionOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new MyoError('MYO_ERR_USAGE', `--${name} must be a number, got "${raw}"`);
  return value;
}

export async function phantomCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'export') throw new MyoError('MYO_ERR_USAGE', `unknown phantom subcommand "${sub ?? ''}"\n${USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string', short: 'o' },
      count: { type: 'string', short: 'n' },
      seed: { type: 'string', short: 's' },
      size: { type: 'string' },
      'positive-fraction': { type: 'string' },
      threshold: { type: 'string' },
      'borderline-fraction': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (!values.out) throw new MyoError('MYO_ERR_USAGE', `--out is required\n${USAGE}`);
  const count = intOption('count', values.count);
  let lastReport = 0;
  const summary = await exportDataset({
    outDir: values.out,
    count,
    seed: intOption('seed', values.seed, 1),
    size: intOption('size', values.size, 224),
    positiveFraction: fractionOption('positive-fraction', values['positive-fraction']),
    threshold: fractionOption('threshold', values.threshold),
    borderlineFraction: fractionOption('borderline-fraction', values['borderline-fraction']),
    onProgress: (done, total) => {
      // Progress goes to stderr so `--json` keeps stdout to one object.
      const now = Date.now();
      if (done === total || now - lastReport > 1000) {
        lastReport = now;
        io.stderr(`exported ${done}/${total}\n`);
      }
    },
  });
  if (values.json) printJson(io, summary);
  else io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}
