import type { AddressInfo } from 'node:net';
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';

/** What the server needs of the app: fastify satisfies it, whatever its logger type. */
export interface ListenableApp {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): PromiseLike<unknown>;
  readonly server: { address(): AddressInfo | string | null };
}

/** The listening half of the API: binds the app built by buildApiApp to host:port, closes it on stop. */
export class ApiServer implements Lifecycle {
  readonly name = 'api';
  readonly #app: ListenableApp;
  readonly #host: string;
  readonly #port: number;
  readonly #logger: Logger;
  #address: { host: string; port: number } | null = null;

  constructor(deps: { app: ListenableApp; host: string; port: number; logger: Logger }) {
    this.#app = deps.app;
    this.#host = deps.host;
    this.#port = deps.port;
    this.#logger = deps.logger;
  }

  async start(): Promise<void> {
    await this.#app.listen({ host: this.#host, port: this.#port });
    const address = this.#app.server.address();
    const port = typeof address === 'object' && address ? address.port : this.#port;
    this.#address = { host: this.#host, port };
    this.#logger.info({ url: `http://${this.#host}:${port}` }, 'API listening');
  }

  /** The bound address (useful when port 0 picked a free one). */
  get address(): { host: string; port: number } | null {
    return this.#address;
  }

  async stop(): Promise<void> {
    if (!this.#address) return;
    this.#address = null;
    await this.#app.close();
  }
}
