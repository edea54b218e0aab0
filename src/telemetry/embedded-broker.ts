import { createServer, type Server } from 'node:net';
import aedes from 'aedes';
import { MyoError } from '../core/errors.js';
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';

/**
 * The broker `npm start` publishes to when no broker is configured (ARCHITECTURE section 8): aedes, in memory, on
 * loopback only, so a technician can `mosquitto_sub -h 127.0.0.1 -t 'myoscreen/#' -v` on a bare machine. aedes does
 * not fully speak MQTT 5 (FACTS.md), so the daemon's client uses 3.1.1 against it. Nothing survives a restart of
 * the embedded broker: the durable outbox, not the broker, is what keeps messages.
 */
export class EmbeddedBroker implements Lifecycle {
  readonly name = 'embedded-broker';
  readonly #host: string;
  readonly #port: number;
  readonly #logger: Logger;
  #server: Server | null = null;
  #broker: ReturnType<typeof aedes.createBroker> | null = null;
  #address: { host: string; port: number } | null = null;

  constructor(options: { host: string; port: number; logger: Logger }) {
    this.#host = options.host;
    this.#port = options.port;
    this.#logger = options.logger;
  }

  get address(): { host: string; port: number } | null {
    return this.#address;
  }

  get url(): string {
    const a = this.#address;
    if (!a) throw new MyoError('MYO_ERR_NOT_READY', 'embedded broker is not listening');
    return `mqtt://${a.host}:${a.port}`;
  }

  async start(): Promise<void> {
    const broker = aedes.createBroker();
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(new MyoError('MYO_ERR_IO', `embedded MQTT broker cannot listen on ${this.#host}:${this.#port}: ${error.message}`, {}, { cause: error })),
      );
      server.listen(this.#port, this.#host, () => resolve());
    });
    const address = server.address();
    this.#address = { host: this.#host, port: typeof address === 'object' && address ? address.port : this.#port };
    this.#server = server;
    this.#broker = broker;
    this.#logger.info({ url: this.url }, 'embedded MQTT broker listening (no mqtt.url configured)');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = null;
    this.#broker = null;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
