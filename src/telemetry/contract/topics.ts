import type { Static, TSchema } from '@sinclair/typebox';
import { CommandRequestSchema, CommandResponseSchema } from './commands.js';
import {
  EVENT_TYPES,
  EventPayloadSchema,
  ExamSummaryPayloadSchema,
  HealthPayloadSchema,
  InfoPayloadSchema,
  MetricsPayloadSchema,
  ModelStatePayloadSchema,
  StatusPayloadSchema,
} from './device-payloads.js';
import type { Envelope } from './envelope.js';
import { GroupDesiredSchema, JobDocumentSchema, JobStatusPayloadSchema } from './job-payloads.js';

/** Every topic lives under this root; `v1` is the contract version (CONTRACT_VERSION). */
export const TOPIC_ROOT = 'myoscreen/v1';

/** How the durable outbox ranks what it keeps when full: exam summaries outlive events, metrics go first. */
export const OUTBOX_CLASSES = ['exam_summary', 'job_status', 'event', 'health', 'info', 'metrics'] as const;
export type OutboxClass = (typeof OUTBOX_CLASSES)[number];

/** A retained health message dies after this, so a cart that vanished stops looking healthy. */
export const HEALTH_EXPIRY_S = 300;

export interface TopicSpec {
  /** Below `myoscreen/v1/{deviceId}/` for scope `device`, below `myoscreen/v1/` for scope `group`. */
  readonly pattern: string;
  readonly scope: 'device' | 'group';
  /** `out`: the daemon publishes (with the envelope); `in`: the fleet publishes and the daemon subscribes. */
  readonly direction: 'out' | 'in';
  readonly retained: boolean;
  readonly qos: 0 | 1;
  /** MQTT 5 message expiry interval; null: the message does not expire. */
  readonly messageExpiryS: number | null;
  /** The outbox class for outbound messages that go through it; null: published directly or inbound. */
  readonly outbox: OutboxClass | null;
  /** Allowed values of a placeholder, where the contract fixes them. */
  readonly paramValues?: Readonly<Record<string, readonly string[]>>;
  /** The last placeholder may span up to this many levels (command names such as `log_level/set`). */
  readonly tailLevels?: number;
  readonly summary: string;
  readonly schema: TSchema;
}

/** The MQTT API: every topic the daemon publishes or listens to, with its payload schema. */
export const TOPICS = {
  status: {
    pattern: 'status', scope: 'device', direction: 'out', retained: true, qos: 1, messageExpiryS: null, outbox: null,
    summary: '`online` after `info`, `stopped` on clean shutdown; the last will says `offline`.',
    schema: StatusPayloadSchema,
  },
  info: {
    pattern: 'info', scope: 'device', direction: 'out', retained: true, qos: 1, messageExpiryS: null, outbox: 'info',
    summary: 'Versions, hardware, model, provider, redacted config.',
    schema: InfoPayloadSchema,
  },
  health: {
    pattern: 'health', scope: 'device', direction: 'out', retained: true, qos: 1, messageExpiryS: HEALTH_EXPIRY_S, outbox: 'health',
    summary: 'Overall and per-part checks (capture, inference, display, mqtt, disk, thermal); expiring.',
    schema: HealthPayloadSchema,
  },
  metrics: {
    pattern: 'metrics', scope: 'device', direction: 'out', retained: false, qos: 0, messageExpiryS: null, outbox: 'metrics',
    summary: 'Periodic fps, drops, latency percentiles.',
    schema: MetricsPayloadSchema,
  },
  event: {
    pattern: 'evt/{type}', scope: 'device', direction: 'out', retained: false, qos: 1, messageExpiryS: null, outbox: 'event',
    paramValues: { type: EVENT_TYPES },
    summary: 'Signal lost/restored, display lost/restored, throttling, model activated/rolled back.',
    schema: EventPayloadSchema,
  },
  examSummary: {
    pattern: 'exam/summary', scope: 'device', direction: 'out', retained: false, qos: 1, messageExpiryS: null, outbox: 'exam_summary',
    summary: 'One per exam: opaque id, times, frames, decision, score, model; no patient data.',
    schema: ExamSummaryPayloadSchema,
  },
  commandRequest: {
    pattern: 'cmd/req/{name}', scope: 'device', direction: 'in', retained: false, qos: 1, messageExpiryS: null, outbox: null,
    tailLevels: 2,
    summary: 'A command for this cart, with a correlation id; see Commands below.',
    schema: CommandRequestSchema,
  },
  commandResponse: {
    // Not outboxed: an answer is only useful while the asker waits, and a restart answers nothing it did not finish.
    pattern: 'cmd/res/{name}', scope: 'device', direction: 'out', retained: false, qos: 1, messageExpiryS: null, outbox: null,
    tailLevels: 2,
    summary: 'The answer, echoing the request id; unknown or malformed requests get `ok: false` with a code.',
    schema: CommandResponseSchema,
  },
  job: {
    pattern: 'jobs/{jobId}', scope: 'device', direction: 'in', retained: false, qos: 1, messageExpiryS: null, outbox: null,
    summary: 'A model update job document from the fleet.',
    schema: JobDocumentSchema,
  },
  jobStatus: {
    pattern: 'jobs/{jobId}/status', scope: 'device', direction: 'out', retained: false, qos: 1, messageExpiryS: null, outbox: 'job_status',
    summary: 'Progress of a job: queued, downloading, ..., succeeded, failed, rejected, rolled_back.',
    schema: JobStatusPayloadSchema,
  },
  modelState: {
    pattern: 'model/state', scope: 'device', direction: 'out', retained: true, qos: 1, messageExpiryS: null, outbox: 'info',
    summary: 'Installed version, candidate, phase, progress.',
    schema: ModelStatePayloadSchema,
  },
  groupDesired: {
    pattern: 'groups/{group}/desired', scope: 'group', direction: 'in', retained: true, qos: 1, messageExpiryS: null, outbox: null,
    summary: 'What the fleet wants for a group of carts (outside the device subtree).',
    schema: GroupDesiredSchema,
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicName = keyof typeof TOPICS;
export const TOPIC_NAMES = Object.keys(TOPICS) as readonly TopicName[];

export type OutboundTopicName = { [N in TopicName]: (typeof TOPICS)[N]['direction'] extends 'out' ? N : never }[TopicName];
export type InboundTopicName = Exclude<TopicName, OutboundTopicName>;

type PlaceholderNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholderNames<Rest> : never;
/** The placeholder values a topic needs: `{ type }` for `evt/{type}`, `{}` for `status`. */
export type TopicParams<N extends TopicName> = { readonly [K in PlaceholderNames<(typeof TOPICS)[N]['pattern']>]: string };

export type TopicPayload<N extends TopicName> = Static<(typeof TOPICS)[N]['schema']>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a publisher supplies for an outbound topic: the payload without the envelope's fields. */
export type TopicBody<N extends OutboundTopicName> = DistributiveOmit<TopicPayload<N>, keyof Envelope>;

export function isTopicName(name: string): name is TopicName {
  return Object.hasOwn(TOPICS, name);
}
