import type { IPublishPacket } from 'mqtt';
import { MyoError, toMyoError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { decodeCommand, encodePayload, isRequestExpired, topicFor, type CommandArgs, type Envelope } from '../contract/index.js';
import { ResponseCache } from './response-cache.js';

/** What the commands do; the daemon supplies each one (telemetry itself knows only the wire). */
export interface CommandActions {
  health(): unknown;
  republish(topics: readonly string[]): unknown;
  config(): Record<string, unknown>;
  setLogLevel(level: CommandArgs<'log_level/set'>['level'], durationS: number): unknown;
  restart(args: CommandArgs<'restart'>): unknown;
  selftest(args: CommandArgs<'selftest'>): Promise<unknown>;
  displayTest(args: CommandArgs<'display/test'>): Promise<unknown>;
  /** Absent until the model store exists: the command then answers MYO_ERR_NOT_READY. */
  rollback?: ((args: CommandArgs<'model/rollback'>) => Promise<unknown>) | undefined;
}

type Outcome = { ok: true; result?: unknown } | { ok: false; error: { code: string; message: string } };

export interface CommandHandlerDeps {
  readonly deviceId: string;
  readonly actions: CommandActions;
  readonly logger: Logger;
  readonly envelope: () => Envelope;
  /** Publishes a response (QoS 1); rejects when the connection is down (the fleet retries with the same id). */
  readonly publish: (topic: string, payload: Buffer, correlationData: Buffer | undefined) => Promise<void>;
  readonly now?: () => number;
}

const DEFAULT_LOG_LEVEL_S = 3600;
/** How long a request id keeps its answer: longer than any sane retry, short enough to stay small. */
const REPEAT_WINDOW_MS = 10 * 60_000;
const MAX_REMEMBERED = 1024;
const MAX_MESSAGE = 400;

/**
 * `cmd/req/{name}` -> `cmd/res/{name}` (ARCHITECTURE section 6): decode and validate (decodeCommand never throws),
 * drop expired requests with a coded answer, answer a repeated id from the cache without running it again, run the
 * command, and answer on the MQTT 5 response topic with the correlation data when the request gave them. Nothing a
 * request contains can throw out of `handle`.
 */
export class CommandHandler {
  readonly #deps: CommandHandlerDeps;
  readonly #now: () => number;
  readonly #answers: ResponseCache<Outcome>;
  readonly #counts = { handled: 0, refused: 0, repeated: 0 };

  constructor(deps: CommandHandlerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#answers = new ResponseCache({ maxEntries: MAX_REMEMBERED, ttlMs: REPEAT_WINDOW_MS, now: this.#now });
  }

  stats(): { handled: number; refused: number; repeated: number; remembered: number } {
    return { ...this.#counts, remembered: this.#answers.size };
  }

  async handle(topic: string, payload: Buffer, packet: Pick<IPublishPacket, 'properties'>): Promise<void> {
    try {
      await this.#handle(topic, payload, packet);
    } catch (error) {
      this.#deps.logger.error({ err: error, topic: topic.slice(0, 200) }, 'command handling failed');
    }
  }

  async #handle(topic: string, payload: Buffer, packet: Pick<IPublishPacket, 'properties'>): Promise<void> {
    const decoded = decodeCommand(topic, payload, { deviceId: this.#deps.deviceId });
    const respond = (name: string, id: string, outcome: Outcome): Promise<void> => this.#respond(name, id, outcome, packet);
    if (!decoded.ok) {
      this.#counts.refused += 1;
      if (decoded.correlationId) await respond(decoded.name ?? 'unknown', decoded.correlationId, { ok: false, error: decoded.error });
      return;
    }
    const { name, request } = decoded;
    if (isRequestExpired(request, new Date(this.#now()))) {
      this.#counts.refused += 1;
      await respond(name, request.id, { ok: false, error: { code: 'MYO_ERR_COMMAND_EXPIRED', message: `request expired at ${request.expiresAt ?? '?'}` } });
      return;
    }
    const { value, repeated } = this.#answers.answer(`${name}\u0000${request.id}`, () => this.#run(decoded));
    if (repeated) this.#counts.repeated += 1;
    else this.#counts.handled += 1;
    await respond(name, request.id, await value);
  }

  async #run(decoded: Extract<ReturnType<typeof decodeCommand>, { ok: true }>): Promise<Outcome> {
    const { actions } = this.#deps;
    try {
      switch (decoded.name) {
        case 'health_check':
          return { ok: true, result: actions.health() };
        case 'republish':
          return { ok: true, result: actions.republish(decoded.request.args.topics ?? ['status', 'info', 'health', 'model/state']) };
        case 'config/get':
          return { ok: true, result: pick(actions.config(), decoded.request.args.path) };
        case 'log_level/set':
          return { ok: true, result: actions.setLogLevel(decoded.request.args.level, decoded.request.args.durationS ?? DEFAULT_LOG_LEVEL_S) };
        case 'restart':
          return { ok: true, result: actions.restart(decoded.request.args) };
        case 'selftest':
          return { ok: true, result: await actions.selftest(decoded.request.args) };
        case 'display/test':
          return { ok: true, result: await actions.displayTest(decoded.request.args) };
        case 'model/rollback': {
          const rollback = actions.rollback;
          if (!rollback) throw new MyoError('MYO_ERR_NOT_READY', 'this daemon has no model store to roll back in');
          return { ok: true, result: await rollback(decoded.request.args) };
        }
      }
    } catch (error) {
      const coded = toMyoError(error);
      return { ok: false, error: { code: coded.code, message: coded.message.slice(0, MAX_MESSAGE) } };
    }
  }

  async #respond(name: string, id: string, outcome: Outcome, packet: Pick<IPublishPacket, 'properties'>): Promise<void> {
    const responseTopic = packet.properties?.responseTopic ?? topicFor(this.#deps.deviceId, 'commandResponse', { name });
    const envelope = this.#deps.envelope();
    let bytes: Buffer;
    try {
      bytes = encodePayload('commandResponse', { id, ...outcome }, envelope);
    } catch (error) {
      // A result the contract refuses (too big, not JSON) must still get an answer.
      bytes = encodePayload('commandResponse', { id, ok: false, error: { code: 'MYO_ERR_INTERNAL', message: toMyoError(error).message.slice(0, MAX_MESSAGE) } }, envelope);
    }
    await this.#deps.publish(responseTopic, bytes, packet.properties?.correlationData).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error, command: name }, 'command response not sent (the fleet retries with the same id)');
    });
  }
}

/** `config/get` with a dotted path: the value there, or null when the path names nothing. */
function pick(config: Record<string, unknown>, path: string | undefined): unknown {
  if (!path) return config;
  let node: unknown = config;
  for (const key of path.split('.')) node = typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  return { path, value: node ?? null };
}
