import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config/index.js';
import { MyoError } from '../core/errors.js';
import { createRootLogger } from '../core/logger.js';
import { readDataset, SPLIT_FILTERS, type SplitFilter } from '../evaluation/dataset.js';
import { runEvaluation } from '../evaluation/evaluation-session.js';
import { formatReport } from '../evaluation/format-report.js';
import { printJson, type CliIo } from './output.js';

const USAGE = `usage: myoscreen evaluate --data DIR [--package DIR] [--config FILE] [--split test|val|train|all] [--limit N]
                         [--min-usable-frames N] [--threads N] [--json]
  --data DIR               a data set in the training layout (docs/dataset-layout.md): labels.csv and the images
  --package DIR            the model package (default: inference.package of the configuration)
  --split S                only the rows whose split_hint is S (default: all rows)
  --limit N                only the first N patients (exams), in labels.csv order
  --min-usable-frames N    overrides screening.minUsableFrames (sets with one image per patient need 1)
  --threads N              overrides inference.intraOpThreads`;

/** Progress lines at most this often, so a long run does not flood the terminal. */
const PROGRESS_EVERY_MS = 1000;

/**
 * `myoscreen evaluate`: the offline evaluation of a model package on a data-set folder, through the live code path
 * (see src/evaluation/evaluation-session.ts). The table goes to stdout, or with `--json` exactly one JSON object with
 * the same numbers and the per-frame and per-exam results; progress goes to stderr.
 */
export async function evaluateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: 'string', short: 'd' },
      package: { type: 'string', short: 'p' },
      config: { type: 'string', short: 'c' },
      split: { type: 'string', default: 'all' },
      limit: { type: 'string' },
      'min-usable-frames': { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.data === undefined) throw new MyoError('MYO_ERR_USAGE', `--data is required\n${USAGE}`);
  const split = parseSplit(values.split);
  const limitPatients = intOption('limit', values.limit, 1, Number.MAX_SAFE_INTEGER);
  const minUsableFrames = intOption('min-usable-frames', values['min-usable-frames'], 1, Number.MAX_SAFE_INTEGER);
  // The schema's bounds for inference.intraOpThreads.
  const intraOpThreads = intOption('threads', values.threads, 1, 16);

  const { config } = loadConfig({ file: values.config ?? io.env.MYOSCREEN_CONFIG, env: io.env });
  const dataset = await readDataset(values.data, { split, limitPatients });
  const total = dataset.patients.reduce((sum, patient) => sum + patient.rows.length, 0);
  io.stderr(`evaluating ${total} images of ${dataset.patients.length} patients from ${dataset.labelsPath}\n`);
  // The worker engine logs only trouble (a hung run, a worker replaced); it goes to stderr beside the progress.
  const logger = createRootLogger({ level: 'warn', deviceId: config.device.id, destination: { write: (line: string) => io.stderr(line) } });
  let lastReport = 0;
  const report = await runEvaluation({
    config,
    dataset,
    packageDir: values.package === undefined ? null : resolve(values.package),
    minUsableFrames,
    intraOpThreads,
    logger,
    onModelLoaded: (summary) => io.stderr(`${summary}\n`),
    onProgress: (done, of) => {
      const now = Date.now();
      if (done === of || now - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = now;
        io.stderr(`evaluated ${done}/${of}\n`);
      }
    },
  });
  if (values.json) printJson(io, report);
  else io.stdout(formatReport(report));
  return 0;
}

function parseSplit(raw: string): SplitFilter {
  const split = SPLIT_FILTERS.find((name) => name === raw);
  if (split === undefined) throw new MyoError('MYO_ERR_USAGE', `--split must be one of ${SPLIT_FILTERS.join(', ')}, got "${raw}"`);
  return split;
}

/** An optional integer flag within [min, max]; null when absent. */
function intOption(name: string, raw: string | undefined, min: number, max: number): number | null {
  if (raw === undefined) return null;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new MyoError('MYO_ERR_USAGE', `--${name} must be an integer ${range}, got "${raw}"`);
  }
  return value;
}
