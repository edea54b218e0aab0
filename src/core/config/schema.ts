import { Type, type Static } from '@sinclair/typebox';

/**
 * The one configuration schema. Every key has a default, so an empty file (or none) gives the embedded defaults of
 * ARCHITECTURE section 8: phantom scanner, emulated display, embedded broker, CPU inference, API on loopback.
 * Objects refuse unknown keys so a typo is an error, not a silently ignored setting.
 */
const Strict = { additionalProperties: false, default: {} } as const;

export const RectSchema = Type.Object(
  {
    x: Type.Integer({ minimum: 0 }),
    y: Type.Integer({ minimum: 0 }),
    width: Type.Integer({ minimum: 16 }),
    height: Type.Integer({ minimum: 16 }),
  },
  { additionalProperties: false },
);

export const DeviceSchema = Type.Object(
  {
    id: Type.String({
      default: 'myoscreen-dev',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
      description: 'Cart id: MQTT client id, topic segment and TLS certificate name.',
    }),
  },
  Strict,
);

export const StateSchema = Type.Object(
  {
    dir: Type.String({ default: './var', minLength: 1, description: 'Where exams, outbox and models live.' }),
  },
  Strict,
);

export const LogSchema = Type.Object(
  {
    level: Type.Union(
      [
        Type.Literal('fatal'),
        Type.Literal('error'),
        Type.Literal('warn'),
        Type.Literal('info'),
        Type.Literal('debug'),
        Type.Literal('trace'),
        Type.Literal('silent'),
      ],
      { default: 'info' },
    ),
  },
  Strict,
);

export const ApiSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', minLength: 1 }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  },
  Strict,
);

export const RoiSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('auto'), Type.Literal('manual'), Type.Literal('full')], {
      default: 'auto',
      description: 'auto: find the moving fan; manual: use rect; full: the whole frame.',
    }),
    rect: Type.Optional(RectSchema),
    /** How many frames auto detection looks at before it settles, and how often it looks again. */
    learnFrames: Type.Integer({ default: 12, minimum: 2, maximum: 300 }),
    recheckEveryFrames: Type.Integer({ default: 300, minimum: 10 }),
  },
  Strict,
);

export const SignalSchema = Type.Object(
  {
    noSignalTimeoutMs: Type.Integer({ default: 2000, minimum: 100 }),
    frozenAfterMs: Type.Integer({ default: 1500, minimum: 100 }),
    /** Mean absolute difference (gray levels) inside the ROI below which two frames count as identical. */
    frozenMaxDiff: Type.Number({ default: 0.25, minimum: 0 }),
    /** Standard deviation (gray levels) inside the ROI below which a frame counts as blank. */
    blankMaxStdDev: Type.Number({ default: 3, minimum: 0 }),
  },
  Strict,
);

export const ReconnectSchema = Type.Object(
  {
    initialDelayMs: Type.Integer({ default: 250, minimum: 10 }),
    maxDelayMs: Type.Integer({ default: 10_000, minimum: 10 }),
  },
  Strict,
);

export const PhantomSourceSchema = Type.Object(
  {
    width: Type.Integer({ default: 1920, minimum: 320, maximum: 3840 }),
    height: Type.Integer({ default: 1080, minimum: 240, maximum: 2160 }),
    seed: Type.Integer({ default: 1, minimum: 0 }),
    layout: Type.Union([Type.Literal('standard'), Type.Literal('compact'), Type.Literal('wide')], {
      default: 'standard',
      description: 'Which scanner screen layout the phantom draws (fan position, text panels).',
    }),
  },
  Strict,
);

export const FileSourceSchema = Type.Object(
  {
    path: Type.String({ default: '' }),
    loop: Type.Boolean({ default: true }),
    /** Pace frames at capture.fps as a live source would; off reads as fast as the consumer takes them. */
    realtime: Type.Boolean({ default: true }),
  },
  Strict,
);

export const V4l2SourceSchema = Type.Object(
  {
    device: Type.String({ default: '/dev/video0', minLength: 1 }),
    pipeline: Type.Union([Type.Literal('ffmpeg'), Type.Literal('gstreamer'), Type.Literal('custom')], {
      default: 'ffmpeg',
    }),
    inputFormat: Type.Union([Type.Literal('mjpeg'), Type.Literal('yuyv')], { default: 'mjpeg' }),
    width: Type.Integer({ default: 1920, minimum: 16 }),
    height: Type.Integer({ default: 1080, minimum: 16 }),
    /** Full argv of a custom capture command whose stdout carries frames in `output` format. */
    command: Type.Array(Type.String(), { default: [] }),
    output: Type.Union([Type.Literal('y4m'), Type.Literal('raw')], { default: 'y4m' }),
    /** Bytes per row of raw output when the producer pads rows (GStreamer pads GRAY8 rows to 4 bytes); 0 = width. */
    stride: Type.Integer({ default: 0, minimum: 0 }),
    /** GStreamer decode path: `auto` picks nvv4l2decoder on a Jetson (/etc/nv_tegra_release), software elsewhere. */
    decoder: Type.Union(
      [Type.Literal('auto'), Type.Literal('software'), Type.Literal('nvv4l2decoder'), Type.Literal('nvjpegdec')],
      { default: 'auto' },
    ),
  },
  Strict,
);

export const CaptureSchema = Type.Object(
  {
    source: Type.Union([Type.Literal('phantom'), Type.Literal('file'), Type.Literal('v4l2')], { default: 'phantom' }),
    fps: Type.Number({ default: 30, minimum: 1, maximum: 120 }),
    roi: RoiSchema,
    signal: SignalSchema,
    reconnect: ReconnectSchema,
    phantom: PhantomSourceSchema,
    file: FileSourceSchema,
    v4l2: V4l2SourceSchema,
  },
  Strict,
);

export const ModelsSchema = Type.Object(
  {
    /**
     * Demo mode trusts the development key that signs the bundled phantom-trained model (its private half is public).
     * A production cart sets this to false and trusts only `trustedKeys`.
     */
    demo: Type.Boolean({ default: true }),
    trustedKeys: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
          publicKeyFile: Type.String({ minLength: 1 }),
        },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 16 },
    ),
  },
  Strict,
);

export const ConfigSchema = Type.Object(
  {
    device: DeviceSchema,
    state: StateSchema,
    log: LogSchema,
    api: ApiSchema,
    capture: CaptureSchema,
    models: ModelsSchema,
  },
  Strict,
);

export type Config = Static<typeof ConfigSchema>;
export type CaptureConfig = Config['capture'];
