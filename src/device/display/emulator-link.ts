import { Duplex } from 'node:stream';
import type { NextionEmulator } from './display-emulator.js';

/**
 * An in-process "cable" between the driver and an emulator: `open()` gives the driver a Duplex, as a SerialPort
 * would be, and bytes cross asynchronously (never inside the writer's call) as they would over a wire. `unplug()`
 * breaks the current cable the way a yanked USB adapter does (an error, then close); `refuse()` makes the next
 * opens fail, as a missing device node would.
 */
export class EmulatorLink {
  readonly #emulator: NextionEmulator;
  #current: Duplex | null = null;
  #refuseOpens = false;
  #opens = 0;

  constructor(emulator: NextionEmulator) {
    this.#emulator = emulator;
  }

  get opens(): number {
    return this.#opens;
  }

  get connected(): boolean {
    return this.#current !== null && !this.#current.destroyed;
  }

  /** Whether the next opens fail (a device that is not there). */
  refuse(on: boolean): void {
    this.#refuseOpens = on;
  }

  open(): Promise<Duplex> {
    if (this.#refuseOpens) return Promise.reject(new Error('ENOENT: no such display (emulator refusing)'));
    this.#current?.destroy();
    this.#opens += 1;
    const emulator = this.#emulator;
    let stopListening: () => void = () => undefined;
    const cable = new Duplex({
      read() {
        // Bytes are pushed as the emulator transmits them.
      },
      write(chunk: Buffer, _encoding, callback) {
        setImmediate(() => {
          if (!cable.destroyed) emulator.receive(chunk);
          callback();
        });
      },
      destroy(error, callback) {
        stopListening();
        callback(error);
      },
    });
    stopListening = emulator.onTransmit((bytes) => {
      setImmediate(() => {
        if (!cable.destroyed) cable.push(bytes);
      });
    });
    this.#current = cable;
    return Promise.resolve(cable);
  }

  /** Breaks the current cable: the driver sees an error and a close. */
  unplug(): void {
    const cable = this.#current;
    this.#current = null;
    cable?.destroy(new Error('EIO: emulator cable unplugged'));
  }
}
