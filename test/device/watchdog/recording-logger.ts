import { pino } from 'pino';
import type { Logger } from '../../../src/core/logger.js';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A debug-level logger whose lines the test reads back. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;
