/**
 * Coded errors. Every failure that crosses a boundary (config file, CLI, HTTP, MQTT, frames, model files) is a
 * MyoError with a stable `MYO_ERR_*` code from this one catalogue, so operators, tests and the edges (HTTP status,
 * MQTT error responses, exit codes) can rely on the code instead of the message text.
 */
export const ERROR_CATALOGUE = {
  MYO_ERR_CONFIG_INVALID: { httpStatus: 500, exitCode: 78, summary: 'configuration is invalid' },
  MYO_ERR_CONFIG_UNREADABLE: { httpStatus: 500, exitCode: 78, summary: 'configuration file cannot be read or parsed' },
  MYO_ERR_USAGE: { httpStatus: 400, exitCode: 64, summary: 'command line usage error' },
  MYO_ERR_CAPTURE_SPAWN: { httpStatus: 503, exitCode: 69, summary: 'capture subprocess could not be started' },
  MYO_ERR_CAPTURE_STREAM: { httpStatus: 503, exitCode: 65, summary: 'capture stream is malformed' },
  MYO_ERR_CAPTURE_SOURCE: { httpStatus: 503, exitCode: 69, summary: 'capture source failed' },
  MYO_ERR_FRAME_INVALID: { httpStatus: 422, exitCode: 65, summary: 'frame is malformed' },
  MYO_ERR_PHANTOM_PARAMS: { httpStatus: 400, exitCode: 64, summary: 'phantom parameters are out of range' },
  MYO_ERR_IO: { httpStatus: 500, exitCode: 74, summary: 'file system operation failed' },
  MYO_ERR_ABORTED: { httpStatus: 503, exitCode: 75, summary: 'operation was cancelled' },
  MYO_ERR_NOT_READY: { httpStatus: 503, exitCode: 75, summary: 'part is not ready' },
  MYO_ERR_LIFECYCLE: { httpStatus: 500, exitCode: 70, summary: 'part started or stopped out of order' },
  MYO_ERR_MODEL_MANIFEST_INVALID: { httpStatus: 422, exitCode: 65, summary: 'model manifest is malformed' },
  MYO_ERR_MODEL_KEY_UNKNOWN: { httpStatus: 422, exitCode: 77, summary: 'model is signed by a key this device does not trust' },
  MYO_ERR_MODEL_SIGNATURE: { httpStatus: 422, exitCode: 77, summary: 'model signature does not verify' },
  MYO_ERR_MODEL_FILE: { httpStatus: 422, exitCode: 65, summary: 'model package file is missing, the wrong size or the wrong hash' },
  MYO_ERR_MODEL_EXPORT_INVALID: { httpStatus: 422, exitCode: 65, summary: 'training export cannot be packed' },
  MYO_ERR_KEY_INVALID: { httpStatus: 500, exitCode: 78, summary: 'signing or trusted key cannot be read' },
  MYO_ERR_MODEL_IO_MISMATCH: { httpStatus: 422, exitCode: 65, summary: 'model inputs or outputs differ from its manifest or from what this daemon feeds' },
  MYO_ERR_MODEL_GOLDEN: { httpStatus: 422, exitCode: 65, summary: 'model does not reproduce its golden vectors on this device' },
  MYO_ERR_DOC_MALFORMED: { httpStatus: 400, exitCode: 65, summary: 'fleet document (job or desired state) is not a well-formed signed document' },
  MYO_ERR_DOC_SIGNATURE: { httpStatus: 422, exitCode: 77, summary: 'fleet document signature does not verify' },
  MYO_ERR_DOC_UNKNOWN_KEY: { httpStatus: 422, exitCode: 77, summary: 'fleet document is signed by a key this device does not trust' },
  MYO_ERR_DOC_EXPIRED: { httpStatus: 410, exitCode: 65, summary: 'fleet document arrived after its expiresAt' },
  MYO_ERR_DOC_REPLAYED: { httpStatus: 409, exitCode: 65, summary: 'fleet document was already seen, or is older than one already applied (replay)' },
  MYO_ERR_DOC_WRONG_DEVICE: { httpStatus: 422, exitCode: 65, summary: 'fleet document is addressed to another device or group' },
  MYO_ERR_DOWNLOAD_TOO_LARGE: { httpStatus: 413, exitCode: 65, summary: 'model download is larger than the configured limit or than announced' },
  MYO_ERR_DOWNLOAD_PATH: { httpStatus: 422, exitCode: 65, summary: 'a file name in a model package would escape the staging folder' },
  MYO_ERR_DOWNLOAD_HTTP: { httpStatus: 502, exitCode: 69, summary: 'model download failed (connection, HTTP status or a short body)' },
  MYO_ERR_DOWNLOAD_TIMEOUT: { httpStatus: 504, exitCode: 75, summary: 'model download stalled past its timeout' },
  MYO_ERR_DOWNLOAD_INSECURE_URL: { httpStatus: 422, exitCode: 77, summary: 'model download URL is not https (plain http only to loopback when allowed)' },
  MYO_ERR_DOWNLOAD_HASH: { httpStatus: 422, exitCode: 65, summary: 'downloaded model.json does not match the sha256 its signed document names' },
  MYO_ERR_FLEET_BROKER: { httpStatus: 503, exitCode: 69, summary: 'the fleet tool cannot connect to or publish on the MQTT broker' },
  MYO_ERR_MODEL_TOO_SLOW: { httpStatus: 422, exitCode: 65, summary: 'model p95 latency on this device is over the inference budget' },
  MYO_ERR_MODEL_INPUT_INCOMPATIBLE: { httpStatus: 422, exitCode: 65, summary: "model input or output signature does not fit this daemon's preprocessing and postprocessing" },
  MYO_ERR_MODEL_DOWNGRADE: { httpStatus: 422, exitCode: 65, summary: 'model security version is lower than the highest committed here (anti-rollback) and no signed document allows it' },
  MYO_ERR_MODEL_STORE: { httpStatus: 500, exitCode: 74, summary: 'model store (slots, pointer, journal) cannot be read or written' },
  MYO_ERR_UPDATE_PROBATION: { httpStatus: 500, exitCode: 70, summary: 'new model failed its probation window (inference errors, engine restarts or health); rolled back' },
  MYO_ERR_UPDATE_CRASH_LOOP: { httpStatus: 500, exitCode: 70, summary: 'new model did not survive its boot attempts; rolled back' },
  MYO_ERR_UPDATE_SUPERSEDED: { httpStatus: 409, exitCode: 75, summary: 'update job was replaced by a newer job or desired state before it activated' },
  MYO_ERR_ROLLBACK_UNAVAILABLE: { httpStatus: 409, exitCode: 65, summary: 'no previous verified model is on the device to roll back to' },
  MYO_ERR_ENGINE_PROVIDER: { httpStatus: 503, exitCode: 69, summary: 'no configured execution provider could start' },
  MYO_ERR_ENGINE_TIMEOUT: { httpStatus: 503, exitCode: 75, summary: 'inference run hung past its hard limit; the worker was replaced' },
  MYO_ERR_ENGINE_UNAVAILABLE: { httpStatus: 503, exitCode: 75, summary: 'inference engine has no model loaded or is restarting' },
  MYO_ERR_ENGINE_FAILED: { httpStatus: 500, exitCode: 70, summary: 'inference run failed inside the runtime' },
  MYO_ERR_STORE: { httpStatus: 500, exitCode: 74, summary: 'exam record store cannot be opened, read or written (corrupt, foreign or newer file)' },
  MYO_ERR_RECORD_INVALID: { httpStatus: 422, exitCode: 65, summary: 'exam record is malformed' },
  MYO_ERR_RECORD_CONFLICT: { httpStatus: 409, exitCode: 65, summary: 'an exam record with this id is already stored with different content' },
  MYO_ERR_DATASET_INVALID: { httpStatus: 422, exitCode: 65, summary: 'data set folder, labels.csv row or image is missing or malformed' },
  MYO_ERR_QUERY_INVALID: { httpStatus: 400, exitCode: 64, summary: 'exam record query (limit, cursor or filter) is malformed' },
  MYO_ERR_DISPLAY_PROTOCOL: { httpStatus: 500, exitCode: 70, summary: 'status display instruction cannot be encoded (bad component name or attribute)' },
  MYO_ERR_DISPLAY_PORT: { httpStatus: 503, exitCode: 69, summary: 'status display port cannot be opened, or its emulator cannot start' },
  MYO_ERR_OUTBOX_FULL: { httpStatus: 507, exitCode: 75, summary: 'telemetry outbox is full of messages of this class or higher; the message was not queued' },
  MYO_ERR_OUTBOX_MESSAGE_INVALID: { httpStatus: 422, exitCode: 65, summary: 'telemetry outbox message is malformed (topic, QoS, class, payload or expiry)' },
  MYO_ERR_MQTT_TOPIC: { httpStatus: 400, exitCode: 65, summary: 'MQTT topic is outside the contract (wildcard, empty or oversized level, unknown path) or a topic parameter is invalid' },
  MYO_ERR_COMMAND_EXPIRED: { httpStatus: 410, exitCode: 65, summary: 'a remote command arrived after its expiresAt and was not run' },
  MYO_ERR_COMMAND_BUSY: { httpStatus: 409, exitCode: 75, summary: 'a remote command of that kind is already running' },
  MYO_ERR_MQTT_PAYLOAD: { httpStatus: 400, exitCode: 65, summary: 'MQTT payload is malformed (not UTF-8 or JSON, too large or deep, forbidden key) or fails its topic schema' },
  MYO_ERR_MQTT_COMMAND_UNKNOWN: { httpStatus: 404, exitCode: 64, summary: 'MQTT command name is not one this daemon answers' },
  MYO_ERR_BAD_REQUEST: { httpStatus: 400, exitCode: 64, summary: 'HTTP request is malformed (body, query, parameters or headers fail the route schema)' },
  MYO_ERR_NOT_FOUND: { httpStatus: 404, exitCode: 64, summary: 'no HTTP route, or no such resource (exam, frame, display mirror)' },
  MYO_ERR_UNAUTHORIZED: { httpStatus: 401, exitCode: 77, summary: 'API request has no bearer token or an unknown one' },
  MYO_ERR_RATE_LIMITED: { httpStatus: 429, exitCode: 75, summary: 'too many failed API authentication attempts from this address; retry later' },
  MYO_ERR_SELFTEST_RUNNING: { httpStatus: 409, exitCode: 75, summary: 'a self-test is already running' },
  MYO_ERR_TOO_MANY_CLIENTS: { httpStatus: 503, exitCode: 75, summary: 'the API event stream has as many clients as it allows' },
  MYO_ERR_API_INSECURE: { httpStatus: 500, exitCode: 78, summary: 'API listens beyond loopback without bearer tokens, or its tokens or TLS files are unusable' },
  MYO_ERR_INTERNAL: { httpStatus: 500, exitCode: 70, summary: 'internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class MyoError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MyoError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }

  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].httpStatus;
  }

  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exitCode;
  }

  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isMyoError(value: unknown, code?: ErrorCode): value is MyoError {
  return value instanceof MyoError && (code === undefined || value.code === code);
}

/** Wraps anything thrown into a MyoError, keeping the original as `cause`. */
export function toMyoError(value: unknown, fallback: ErrorCode = 'MYO_ERR_INTERNAL'): MyoError {
  if (value instanceof MyoError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new MyoError(fallback, message, {}, { cause: value });
}
