import { toMyoError, MyoError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { runDaemon } from '../main.js';
import { configCommand } from './config-command.js';
import { evaluateCommand } from './evaluate-command.js';
import { modelCommand } from './model-command.js';
import { fleetCommand } from './fleet-command.js';
import { processIo, type CliIo } from './output.js';
import { phantomCommand } from './phantom-command.js';
import { selftestCommand } from './selftest-command.js';
import { displayCommand } from './display-command.js';
import { captureCommand } from './capture-command.js';

const USAGE = `myoscreen ${VERSION}: myometrial invasion screening appliance (demonstration, not a clinical device)

usage: myoscreen <command> [options]

commands:
  run [--config FILE]          run the daemon (the default command)
  config check FILE [--json]   validate a configuration file
  config show [--json]         print the effective configuration
  config env [--json]          list configuration keys and their environment variables
  phantom export --out DIR --count N [--seed S] [--size PX] [--positive-fraction F] [--threshold T] [--json]
                               write a phantom data set in the training layout
  model pack|verify|keygen     sign a training export, verify a package, make a signing key
  fleet publish|job|status|keygen  sign and publish a group's desired model or a cart's job; watch the fleet
  evaluate --data DIR [--package DIR] [--split S] [--limit N] [--min-usable-frames N] [--threads N] [--json]
                               evaluate a model package on a data set through the live screening path
  selftest [--json]            check capture, model, display, disk, broker and clock (exit 1 on a failure)
  display test [--port PATH]   cycle every page on the display (default: the configured one, or the emulator)
  capture probe [--json]       list V4L2 devices and their formats (what to put in capture.v4l2.*)
  version                      print the version
`;

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'run':
        return await runDaemon(rest, { ...io.env });
      case 'config':
        return await configCommand(rest, io);
      case 'phantom':
        return await phantomCommand(rest, io);
      case 'model':
        return await modelCommand(rest, io);
      case 'fleet':
        return await fleetCommand(rest, io);
      case 'evaluate':
        return await evaluateCommand(rest, io);
      case 'selftest':
        return await selftestCommand(rest, io);
      case 'display':
        return await displayCommand(rest, io);
      case 'capture':
        return await captureCommand(rest, io);
      case 'version':
      case '--version':
        io.stdout(`${VERSION}\n`);
        return 0;
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return 0;
      default:
        throw new MyoError('MYO_ERR_USAGE', `unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    const nodeCode = (error as { code?: unknown }).code;
    const isUsage = typeof nodeCode === 'string' && nodeCode.startsWith('ERR_PARSE_ARGS_');
    const coded = toMyoError(error, isUsage ? 'MYO_ERR_USAGE' : 'MYO_ERR_INTERNAL');
    io.stderr(`myoscreen: ${coded.code}: ${coded.message}\n`);
    return coded.exitCode;
  }
}
