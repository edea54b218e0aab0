import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** Stops the broker (SIGTERM); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Kills it for good and removes nothing the test still reads. */
  close(): Promise<void>;
}

/** A free TCP port on loopback (bound and released; the race with other processes is accepted in tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real mosquitto (Debian's package) on a free loopback port, configured by the test: anonymous, in-memory
 * persistence so a stop/start keeps retained messages and sessions only when `persistence` is asked for.
 */
export async function startMosquitto(options: { persistence?: boolean; extraConfig?: string[]; port?: number } = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'myo-mosquitto-'));
  const port = options.port ?? (await freePort());
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${options.persistence ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      'log_dest none',
      // Started as root (CI), mosquitto would drop to the `mosquitto` user and could not read the test's private
      // temp folders (certificates, persistence): keep the test's own user.
      `user ${userInfo().username}`,
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    await waitForPort(port, 5000);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return { port, url: `mqtt://127.0.0.1:${port}`, stop, start, close: stop };
}

/**
 * A loopback TCP relay in front of the broker: `cut()` destroys every relayed connection at once, as a pulled cable
 * or a power cut would (no MQTT DISCONNECT is sent), while the broker itself keeps running. `holdReplies()` stops
 * passing the broker's bytes back on the connections open now (the broker still gets the client's publishes, the
 * client never sees their PUBACKs): a message is then "between publish and acknowledgement" for as long as needed.
 */
export async function tcpRelay(targetPort: number, listenPort = 0): Promise<{ port: number; url: string; cut(): void; holdReplies(): void; close(): Promise<void> }> {
  const { createServer: createTcpServer, createConnection: connect } = await import('node:net');
  const pairs = new Set<{ destroy(): void; hold(): void }>();
  const server = createTcpServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port: targetPort });
    let held = false;
    inbound.pipe(outbound);
    outbound.on('data', (chunk: Buffer) => {
      if (!held) inbound.write(chunk);
    });
    const pair = {
      destroy: () => {
        inbound.destroy();
        outbound.destroy();
      },
      hold: () => {
        held = true;
      },
    };
    pairs.add(pair);
    const drop = (): void => {
      pair.destroy();
      pairs.delete(pair);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    cut: () => {
      for (const pair of pairs) pair.destroy();
      pairs.clear();
    },
    holdReplies: () => {
      for (const pair of pairs) pair.hold();
    },
    close: () =>
      new Promise((resolve) => {
        for (const pair of pairs) pair.destroy();
        server.close(() => resolve());
      }),
  };
}
