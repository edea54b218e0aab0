import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { MyoError } from '../../core/errors.js';

/**
 * Opens a serial device as the driver's link: 8N1 at `baudRate`, the Nextion's framing. Give it a stable path
 * (`/dev/serial/by-id/...` or the udev name), never a path found with `SerialPort.list()`, which spawns udevadm.
 */
export function serialPortOpener(path: string, baudRate: number): () => Promise<Duplex> {
  return () =>
    new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
      port.open((error) => {
        if (error) reject(new MyoError('MYO_ERR_DISPLAY_PORT', `cannot open display port ${path}: ${error.message}`, { path }, { cause: error }));
        else resolve(port);
      });
    });
}
