import type { Clock } from '../../core/clock.js';
import type { DisplayConfig } from '../../core/config/schema.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Logger } from '../../core/logger.js';
import { EmulatedDisplay } from './emulated-display.js';
import { NextionDisplay } from './nextion-display.js';
import { serialPortOpener } from './serial-link.js';
import type { StatusDisplay } from './status-display.js';

/** The display the configuration asks for: the Nextion on `display.port`, or the emulator when none is set. */
export function createStatusDisplay(deps: { config: DisplayConfig; bus: EventBus; logger: Logger; clock?: Clock }): StatusDisplay {
  const { config, bus, logger } = deps;
  const clock = deps.clock === undefined ? {} : { clock: deps.clock };
  if (config.port === '') return new EmulatedDisplay({ bus, logger, baudRate: config.baudRate, logScreen: config.logEmulator, ...clock });
  return new NextionDisplay({
    open: serialPortOpener(config.port, config.baudRate),
    portName: config.port,
    baudRate: config.baudRate,
    bus,
    logger,
    ...clock,
  });
}
