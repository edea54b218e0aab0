import type { CommandName } from '../../../src/telemetry/contract/commands.js';
import type { Envelope } from '../../../src/telemetry/contract/envelope.js';
import type { TopicName, TopicParams } from '../../../src/telemetry/contract/topics.js';

/** Realistic payloads for every topic and command, and one way to break each. */

export const DEVICE_ID = 'cart-07';

export const ENVELOPE: Envelope = {
  v: 1,
  messageId: '01JABCDEF0123456789XYZ',
  sentAt: '2025-03-14T09:26:53.589Z',
  deviceId: DEVICE_ID,
  session: 12,
};

const SHA = 'a'.repeat(64);

export interface TopicExample {
  readonly payload: Record<string, unknown>;
  readonly params: Readonly<Record<string, string>>;
  /** Changes a valid payload into one the schema must refuse. */
  readonly breakIt: (payload: Record<string, unknown>) => Record<string, unknown>;
}

export const TOPIC_EXAMPLES = {
  status: { params: {}, payload: { ...ENVELOPE, state: 'online' }, breakIt: (p) => ({ ...p, state: 'sleeping' }) },
  info: {
    params: {},
    payload: {
      ...ENVELOPE,
      daemonVersion: '0.1.0',
      nodeVersion: 'v20.19.0',
      hardware: { platform: 'linux', arch: 'arm64', model: 'NVIDIA Jetson Orin Nano', cpus: 6, memoryMb: 7620 },
      model: { id: 'myonet', version: '1.2.0', sha256: SHA },
      provider: 'cuda',
      config: { mqtt: { url: 'mqtts://fleet.example:8883', password: '[redacted]' } },
    },
    breakIt: (p) => ({ ...p, hardware: { cpus: 0 } }),
  },
  health: {
    params: {},
    payload: {
      ...ENVELOPE,
      status: 'degraded',
      ready: true,
      checks: {
        capture: { status: 'ok', reason: 'live at 30 fps', critical: true },
        thermal: { status: 'degraded', reason: 'cpu at 86 C', critical: false },
      },
      expiresAt: '2025-03-14T09:31:53.589Z',
    },
    breakIt: (p) => ({ ...p, checks: { capture: { status: 'fine', reason: '', critical: true } } }),
  },
  metrics: {
    params: {},
    payload: { ...ENVELOPE, intervalS: 60, fps: 29.7, framesDropped: 3, inferenceStride: 1, latencyMs: { p50: 41, p95: 63.5, p99: 80 }, eventLoopLagMs: 1.2 },
    breakIt: (p) => ({ ...p, fps: -1 }),
  },
  event: {
    params: { type: 'signal_lost' },
    payload: { ...ENVELOPE, type: 'signal_lost', at: '2025-03-14T09:20:00.000Z', reason: 'no_signal for 2 s', data: { source: 'v4l2', attempt: 1 } },
    breakIt: (p) => ({ ...p, type: 'earthquake' }),
  },
  examSummary: {
    params: {},
    payload: {
      ...ENVELOPE,
      examId: 'ex_01ARZ3NDEKTSV4RRFFQ69G5FAV',
      startedAt: '2025-03-14T09:10:00.000Z',
      endedAt: '2025-03-14T09:14:30.250Z',
      durationMs: 270_250,
      startedBy: 'auto',
      endedBy: 'operator',
      frames: { seen: 8100, inferred: 8000, usable: 6200 },
      decision: 'refer',
      reason: null,
      score: 0.83,
      threshold: 0.42,
      model: { id: 'myonet', version: '1.2.0', sha256: SHA },
      provider: 'cuda',
    },
    // A patient name must never fit into the summary.
    breakIt: (p) => ({ ...p, patientName: 'Jane Doe' }),
  },
  commandRequest: {
    params: { name: 'log_level/set' },
    payload: { id: 'req-42', expiresAt: '2025-03-14T09:30:00.000Z', args: { level: 'debug' } },
    breakIt: (p) => ({ ...p, id: '' }),
  },
  commandResponse: {
    params: { name: 'config/get' },
    payload: { ...ENVELOPE, id: 'req-42', ok: true, result: { log: { level: 'info' } } },
    breakIt: (p) => ({ ...p, ok: false }),
  },
  job: {
    params: { jobId: 'job-2025-03-14-a' },
    // Signed wrapper: `payload` is the JSON text of a JobPayloadSchema object (src/fleet/documents).
    payload: {
      v: 1,
      alg: 'ed25519',
      keyId: 'fleet-2025',
      payload: JSON.stringify({
        v: 1,
        kind: 'model_update',
        jobId: 'job-2025-03-14-a',
        deviceId: DEVICE_ID,
        target: { id: 'myonet', version: '1.3.0', securityVersion: 4, baseUrl: 'https://fleet.example/models/myonet/1.3.0', manifestSha256: SHA, totalBytes: 48_000_000, allowDowngrade: false },
        issuedAt: '2025-03-14T08:00:00.000Z',
        expiresAt: null,
      }),
      sig: `${'A'.repeat(86)}==`,
    },
    breakIt: (p) => ({ ...p, alg: 'rsa' }),
  },
  jobStatus: {
    params: { jobId: 'job-2025-03-14-a' },
    payload: { ...ENVELOPE, jobId: 'job-2025-03-14-a', state: 'failed', progress: null, error: { code: 'MYO_ERR_MODEL_SIGNATURE', message: 'signature does not verify' } },
    breakIt: (p) => ({ ...p, progress: 1.5 }),
  },
  modelState: {
    params: {},
    payload: {
      ...ENVELOPE,
      installed: { id: 'myonet', version: '1.2.0', sha256: SHA, securityVersion: 3 },
      candidate: { id: 'myonet', version: '1.3.0', sha256: 'b'.repeat(64), securityVersion: 4 },
      phase: 'downloading',
      progress: 0.25,
      jobId: 'job-2025-03-14-a',
    },
    breakIt: (p) => ({ ...p, phase: 'dreaming' }),
  },
  groupDesired: {
    params: { group: 'ward-3' },
    payload: {
      v: 1,
      alg: 'ed25519',
      keyId: 'fleet-2025',
      payload: JSON.stringify({ v: 1, kind: 'group_desired', group: 'ward-3', revision: 7, target: null, issuedAt: '2025-03-14T07:00:00.000Z', expiresAt: null }),
      sig: `${'B'.repeat(86)}==`,
    },
    breakIt: (p) => ({ ...p, sig: 'not base64' }),
  },
} satisfies Record<TopicName, TopicExample>;

export function paramsOf<N extends TopicName>(name: N): TopicParams<N> {
  return TOPIC_EXAMPLES[name].params as TopicParams<N>;
}

export const COMMAND_EXAMPLES: Record<CommandName, { readonly args: Record<string, unknown>; readonly broken: Record<string, unknown> }> = {
  health_check: { args: {}, broken: { verbose: true } },
  republish: { args: { topics: ['info', 'health'] }, broken: { topics: ['metrics'] } },
  restart: { args: { reason: 'operator asked', delayMs: 500 }, broken: { delayMs: -1 } },
  'log_level/set': { args: { level: 'debug', durationS: 600 }, broken: { level: 'loud' } },
  'display/test': { args: { durationMs: 3000 }, broken: { durationMs: 10 } },
  selftest: { args: { checks: ['disk', 'display'] }, broken: { checks: 'disk' } },
  'config/get': { args: { path: 'mqtt.tls' }, broken: { path: '../etc/passwd' } },
  'model/rollback': { args: { reason: 'probation failed', toVersion: '1.2.0' }, broken: { toVersion: 'latest' } },
};
