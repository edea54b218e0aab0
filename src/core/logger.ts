import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys that never reach a log line. Declared once here; later rooms add their secrets (broker password, API tokens,
 * signing keys) to this list rather than redacting at call sites.
 */
export const REDACT_PATHS: readonly string[] = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  '*.tokens',
  '*.*.tokens',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'privateKey',
  '*.privateKey',
];

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  readonly deviceId: string;
  /** Where lines go; stdout (journald picks it up) unless a test passes a stream to read them back. */
  readonly destination?: DestinationStream;
}

/** The one root logger of a process; every part takes `root.child({ component })`. */
export function createRootLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { device: options.deviceId },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
