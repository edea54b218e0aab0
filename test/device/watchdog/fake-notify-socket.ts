import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface Datagram {
  readonly text: string;
  /** performance.now() when the test process read it. */
  readonly atMs: number;
}

/**
 * A stand-in for systemd's notify socket: `socat -u -x UNIX-RECV:<path>` (or ABSTRACT-RECV) receives datagrams and
 * hex-dumps each one to stderr behind a `length=N` header, so message boundaries survive (its stdout copy would
 * run datagrams together). Kill it with stop().
 */
export class FakeNotifySocket {
  readonly address: string;
  readonly datagrams: Datagram[] = [];
  readonly #child: ChildProcess;
  #exited = false;
  #stderrTail = '';
  #pending: { remaining: number; bytes: number[] } | null = null;

  private constructor(address: string, child: ChildProcess) {
    this.address = address;
    this.#child = child;
    child.once('exit', () => {
      this.#exited = true;
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.#parse(chunk));
  }

  /** `address` is a socket file path (`/...`) or an abstract name (`@...`). Resolves once socat has bound it. */
  static async start(address: string): Promise<FakeNotifySocket> {
    const spec = address.startsWith('@') ? `ABSTRACT-RECV:${address.slice(1)}` : `UNIX-RECV:${address},unlink-early`;
    const child = spawn('socat', ['-u', '-x', spec, '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const socket = new FakeNotifySocket(address, child);
    const deadline = performance.now() + 5000;
    while (!socket.#isBound()) {
      if (socket.#exited) throw new Error(`socat exited before binding ${address}: ${socket.#stderrTail}`);
      if (performance.now() > deadline) throw new Error(`socat did not bind ${address} within 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return socket;
  }

  texts(): string[] {
    return this.datagrams.map((d) => d.text);
  }

  /** Resolves when `predicate` holds over the datagrams received so far; rejects after `timeoutMs`. */
  async waitFor(predicate: (datagrams: readonly Datagram[]) => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate(this.datagrams)) {
      if (performance.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(this.texts())}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    await exited;
  }

  #isBound(): boolean {
    if (!this.address.startsWith('@')) return existsSync(this.address);
    // Abstract sockets have no file: the kernel lists bound ones in /proc/net/unix as `@name`.
    return readFileSync('/proc/net/unix', 'utf8').split('\n').some((line) => line.endsWith(` ${this.address}`));
  }

  /** `> 2026/01/01 12:00:00.000001  length=7 from=0 to=6` then hex byte lines until `length` bytes are read. */
  #parse(chunk: string): void {
    const text = this.#stderrTail + chunk;
    const lines = text.split('\n');
    this.#stderrTail = lines.pop() ?? '';
    for (const line of lines) {
      const header = /length=(\d+) from=\d+ to=\d+/.exec(line);
      if (header) {
        this.#pending = { remaining: Number(header[1]), bytes: [] };
        continue;
      }
      const pending = this.#pending;
      if (!pending) continue;
      for (const hex of line.trim().split(/\s+/)) {
        if (/^[0-9a-f]{2}$/i.test(hex)) pending.bytes.push(Number.parseInt(hex, 16));
      }
      if (pending.bytes.length >= pending.remaining) {
        this.datagrams.push({ text: Buffer.from(pending.bytes).toString('utf8'), atMs: performance.now() });
        this.#pending = null;
      }
    }
  }
}
