import { EventBus } from '../../../src/core/event-bus.js';
import { NextionEmulator } from '../../../src/device/display/display-emulator.js';
import { EmulatedDisplay } from '../../../src/device/display/emulated-display.js';
import { EmulatorLink } from '../../../src/device/display/emulator-link.js';
import { MemoryDisplay } from '../../../src/device/display/memory-display.js';
import { NextionDisplay } from '../../../src/device/display/nextion-display.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { screenOf, snapshot } from './helpers.js';
import { describeStatusDisplayContract } from './status-display.contract.js';

const BUTTON = { start: 'bStart', end: 'bEnd', acknowledge: 'bAck' } as const;

describeStatusDisplayContract('MemoryDisplay', () => {
  const bus = new EventBus();
  const display = new MemoryDisplay({ bus });
  return {
    display,
    bus,
    settle: () => Promise.resolve(),
    presents: (expected) => Promise.resolve({ actual: display.current, expected }),
    touch: (action) => display.press(action),
  };
});

describeStatusDisplayContract('NextionDisplay + emulator', () => {
  const bus = new EventBus();
  const emulator = new NextionEmulator();
  const link = new EmulatorLink(emulator);
  emulator.powerOn();
  const display = new NextionDisplay({ open: () => link.open(), portName: 'emulator', baudRate: 115_200, bus, logger: silentLogger() });
  return {
    display,
    bus,
    settle: () => display.settled(AbortSignal.timeout(3000)),
    presents: (expected) => Promise.resolve({ actual: snapshot(emulator), expected: screenOf(expected) }),
    touch: (action) => emulator.touch(BUTTON[action]),
  };
});

describeStatusDisplayContract('EmulatedDisplay (the default without a serial port)', () => {
  const bus = new EventBus();
  const display = new EmulatedDisplay({ bus, logger: silentLogger(), baudRate: 115_200 });
  return {
    display,
    bus,
    settle: () => display.settled(AbortSignal.timeout(3000)),
    presents: (expected) => Promise.resolve({ actual: snapshot(display.emulator), expected: screenOf(expected) }),
    touch: (action) => display.emulator.touch(BUTTON[action]),
  };
});
