import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadConfig } from './core/config/index.js';
import { isMyoError, toMyoError } from './core/errors.js';
import { createRootLogger } from './core/logger.js';
import { createDaemon } from './daemon.js';
import { SystemdNotifier } from './device/watchdog/systemd-notifier.js';

/** SIGTERM/SIGINT must end the process within this time even if a part hangs while stopping. */
const STOP_DEADLINE_MS = 2000;
/**
 * While a start may build a TensorRT engine (minutes on an Orin with a cold cache), ask systemd for 60 s more every
 * 20 s: TimeoutStartSec then only catches a start that stopped running, and inference.loadTimeoutMs bounds the build.
 */
const EXTEND_START_EVERY_MS = 20_000;
const EXTEND_START_BY_USEC = 60_000_000;

/** 75 (EX_TEMPFAIL): a clean stop because a restart was asked for; the unit restarts on it (RestartForceExitStatus=75). */
export const EXIT = { ok: 0, failure: 1, forced: 2, restart: 75 } as const;

/**
 * Process glue only: arguments, configuration, the root logger, signals and exit codes. Everything else happens in
 * createDaemon, which tests build directly.
 */
export async function runDaemon(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { config: { type: 'string', short: 'c' } },
    allowPositionals: false,
  });
  const file = values.config ?? env.MYOSCREEN_CONFIG;

  let loaded;
  try {
    loaded = loadConfig({ file, env });
  } catch (error) {
    const coded = toMyoError(error);
    process.stderr.write(`myoscreen: ${coded.code}: ${coded.message}\n`);
    return coded.exitCode;
  }

  const { config } = loaded;
  const logger = createRootLogger({ level: config.log.level, deviceId: config.device.id });
  logger.info({ configFile: loaded.file ?? '(embedded defaults)', envOverrides: loaded.envOverrides }, 'configuration loaded');
  // systemd Type=notify: READY=1 once every part runs, WATCHDOG=1 only while capture and inference progress,
  // STOPPING=1 when asked to stop. Without NOTIFY_SOCKET (a shell, a test) every call does nothing.
  const notifier = new SystemdNotifier({ env, pid: process.pid, logger: logger.child({ component: 'systemd' }) });
  const daemon = createDaemon({ config, logger, notifier });
  const startAbort = new AbortController();

  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals | 'restart'): void => {
      if (stopping && signal === 'restart') return;
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        logger.flush();
        resolve(EXIT.forced);
        return;
      }
      stopping = true;
      logger.info({ signal }, 'stop requested');
      notifier.stopping();
      startAbort.abort(new Error(`stopped by ${signal}`));
      const deadline = setTimeout(() => {
        logger.error({ deadlineMs: STOP_DEADLINE_MS }, 'stop deadline passed: exiting anyway');
        resolve(EXIT.forced);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      daemon
        .stop()
        .then(() => resolve(signal === 'restart' ? EXIT.restart : EXIT.ok))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'stop failed');
          resolve(EXIT.failure);
        })
        .finally(() => clearTimeout(deadline));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    daemon.bus.on('restartRequested', (e) => {
      logger.warn({ reason: e.reason }, 'restarting on request');
      onSignal('restart');
    });
  });

  const extendStart = config.inference.providers.includes('tensorrt')
    ? setInterval(() => notifier.extendTimeout(EXTEND_START_BY_USEC), EXTEND_START_EVERY_MS)
    : null;
  if (extendStart) notifier.extendTimeout(EXTEND_START_BY_USEC);
  try {
    await daemon.start(startAbort.signal);
    if (extendStart) clearInterval(extendStart);
    notifier.ready();
    notifier.status('screening');
  } catch (error) {
    if (extendStart) clearInterval(extendStart);
    if (startAbort.signal.aborted) return stopped;
    const coded = toMyoError(error);
    logger.fatal({ err: error, code: coded.code }, 'start failed');
    await daemon.stop().catch(() => undefined);
    logger.flush();
    return isMyoError(error) ? error.exitCode : EXIT.failure;
  }
  const code = await stopped;
  logger.flush();
  return code;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && import.meta.url === pathToFileURL(entry).href;
}

if (isEntryPoint()) {
  process.on('uncaughtException', (error) => {
    process.stderr.write(`myoscreen: uncaught exception: ${error.stack ?? error.message}\n`);
    process.exit(70);
  });
  runDaemon(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Anything still holding the loop open (a stuck socket) must not keep a stopped daemon alive.
      setTimeout(() => process.exit(code), 200).unref();
    },
    (error: unknown) => {
      process.stderr.write(`myoscreen: ${String(error)}\n`);
      process.exit(EXIT.failure);
    },
  );
}
