import { Type, type Static } from '@sinclair/typebox';
import type { HealthCheck } from '../../api/health.js';
import { ExamRecordSchema, type ExamRecord } from '../../records/exam-record.js';
import {
  CountSchema,
  FractionSchema,
  IsoTimeSchema,
  ModelRefSchema,
  ReasonTextSchema,
  SemVerSchema,
  ShortTextSchema,
  TOPIC_LEVEL_PATTERN,
  TopicLevelSchema,
  literalUnion,
} from './common-schemas.js';
import { enveloped } from './envelope.js';

/** Payloads the daemon publishes about itself (ARCHITECTURE section 6). */

export const STATUS_STATES = ['online', 'stopped', 'offline'] as const;
export const StatusPayloadSchema = enveloped(
  { state: literalUnion(STATUS_STATES, { description: 'offline is only ever sent by the broker, as the last will' }) },
  { description: 'Whether the daemon is connected. Retained; also the last will.' },
);

const HardwareSchema = Type.Object(
  {
    platform: ShortTextSchema,
    arch: ShortTextSchema,
    /** Board or machine model (`NVIDIA Jetson Orin Nano`, ...), null when the device does not say. */
    model: Type.Union([ShortTextSchema, Type.Null()]),
    cpus: Type.Integer({ minimum: 1 }),
    memoryMb: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const InfoPayloadSchema = enveloped(
  {
    daemonVersion: ShortTextSchema,
    nodeVersion: ShortTextSchema,
    hardware: HardwareSchema,
    model: Type.Union([ModelRefSchema, Type.Null()]),
    provider: Type.Union([ShortTextSchema, Type.Null()]),
    /** The effective configuration with secrets replaced by `[redacted]` before it leaves the device. */
    config: Type.Record(Type.String(), Type.Unknown()),
  },
  { description: 'What this cart runs. Retained, republished when it changes; published before `online`.' },
);

export const CHECK_STATUSES = ['ok', 'degraded', 'failed'] as const;
const CheckStatusSchema = literalUnion(CHECK_STATUSES);
export const HealthCheckSchema = Type.Object(
  { status: CheckStatusSchema, reason: ReasonTextSchema, critical: Type.Boolean() },
  { additionalProperties: false },
);

/** The parts that report today; the record stays open to new ones so a newer daemon does not break older consumers. */
export const HEALTH_PARTS = ['capture', 'inference', 'display', 'mqtt', 'disk', 'thermal'] as const;

export const HealthPayloadSchema = enveloped(
  {
    status: CheckStatusSchema,
    ready: Type.Boolean(),
    checks: Type.Record(Type.String({ pattern: TOPIC_LEVEL_PATTERN }), HealthCheckSchema),
    /** Also sent as MQTT 5 message expiry; repeated here for 3.1.1 brokers, which cannot expire a retained message. */
    expiresAt: IsoTimeSchema,
  },
  { description: 'Overall and per-part health. Retained and expiring, so a dead cart does not look healthy forever.' },
);

const LatencySchema = Type.Union([
  Type.Object(
    { p50: Type.Number({ minimum: 0 }), p95: Type.Number({ minimum: 0 }), p99: Type.Number({ minimum: 0 }) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export const MetricsPayloadSchema = enveloped(
  {
    intervalS: Type.Number({ exclusiveMinimum: 0 }),
    fps: Type.Number({ minimum: 0 }),
    framesDropped: CountSchema,
    inferenceStride: Type.Integer({ minimum: 1 }),
    /** Capture to decision, milliseconds; null when no frame was inferred in the interval. */
    latencyMs: LatencySchema,
    eventLoopLagMs: Type.Number({ minimum: 0 }),
  },
  { description: 'Periodic figures. QoS 0, not retained: the next one replaces a lost one.' },
);

export const EVENT_TYPES = [
  'signal_lost',
  'signal_restored',
  'display_lost',
  'display_restored',
  'throttling_started',
  'throttling_ended',
  'model_activated',
  'model_rolled_back',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EventPayloadSchema = enveloped(
  {
    /** Repeats the `{type}` topic level, so a stored message explains itself. */
    type: literalUnion(EVENT_TYPES),
    /** When it happened, which may be well before `sentAt` if the outbox held it through an outage. */
    at: IsoTimeSchema,
    reason: ReasonTextSchema,
    data: Type.Optional(Type.Record(Type.String({ pattern: TOPIC_LEVEL_PATTERN }), Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean(), Type.Null()]))),
  },
  { description: 'Something happened that an operator may act on. Goes through the durable outbox.' },
);

const record = ExamRecordSchema.properties;
export const ExamSummaryPayloadSchema = enveloped(
  {
    /** The exam record's opaque id: random, it says nothing about the patient, the time or the cart. */
    examId: record.id,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    durationMs: record.durationMs,
    startedBy: record.startedBy,
    endedBy: record.endedBy,
    frames: Type.Object({ seen: CountSchema, inferred: CountSchema, usable: CountSchema }, { additionalProperties: false }),
    decision: record.decision,
    reason: record.reason,
    score: record.score,
    threshold: record.threshold,
    model: record.model,
    provider: record.provider,
  },
  { description: 'One per exam: opaque id, times, frame counts, decision, score and model. No patient data.' },
);

export type ExamSummaryBody = Omit<Static<typeof ExamSummaryPayloadSchema>, 'v' | 'messageId' | 'sentAt' | 'deviceId' | 'session'>;

/** The summary that leaves the cart: an allow-list of record fields, so a field added to the record stays home. */
export function examSummaryFromRecord(exam: ExamRecord): ExamSummaryBody {
  return {
    examId: exam.id,
    startedAt: exam.startedAt,
    endedAt: exam.endedAt,
    durationMs: exam.durationMs,
    startedBy: exam.startedBy,
    endedBy: exam.endedBy,
    frames: { seen: exam.frames.seen, inferred: exam.frames.inferred, usable: exam.frames.usable },
    decision: exam.decision,
    reason: exam.reason,
    score: exam.score,
    threshold: exam.threshold,
    model: { id: exam.model.id, version: exam.model.version, sha256: exam.model.sha256 },
    provider: exam.provider,
  };
}

/** ARCHITECTURE section 7, plus `idle` (nothing under way) and `rolled_back` (probation failed). */
export const MODEL_PHASES = [
  'idle',
  'queued',
  'downloading',
  'verifying',
  'staged',
  'waiting',
  'validating',
  'activating',
  'probation',
  'committed',
  'rolled_back',
] as const;

export const InstalledModelSchema = Type.Object(
  { id: ShortTextSchema, version: SemVerSchema, sha256: ModelRefSchema.properties.sha256, securityVersion: CountSchema },
  { additionalProperties: false },
);

export const ModelStatePayloadSchema = enveloped(
  {
    installed: Type.Union([InstalledModelSchema, Type.Null()]),
    candidate: Type.Union([InstalledModelSchema, Type.Null()]),
    phase: literalUnion(MODEL_PHASES),
    /** 0..1 within the phase (bytes downloaded, vectors checked); null when the phase has no measure. */
    progress: Type.Union([FractionSchema, Type.Null()]),
    jobId: Type.Union([TopicLevelSchema, Type.Null()]),
  },
  { description: 'The installed model, the candidate and the update phase. Retained, republished on change.' },
);

/*
 * The health payload repeats HealthCheck from the API; this stops the build when the two drift apart.
 */
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _HealthCheckMatches = Assert<MutuallyAssignable<Static<typeof HealthCheckSchema>, HealthCheck>>;
