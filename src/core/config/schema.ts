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

/** One API client: a name for the log and either the token itself or a file holding it (the file is preferred). */
export const ApiTokenSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
    token: Type.Optional(Type.String({ minLength: 16, maxLength: 512 })),
    tokenFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const ApiSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', minLength: 1 }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
    auth: Type.Object(
      {
        /**
         * Bearer tokens. None on a loopback host: the API is open (a warning is logged); none on any other host: the
         * daemon refuses to start (MYO_ERR_API_INSECURE).
         */
        tokens: Type.Array(ApiTokenSchema, { default: [], maxItems: 32 }),
        /** Routes served without a token (exact paths). */
        publicRoutes: Type.Array(Type.String({ pattern: '^/', maxLength: 256 }), { default: ['/livez', '/readyz', '/metrics'], maxItems: 64 }),
        /** Failed attempts per client address within `windowMs` before it is refused (429) for `blockMs`. */
        maxFailures: Type.Integer({ default: 10, minimum: 1, maximum: 10_000 }),
        windowMs: Type.Integer({ default: 60_000, minimum: 1000 }),
        blockMs: Type.Integer({ default: 60_000, minimum: 1000 }),
      },
      Strict,
    ),
    /** HTTPS when both files are set (PEM); plain HTTP otherwise. */
    tls: Type.Object(
      {
        certFile: Type.String({ default: '' }),
        keyFile: Type.String({ default: '' }),
      },
      Strict,
    ),
    /** Concurrent dashboard event streams (`/api/v1/events`); one more is refused with 503. */
    maxEventClients: Type.Integer({ default: 8, minimum: 1, maximum: 256 }),
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
    inputFormat: Type.Union([Type.Literal('mjpeg'), Type.Literal('yuyv'), Type.Literal('uyvy')], { default: 'mjpeg' }),
    /**
     * What sits behind the node: a USB UVC grabber, or a TC358743 HDMI-to-CSI bridge (UYVY only; the capture command
     * first runs `v4l2-ctl --set-dv-bt-timings query`, and the EDID must be loaded at boot: docs/operations.md).
     */
    bridge: Type.Union([Type.Literal('uvc'), Type.Literal('tc358743')], { default: 'uvc' }),
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

/** ed25519 public keys by id, several at once so a key can be rotated (model signing keys, fleet document keys). */
export const TrustedKeysSchema = Type.Array(
  Type.Object(
    {
      id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
      publicKeyFile: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
  { default: [], maxItems: 16 },
);

export const ModelsSchema = Type.Object(
  {
    /**
     * Demo mode trusts the development key that signs the bundled phantom-trained model (its private half is public).
     * A production cart sets this to false and trusts only `trustedKeys`.
     */
    demo: Type.Boolean({ default: true }),
    trustedKeys: TrustedKeysSchema,
  },
  Strict,
);

export const ProviderSchema = Type.Union([Type.Literal('tensorrt'), Type.Literal('cuda'), Type.Literal('cpu')]);

export const InferenceSchema = Type.Object(
  {
    /** The model package folder loaded at start (verified, then golden-checked). Fleet updates replace it later. */
    package: Type.String({ default: 'models/myoscreen-lsnet/1.0.0', minLength: 1 }),
    /** Tried in order; one that fails to start falls back to the next. Health says which one runs. */
    providers: Type.Array(ProviderSchema, { default: ['cpu'], minItems: 1, maxItems: 3, uniqueItems: true }),
    /** Intra-op threads: 1 leaves a core to capture and the event loop on a 2-core board; see docs/inference.md. */
    intraOpThreads: Type.Integer({ default: 1, minimum: 1, maximum: 16 }),
    /** Busy-waiting threads burn a core between frames for ~0.1 ms less latency: off by default. */
    allowSpinning: Type.Boolean({ default: false }),
    graphOptimization: Type.Union(
      [Type.Literal('disabled'), Type.Literal('basic'), Type.Literal('extended'), Type.Literal('all')],
      { default: 'all' },
    ),
    warmupRuns: Type.Integer({ default: 5, minimum: 0, maximum: 100 }),
    /** A run that has not returned after this long is declared hung: the worker is replaced. */
    hardTimeoutMs: Type.Integer({ default: 2000, minimum: 50, maximum: 120_000 }),
    /** Session creation (a TensorRT engine build can take minutes). */
    loadTimeoutMs: Type.Integer({ default: 120_000, minimum: 1000 }),
    /**
     * TensorRT provider options (src/infer/engine/tensorrt-options.ts). Only the patched onnxruntime binding built by
     * deploy/jetson/build-onnxruntime.sh honours them; the stock npm binding ignores them (a warning is logged).
     */
    tensorrt: Type.Object(
      {
        fp16: Type.Boolean({ default: true }),
        /** Keep built engines on disk so a restart loads them in seconds instead of rebuilding for minutes. */
        engineCache: Type.Boolean({ default: true }),
        /** Engine cache root; empty: `<state.dir>/trt-cache`. Each model hash, TensorRT version and precision gets its own folder. */
        cacheDir: Type.String({ default: '' }),
        /** Reuse layer timings across builds (a rebuild after a model update gets faster). */
        timingCache: Type.Boolean({ default: true }),
        /** Builder scratch memory; the Orin shares it with the CPU. */
        workspaceMiB: Type.Integer({ default: 1024, minimum: 64, maximum: 65_536 }),
        /** 0-5: higher searches longer for faster kernels (TensorRT's default is 3). */
        builderOptimizationLevel: Type.Integer({ default: 3, minimum: 0, maximum: 5 }),
      },
      Strict,
    ),
  },
  Strict,
);

export const QualitySchema = Type.Object(
  {
    /** Pixels at or below this grey level count as no echo (background, shadow, probe not in contact). */
    darkLevel: Type.Integer({ default: 24, minimum: 0, maximum: 254 }),
    /**
     * Least share of the ROI with tissue echo for the probe to count as in contact (live ultrasound: exams start and
     * stay open). The idle probe-not-in-contact screen shows ~0.005, a shadowed exam ~0.14: 0.05 sits between them.
     */
    minContactCoverage: Type.Number({ default: 0.05, minimum: 0, maximum: 1 }),
    /** Least share of the ROI that must show tissue echo; below it the frame is `no_tissue` (probe lifted, shadowed). */
    minTissueCoverage: Type.Number({ default: 0.4, minimum: 0, maximum: 1 }),
    /** Most share of identical horizontal neighbours in tissue; above it the image is graphics, not speckle. */
    maxFlatFraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
    /** Least mean grey level in the centre of the field (the uterus sits there when the probe is on axis). */
    minCentreEcho: Type.Number({ default: 40, minimum: 0, maximum: 255 }),
    /** Share of pixels at 255 above which the image is saturated (gain far too high, or not ultrasound). */
    maxSaturatedFraction: Type.Number({ default: 0.2, minimum: 0, maximum: 1 }),
  },
  Strict,
);

export const ScreeningSchema = Type.Object(
  {
    /** Live ultrasound (usable or not) must be seen this long before an exam starts by itself. */
    autoStartAfterMs: Type.Integer({ default: 1000, minimum: 0 }),
    /** An exam ends by itself after this long without live ultrasound (probe lifted, frozen, idle screen). */
    idleTimeoutMs: Type.Integer({ default: 3000, minimum: 100 }),
    /** How long a result stays on screen before the machine goes back to idle (a new exam replaces it at once). */
    resultHoldMs: Type.Integer({ default: 15_000, minimum: 0 }),
    /** Fewer usable frames than this: `inconclusive` (too_few_usable_frames). */
    minUsableFrames: Type.Integer({ default: 20, minimum: 1 }),
    /** Less than this share of usable frames among the exam's frames: `inconclusive` with the main rejection reason. */
    minUsableFraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
    /** Share trimmed from each end of the sorted frame scores before averaging (noisy frames cannot flip the exam). */
    trimFraction: Type.Number({ default: 0.2, minimum: 0, maximum: 0.45 }),
    quality: QualitySchema,
  },
  Strict,
);

export const PipelineSchema = Type.Object(
  {
    /** Capture-to-decision budget per frame; 0 means one frame period at capture.fps. */
    budgetMs: Type.Number({ default: 0, minimum: 0, maximum: 10_000 }),
    /** Frames in the sliding window the budget's p95 is taken over. */
    budgetWindow: Type.Integer({ default: 60, minimum: 10, maximum: 10_000 }),
    /** The most frames skipped between inferences when over budget (infer every Nth frame, N <= maxStride). */
    maxStride: Type.Integer({ default: 8, minimum: 1, maximum: 120 }),
  },
  Strict,
);

export const DisplaySchema = Type.Object(
  {
    /** Serial device of the cart's Nextion display (e.g. /dev/myoscreen-display); empty: the built-in emulator. */
    port: Type.String({ default: '' }),
    baudRate: Type.Integer({ default: 9600, minimum: 1200, maximum: 921_600 }),
    /** Log the emulated display's text rendering whenever its page changes (the demo's stand-in for the screen). */
    logEmulator: Type.Boolean({ default: true }),
  },
  Strict,
);

export const HealthSchema = Type.Object(
  {
    intervalMs: Type.Integer({ default: 5000, minimum: 500, maximum: 600_000 }),
    /** Hottest sensor: degraded at or above, failed at or above (docs/health.md). */
    temperatureDegradedC: Type.Number({ default: 80 }),
    temperatureFailedC: Type.Number({ default: 95 }),
    memoryDegradedAvailableRatio: Type.Number({ default: 0.1, minimum: 0, maximum: 1 }),
    memoryFailedAvailableRatio: Type.Number({ default: 0.03, minimum: 0, maximum: 1 }),
    diskDegradedFreeRatio: Type.Number({ default: 0.15, minimum: 0, maximum: 1 }),
    diskFailedFreeRatio: Type.Number({ default: 0.05, minimum: 0, maximum: 1 }),
    diskFailedFreeBytes: Type.Integer({ default: 200 * 1024 * 1024, minimum: 0 }),
    /** Run tegrastats for Jetson readings when it exists. */
    tegrastats: Type.Boolean({ default: true }),
    /** Root of /sys (tests and containers point it elsewhere). */
    sysRoot: Type.String({ default: '/sys', minLength: 1 }),
  },
  Strict,
);

export const MqttSchema = Type.Object(
  {
    /** `mqtt://host:1883` or `mqtts://host:8883`; empty: the embedded broker on loopback (the demo default). */
    url: Type.String({ default: '' }),
    /** MQTT 5 with a fallback to 3.1.1 (`auto`), or pinned. */
    protocol: Type.Union([Type.Literal('auto'), Type.Literal(5), Type.Literal(4)], { default: 'auto' }),
    /** Client certificate, key and CA for mutual TLS (mqtts://); files, never inline secrets. */
    tls: Type.Object(
      {
        caFile: Type.String({ default: '' }),
        certFile: Type.String({ default: '' }),
        keyFile: Type.String({ default: '' }),
      },
      Strict,
    ),
    /** The broker waits this long before publishing `offline`, so a quick reconnect does not flap. */
    willDelaySec: Type.Integer({ default: 10, minimum: 0, maximum: 3600 }),
    keepaliveSec: Type.Integer({ default: 30, minimum: 5, maximum: 600 }),
    reconnect: Type.Object(
      {
        initialDelayMs: Type.Integer({ default: 500, minimum: 10 }),
        maxDelayMs: Type.Integer({ default: 60_000, minimum: 10 }),
      },
      Strict,
    ),
    /** The embedded broker's listener (used only when `url` is empty). */
    embedded: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', minLength: 1 }),
        port: Type.Integer({ default: 1883, minimum: 0, maximum: 65535 }),
      },
      Strict,
    ),
    /** How often the `metrics` message is published (QoS 0). */
    metricsIntervalMs: Type.Integer({ default: 10_000, minimum: 1000 }),
    outbox: Type.Object(
      {
        maxMessages: Type.Integer({ default: 50_000, minimum: 100 }),
        maxBytes: Type.Integer({ default: 64 * 1024 * 1024, minimum: 1024 * 1024 }),
      },
      Strict,
    ),
  },
  Strict,
);

/** The fleet model-update agent (ARCHITECTURE section 7, docs/model-update.md). Off unless a fleet runs it. */
export const FleetSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    /** The rollout group this cart belongs to (`canary`, `main`, ...): it follows `groups/{group}/desired`. */
    group: Type.String({ default: 'main', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' }),
    /** Keys that sign job and desired-state documents (several during rotation); separate from models.trustedKeys. */
    trustedKeys: TrustedKeysSchema,
    /** Plain HTTP is refused except to loopback when this is set (tests, a local package server). */
    allowHttpLoopback: Type.Boolean({ default: false }),
    download: Type.Object(
      {
        /** A package larger than this is refused before a byte is fetched. */
        maxBytes: Type.Integer({ default: 512 * 1024 * 1024, minimum: 1024 }),
        /** No byte for this long aborts the transfer (it resumes on the next attempt). */
        timeoutMs: Type.Integer({ default: 30_000, minimum: 100, maximum: 3_600_000 }),
        /** Attempts before the job fails; each resumes where the last stopped. */
        attempts: Type.Integer({ default: 3, minimum: 1, maximum: 20 }),
      },
      Strict,
    ),
    validation: Type.Object(
      {
        /** Timed runs on the shadow session; their p95 is held to the latency budget. */
        latencyRuns: Type.Integer({ default: 30, minimum: 5, maximum: 1000 }),
        /** Inference budget in ms for the p95; 0: pipeline.budgetMs (or one frame period at capture.fps). */
        budgetMs: Type.Number({ default: 0, minimum: 0, maximum: 10_000 }),
      },
      Strict,
    ),
    probation: Type.Object(
      {
        /** The window ends after this many inferences by the new model, or `seconds`, whichever comes first. */
        inferences: Type.Integer({ default: 200, minimum: 1, maximum: 1_000_000 }),
        seconds: Type.Number({ default: 120, minimum: 0.1, maximum: 86_400 }),
        /** More failed inferences than this (or any engine restart, or failed inference health) rolls back. */
        maxInferenceErrors: Type.Integer({ default: 0, minimum: 0, maximum: 1000 }),
      },
      Strict,
    ),
    /** Boots that may start a freshly activated model before it is committed; one more rolls it back. */
    maxBootAttempts: Type.Integer({ default: 2, minimum: 1, maximum: 10 }),
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
    inference: InferenceSchema,
    screening: ScreeningSchema,
    pipeline: PipelineSchema,
    display: DisplaySchema,
    health: HealthSchema,
    mqtt: MqttSchema,
    fleet: FleetSchema,
  },
  Strict,
);

export type Config = Static<typeof ConfigSchema>;
export type CaptureConfig = Config['capture'];
export type InferenceConfig = Config['inference'];
export type ScreeningConfig = Config['screening'];
export type QualityConfig = Config['screening']['quality'];
export type PipelineConfig = Config['pipeline'];
export type DisplayConfig = Config['display'];
export type HealthConfig = Config['health'];
export type MqttConfig = Config['mqtt'];
export type FleetConfig = Config['fleet'];
