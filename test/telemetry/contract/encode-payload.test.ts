import { describe, expect, it } from 'vitest';
import { MyoError } from '../../../src/core/errors.js';
import { encodePayload } from '../../../src/telemetry/contract/encode-payload.js';
import type { TopicBody } from '../../../src/telemetry/contract/topics.js';
import { ENVELOPE } from './examples.js';

function codeOf(action: () => unknown): string | null {
  try {
    action();
    return null;
  } catch (error) {
    return error instanceof MyoError ? error.code : 'not a MyoError';
  }
}

describe('encodePayload', () => {
  it('writes the envelope and the body as one JSON object', () => {
    const bytes = encodePayload('status', { state: 'online' }, ENVELOPE);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual({ ...ENVELOPE, state: 'online' });
  });

  it('encodes both kinds of command response', () => {
    const ok = encodePayload('commandResponse', { id: 'r1', ok: true, result: { level: 'debug' } }, ENVELOPE);
    const failed = encodePayload('commandResponse', { id: 'r1', ok: false, error: { code: 'MYO_ERR_MQTT_PAYLOAD', message: 'bad' } }, ENVELOPE);
    expect(JSON.parse(ok.toString('utf8'))).toMatchObject({ ok: true, result: { level: 'debug' } });
    expect(JSON.parse(failed.toString('utf8'))).toMatchObject({ ok: false, error: { code: 'MYO_ERR_MQTT_PAYLOAD' } });
  });

  it('refuses a body that fails its schema with a coded error naming the field', () => {
    const body = { state: 'napping' } as unknown as TopicBody<'status'>;
    expect(codeOf(() => encodePayload('status', body, ENVELOPE))).toBe('MYO_ERR_MQTT_PAYLOAD');
    expect(() => encodePayload('status', body, ENVELOPE)).toThrow(/state/);
  });

  it('refuses a broken envelope', () => {
    expect(codeOf(() => encodePayload('status', { state: 'online' }, { ...ENVELOPE, session: 0 }))).toBe('MYO_ERR_MQTT_PAYLOAD');
  });

  it('refuses a body that tries to overwrite an envelope field', () => {
    const body = { state: 'online', deviceId: 'someone-else' } as unknown as TopicBody<'status'>;
    expect(codeOf(() => encodePayload('status', body, ENVELOPE))).toBe('MYO_ERR_MQTT_PAYLOAD');
  });

  it('checks what travels: NaN (which JSON turns into null) is refused', () => {
    const body: TopicBody<'metrics'> = { intervalS: 60, fps: Number.NaN, framesDropped: 0, inferenceStride: 1, latencyMs: null, eventLoopLagMs: 0 };
    expect(codeOf(() => encodePayload('metrics', body, ENVELOPE))).toBe('MYO_ERR_MQTT_PAYLOAD');
  });

  it('refuses a body JSON cannot write and one over 64 KiB', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(codeOf(() => encodePayload('commandResponse', { id: 'r1', ok: true, result: cyclic }, ENVELOPE))).toBe('MYO_ERR_MQTT_PAYLOAD');
    expect(codeOf(() => encodePayload('commandResponse', { id: 'r1', ok: true, result: 'x'.repeat(70_000) }, ENVELOPE))).toBe('MYO_ERR_MQTT_PAYLOAD');
  });
});
