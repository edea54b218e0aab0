import { Type, type TSchema } from '@sinclair/typebox';
import { EXAM_ID_PATTERN, ExamRecordSchema } from '../records/exam-record.js';
import { MAX_PAGE_LIMIT } from '../records/list-query.js';

/** Every route's request and response schemas (TypeBox = JSON Schema): fastify validates and serialises with them,
 * and the OpenAPI document is built from them. */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const CheckStatusSchema = Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('failed')]);

export const ErrorSchema = Type.Object(
  { code: Type.String({ pattern: '^MYO_ERR_[A-Z0-9_]+$' }), message: Type.String() },
  { $id: 'Error', description: 'Every error: a stable code from the catalogue and a message; never a stack trace.' },
);

export const HealthCheckSchema = Type.Object({
  status: CheckStatusSchema,
  reason: Type.String(),
  critical: Type.Boolean({ description: 'Whether this check gates readiness.' }),
});

export const LivezSchema = Type.Object({ status: Type.Literal('alive'), version: Type.String() });

export const ReadyzSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), HealthCheckSchema),
});

export const HealthBodySchema = Type.Object({
  status: CheckStatusSchema,
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), HealthCheckSchema),
});

export const ExamStateSchema = Type.Object({
  phase: Type.Union([Type.Literal('idle'), Type.Literal('scanning'), Type.Literal('result')]),
  examId: Nullable(Type.String()),
  cause: Nullable(Type.String()),
  elapsedMs: Nullable(Type.Number({ description: 'Scanning: since the exam started; result: since it ended.' })),
  framesSeen: Nullable(Type.Integer()),
  usableFrames: Nullable(Type.Integer()),
  liveScore: Nullable(Type.Number()),
  warmingUp: Nullable(Type.Boolean()),
  decision: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  score: Nullable(Type.Number()),
});

export const LatencySchema = Type.Object({ p50: Type.Number(), p95: Type.Number(), p99: Type.Number(), samples: Type.Integer() });

export const CaptureStatusSchema = Type.Object({
  fps: Type.Number(),
  framesCaptured: Type.Integer(),
  framesDropped: Type.Integer(),
  signal: Type.String(),
  sourceConnected: Type.Boolean(),
  width: Type.Integer(),
  height: Type.Integer(),
  roi: Nullable(Type.Object({ x: Type.Integer(), y: Type.Integer(), width: Type.Integer(), height: Type.Integer() })),
});

export const ModelInfoSchema = Type.Object({
  id: Type.String(),
  version: Type.String(),
  sha256: Type.String(),
  provider: Type.String(),
  threshold: Type.Number(),
  loadMs: Type.Number(),
});

export const StatusSchema = Type.Object({
  version: Type.String(),
  deviceId: Type.String(),
  uptimeS: Type.Number(),
  health: HealthBodySchema,
  exam: ExamStateSchema,
  capture: CaptureStatusSchema,
  pipeline: Type.Object({
    stride: Type.Integer(),
    budgetMs: Type.Number(),
    framesSeen: Type.Integer(),
    inferred: Type.Integer(),
    rejected: Type.Integer(),
    latencyMs: Nullable(LatencySchema),
    eventLoopLagMs: Nullable(Type.Number()),
  }),
  model: Nullable(ModelInfoSchema),
  modelError: Nullable(Type.String()),
  temperatures: Type.Array(Type.Object({ source: Type.String(), tempC: Type.Number() })),
  exams: Type.Object({
    total: Type.Integer(),
    byDecision: Type.Record(Type.String(), Type.Integer()),
    lastEndedAt: Nullable(Type.String()),
  }),
});

export const ExamListQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' })),
    decision: Type.Optional(Type.Union([Type.Literal('refer'), Type.Literal('no_invasion'), Type.Literal('inconclusive')])),
  },
  { additionalProperties: false },
);

export const ExamPageSchema = Type.Object({
  items: Type.Array(ExamRecordSchema),
  next: Nullable(Type.String({ description: 'Cursor of the next page (pass as ?cursor=); null on the last page.' })),
});

export const ExamParamsSchema = Type.Object({ id: Type.String({ pattern: EXAM_ID_PATTERN }) });
export { ExamRecordSchema };

const ModelRefSchema = Type.Object({ id: Type.String(), version: Type.String(), sha256: Type.String() });

export const ModelSchema = Type.Object({
  active: Nullable(ModelInfoSchema),
  error: Nullable(Type.String()),
  candidate: Nullable(ModelRefSchema),
  update: Type.Object({
    phase: Type.String({ description: 'The update agent phase (idle when no update runs).' }),
    progress: Nullable(Type.Number()),
    jobId: Nullable(Type.String()),
  }),
  history: Type.Array(
    Type.Object({
      at: Type.String({ description: 'Wall time (ISO 8601).' }),
      event: Type.String({ description: '`loaded` or an update phase.' }),
      model: Nullable(ModelRefSchema),
      detail: Type.String(),
    }),
    { description: 'Model events since the daemon started, newest last (bounded).' },
  ),
});

export const CheckResultSchema = Type.Object({
  name: Type.String(),
  outcome: Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail'), Type.Literal('skip')]),
  detail: Type.String(),
  tookMs: Type.Number(),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const SelfTestReportSchema = Type.Object({
  ok: Type.Boolean(),
  startedAt: Type.String(),
  checks: Type.Array(CheckResultSchema),
});

export const DisplaySchema = Type.Object({
  kind: Type.Union([Type.Literal('emulated'), Type.Literal('serial')]),
  connected: Type.Boolean(),
  page: Nullable(Type.String()),
  text: Nullable(Type.String()),
  imageUrl: Nullable(Type.String()),
  stats: Type.Object({
    statesShown: Type.Integer(),
    writes: Type.Integer(),
    reconnects: Type.Integer(),
    ackTimeouts: Type.Integer(),
    touches: Type.Integer(),
  }),
});

export const FrameQuerySchema = Type.Object(
  { overlay: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('attention')], { default: 'none' })) },
  { additionalProperties: false },
);

export const PngSchema = Type.String({ description: 'image/png bytes' });
export const SseSchema = Type.String({ description: 'text/event-stream' });
export const MetricsTextSchema = Type.String({ description: 'Prometheus text exposition format 0.0.4' });
