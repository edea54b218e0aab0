import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src/telemetry/contract/commands.js';
import { decodeCommand } from '../../../src/telemetry/contract/decode-command.js';
import { topicFor } from '../../../src/telemetry/contract/topic-path.js';
import { COMMAND_EXAMPLES, DEVICE_ID } from './examples.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const requestTopic = (name: string): string => `myoscreen/v1/${DEVICE_ID}/cmd/req/${name}`;

describe('decodeCommand', () => {
  it.each(COMMAND_NAMES)('decodes a valid %s request', (name) => {
    const payload = { id: 'req-1', expiresAt: '2030-01-01T00:00:00.000Z', args: COMMAND_EXAMPLES[name].args };
    const result = decodeCommand(topicFor(DEVICE_ID, 'commandRequest', { name }), bytes(JSON.stringify(payload)));
    expect(result).toEqual({ ok: true, name, request: payload });
  });

  it('defaults missing args to {} for a command that takes none', () => {
    expect(decodeCommand(requestTopic('health_check'), bytes('{"id":"r2"}'))).toEqual({ ok: true, name: 'health_check', request: { id: 'r2', args: {} } });
  });

  it('answers an unknown command with its code, the correlation id and the name', () => {
    expect(decodeCommand(requestTopic('format_disk'), bytes('{"id":"r3","args":{}}'))).toEqual({
      ok: false,
      error: { code: 'MYO_ERR_MQTT_COMMAND_UNKNOWN', message: 'unknown command format_disk' },
      correlationId: 'r3',
      name: 'format_disk',
    });
  });

  it('keeps the correlation id when the args are wrong', () => {
    const result = decodeCommand(requestTopic('log_level/set'), bytes('{"id":"r4","args":{"level":"loud"}}'));
    expect(result).toMatchObject({ ok: false, error: { code: 'MYO_ERR_MQTT_PAYLOAD' }, correlationId: 'r4', name: 'log_level/set' });
    if (!result.ok) expect(result.error.message).toMatch(/^log_level\/set args level:/);
  });

  const hostile: readonly (readonly [string, Uint8Array])[] = [
    ['non-UTF-8 bytes', Uint8Array.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['non-JSON text', bytes('restart now please')],
    ['truncated JSON', bytes('{"id":"r5","args":{')],
    ['a payload over 64 KiB', bytes(JSON.stringify({ id: 'r6', args: { reason: 'x'.repeat(70_000) } }))],
    ['deep nesting', bytes(`{"id":"r7","args":${'['.repeat(5000)}${']'.repeat(5000)}}`)],
    ['a __proto__ key', bytes('{"id":"r8","args":{"__proto__":{"polluted":true}}}')],
    ['a nested constructor key', bytes('{"id":"r9","args":{"reason":"x","nested":[{"constructor":{"prototype":{}}}]}}')],
    ['a JSON array', bytes('[1,2,3]')],
    ['JSON null', bytes('null')],
    ['an id that is not a string', bytes('{"id":42}')],
    ['an extra top-level field', bytes('{"id":"r10","sudo":true}')],
    ['args as an array', bytes('{"id":"r11","args":[]}')],
    ['an empty payload', new Uint8Array(0)],
  ];

  it.each(hostile)('refuses %s with MYO_ERR_MQTT_PAYLOAD', (_what, payload) => {
    const result = decodeCommand(requestTopic('restart'), payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('MYO_ERR_MQTT_PAYLOAD');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses topics that are not command requests with MYO_ERR_MQTT_TOPIC', () => {
    for (const topic of ['myoscreen/v1/cart-07/cmd/res/restart', 'myoscreen/v1/cart-07/cmd/req/+', 'myoscreen/v1/cart-07/cmd/req/..', 'garbage', '']) {
      expect(decodeCommand(topic, bytes('{"id":"r"}'))).toMatchObject({ ok: false, error: { code: 'MYO_ERR_MQTT_TOPIC' } });
    }
  });

  it('refuses another device\'s topic when told which device it is', () => {
    const result = decodeCommand('myoscreen/v1/cart-08/cmd/req/restart', bytes('{"id":"r"}'), { deviceId: DEVICE_ID });
    expect(result).toMatchObject({ ok: false, error: { code: 'MYO_ERR_MQTT_TOPIC' } });
  });
});
