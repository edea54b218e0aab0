import { toMyoError } from '../../core/errors.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';
import type { TrustedKeys } from '../../infer/package/keys.js';
import { TOPIC_LEVEL_PATTERN } from '../../telemetry/contract/common-schemas.js';
import { topicFor } from '../../telemetry/contract/topic-path.js';
import { readDesiredDocument, readJobDocument } from '../documents/read-documents.js';
import type { ReplayGuard } from '../documents/replay-guard.js';
import type { UpdateAgent, UpdateReporter } from './update-agent.js';

/** The one method of the telemetry service the listener needs (MQTT subscription kept across reconnects). */
export interface MessageSubscriber {
  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): () => void;
}

export interface FleetListenerDeps {
  readonly deviceId: string;
  readonly group: string;
  readonly subscriber: MessageSubscriber;
  /** Keys that sign fleet documents (fleet.trustedKeys). */
  readonly trusted: TrustedKeys;
  readonly replay: ReplayGuard;
  readonly agent: Pick<UpdateAgent, 'submit' | 'reconcile'>;
  readonly reporter: Pick<UpdateReporter, 'jobStatus'>;
  readonly logger: Logger;
  /** Wall time for document expiry. */
  readonly now?: () => Date;
}

const LEVEL = new RegExp(TOPIC_LEVEL_PATTERN);

/**
 * Listens for this cart's job documents (`jobs/{jobId}`) and its group's retained desired state, checks each
 * (signature by a fleet key, schema, addressee, expiry, replay) and hands it to the agent. A refused job is answered
 * on its status topic with the refusal's code; a replayed one only in the log (answering it would let anyone make
 * the cart publish). Nothing a message contains can throw out of here.
 */
export class FleetListener implements Lifecycle {
  readonly name = 'fleet-listener';
  readonly #deps: FleetListenerDeps;
  #off: (() => void)[] = [];

  constructor(deps: FleetListenerDeps) {
    this.#deps = deps;
  }

  get jobFilter(): string {
    return topicFor(this.#deps.deviceId, 'job', { jobId: 'x' }).replace(/x$/, '+');
  }

  get desiredTopic(): string {
    return topicFor(this.#deps.deviceId, 'groupDesired', { group: this.#deps.group });
  }

  start(): Promise<void> {
    const { subscriber } = this.#deps;
    this.#off.push(
      subscriber.subscribe(this.jobFilter, (topic, payload) => this.onJob(topic, payload)),
      subscriber.subscribe(this.desiredTopic, (_topic, payload) => this.onDesired(payload)),
    );
    return Promise.resolve();
  }

  stop(): Promise<void> {
    for (const off of this.#off) off();
    this.#off = [];
    return Promise.resolve();
  }

  onJob(topic: string, payload: Buffer): void {
    const { logger, replay } = this.#deps;
    if (payload.length === 0) return; // a cleared retained message
    const topicJobId = topic.slice(topic.lastIndexOf('/') + 1);
    try {
      const job = readJobDocument(payload, {
        trusted: this.#deps.trusted,
        now: this.#deps.now?.() ?? new Date(),
        deviceId: this.#deps.deviceId,
        replay,
        topicJobId,
      });
      replay.remember(job);
      const outcome = this.#deps.agent.submit({ jobId: job.jobId, origin: 'job', target: job.target });
      logger.info({ jobId: job.jobId, keyId: job.keyId, version: job.target.version, outcome }, `job ${job.jobId} received`);
    } catch (error) {
      const coded = toMyoError(error, 'MYO_ERR_DOC_MALFORMED');
      logger.warn({ code: coded.code, topicJobId: topicJobId.slice(0, 64), err: coded }, `job document refused: ${coded.message}`);
      if (coded.code !== 'MYO_ERR_DOC_REPLAYED' && LEVEL.test(topicJobId)) {
        this.#deps.reporter.jobStatus({ jobId: topicJobId, state: 'rejected', progress: null, error: { code: coded.code, message: coded.message.slice(0, 1000) } });
      }
    }
  }

  onDesired(payload: Buffer): void {
    const { logger, replay } = this.#deps;
    if (payload.length === 0) return;
    try {
      const desired = readDesiredDocument(payload, { trusted: this.#deps.trusted, now: this.#deps.now?.() ?? new Date(), group: this.#deps.group, replay });
      replay.remember(desired);
      const outcome = this.#deps.agent.reconcile(desired);
      logger.info({ group: desired.group, revision: desired.revision, version: desired.target?.version ?? null, outcome }, 'desired state received');
    } catch (error) {
      const coded = toMyoError(error, 'MYO_ERR_DOC_MALFORMED');
      logger.warn({ code: coded.code, err: coded }, `desired state refused: ${coded.message}`);
    }
  }
}
