import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, readlink, unlink } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { MyoError } from '../../core/errors.js';
import { NextionEmulator } from './display-emulator.js';

export interface PtyEmulatorOptions {
  /** The emulator to serve (default a fresh one); pass the same one to keep its state across PTYs. */
  readonly emulator?: NextionEmulator;
  /** Send the start-up messages once the PTY is up, as a display does at power-on (default true). */
  readonly powerOn?: boolean;
  /** How long socat may take to create the pair (default 5000 ms). */
  readonly startTimeoutMs?: number;
}

export interface PtyEmulator {
  readonly emulator: NextionEmulator;
  /** The link the driver opens, as it would open /dev/ttyUSB0. */
  readonly path: string;
  /** The other end, held by the emulator. */
  readonly emulatorPath: string;
  /** Ends the PTY pair (socat is stopped, its links removed); the driver sees its port fail. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Serves a NextionEmulator on a real pseudo-terminal pair, so the driver runs its production path (serialport,
 * termios, the kernel's tty layer): `socat` creates two linked PTYs, `path` for the driver and `<path>.emulator`
 * for the emulator, which this function opens with serialport. Loopback only; nothing leaves the machine.
 */
export async function emulatorOverPty(path: string, options: PtyEmulatorOptions = {}): Promise<PtyEmulator> {
  const emulator = options.emulator ?? new NextionEmulator();
  const emulatorPath = `${path}.emulator`;
  await removeStaleLink(path);
  await removeStaleLink(emulatorPath);
  const { child: socat, ptys } = await startSocat(path, emulatorPath, options.startTimeoutMs ?? 5000);
  let port: SerialPort;
  try {
    port = await openPort(emulatorPath);
  } catch (error) {
    await stopSocat(socat);
    throw error;
  }
  port.on('error', () => undefined); // the PTY vanishing under us is how a stop looks from this side
  port.on('data', (chunk: Buffer) => {
    emulator.receive(chunk);
  });
  const stopTransmit = emulator.onTransmit((bytes) => {
    if (port.isOpen) port.write(bytes, () => undefined);
  });
  if (options.powerOn ?? true) emulator.powerOn();

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopTransmit();
      await new Promise<void>((resolve) => {
        if (!port.isOpen) resolve();
        else port.close(() => resolve());
      });
      await stopSocat(socat);
      // Only our own links: a newer PTY pair may already be serving the same path.
      await removeStaleLink(path, ptys);
      await removeStaleLink(emulatorPath, ptys);
    })();
    return stopped;
  };
  return { emulator, path, emulatorPath, stop };
}

function startSocat(path: string, emulatorPath: string, timeoutMs: number): Promise<{ child: ChildProcess; ptys: readonly string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${path}`, `pty,raw,echo=0,link=${emulatorPath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let settled = false;
    const fail = (reason: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new MyoError('MYO_ERR_DISPLAY_PORT', `display emulator PTY: ${reason}`, { path, stderr: stderr.slice(-500) }, { cause }));
    };
    const timer = setTimeout(() => fail(`socat did not create the PTY pair within ${timeoutMs} ms`), timeoutMs);
    const onSpawnError = (error: Error): void => fail(`cannot start socat: ${error.message}`, error);
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`socat exited early (${signal ?? code})`);
    child.once('error', onSpawnError);
    child.once('exit', onEarlyExit);
    const onStderr = (chunk: Buffer): void => {
      stderr += chunk.toString();
      // With -d -d socat reports when both PTYs exist and it has started copying between them.
      if (settled || !stderr.includes('starting data transfer loop')) return;
      settled = true;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      child.off('error', onSpawnError);
      child.on('error', () => undefined);
      // Keep draining socat's diagnostics (a full pipe would block it) without holding on to them.
      child.stderr.off('data', onStderr);
      child.stderr.resume();
      resolve({ child, ptys: [...stderr.matchAll(/PTY is (\S+)/g)].map((m) => m[1] ?? '') });
    };
    child.stderr.on('data', onStderr);
  });
}

async function stopSocat(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
  await exited;
  clearTimeout(timer);
}

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    port.open((error) => {
      if (error) reject(new MyoError('MYO_ERR_DISPLAY_PORT', `cannot open the emulator's PTY ${path}: ${error.message}`, { path }, { cause: error }));
      else resolve(port);
    });
  });
}

/**
 * Removes a symlink left by a socat that was killed hard (only one pointing into `targets` when given); never
 * touches anything that is not a symlink.
 */
async function removeStaleLink(path: string, targets?: readonly string[]): Promise<void> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return;
    if (targets === undefined || targets.includes(await readlink(path))) await unlink(path);
  } catch {
    // Not there: nothing to remove.
  }
}
