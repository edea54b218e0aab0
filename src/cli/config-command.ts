import { parseArgs } from 'node:util';
import { listEnvKeys, loadConfig, ConfigSchema } from '../core/config/index.js';
import { MyoError, toMyoError } from '../core/errors.js';
import { formatTable, printJson, type CliIo } from './output.js';

const USAGE = `usage:
  myoscreen config check FILE [--json]     validate a configuration file (with MYOSCREEN_* overrides)
  myoscreen config show [--config FILE] [--json]   print the effective configuration
  myoscreen config env [--json]            list every key and the environment variable that overrides it
`;

export async function configCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { json: { type: 'boolean', default: false }, config: { type: 'string', short: 'c' } },
    allowPositionals: true,
  });
  switch (sub) {
    case 'check':
      return check(positionals[0] ?? values.config, values.json, io);
    case 'show': {
      const loaded = loadConfig({ file: values.config ?? io.env.MYOSCREEN_CONFIG, env: io.env });
      if (values.json) printJson(io, loaded.config);
      else io.stdout(`${JSON.stringify(loaded.config, null, 2)}\n`);
      return 0;
    }
    case 'env': {
      const keys = listEnvKeys(ConfigSchema).map((key) => ({ path: key.path, env: key.name }));
      if (values.json) printJson(io, { keys });
      else io.stdout(formatTable(['key', 'environment variable'], keys.map((k) => [k.path, k.env])));
      return 0;
    }
    default:
      throw new MyoError('MYO_ERR_USAGE', `unknown config subcommand "${sub ?? ''}"\n${USAGE}`);
  }
}

function check(file: string | undefined, json: boolean, io: CliIo): number {
  if (!file) throw new MyoError('MYO_ERR_USAGE', `config check needs a FILE\n${USAGE}`);
  try {
    // The same load the daemon does (file, MYOSCREEN_* overrides, defaults, cross-key rules), so check and start agree.
    loadConfig({ file, env: io.env });
  } catch (error) {
    const coded = toMyoError(error);
    const issues = Array.isArray(coded.details.issues) ? coded.details.issues : [];
    if (json) printJson(io, { valid: false, file, code: coded.code, message: coded.message, issues });
    else io.stderr(`${coded.code}: ${coded.message}\n`);
    return coded.exitCode;
  }
  if (json) printJson(io, { valid: true, file, issues: [] });
  else io.stdout(`${file}: valid\n`);
  return 0;
}
