import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_NAMES, CommandRequestSchema, isCommandName } from '../../../src/telemetry/contract/commands.js';
import { decodeCommand } from '../../../src/telemetry/contract/decode-command.js';
import { COMMAND_EXAMPLES, DEVICE_ID } from './examples.js';

/** A small seeded generator (mulberry32), so a failure replays exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CODES = new Set(['MYO_ERR_MQTT_TOPIC', 'MYO_ERR_MQTT_PAYLOAD', 'MYO_ERR_MQTT_COMMAND_UNKNOWN']);
const ODD_VALUES: readonly unknown[] = [null, true, -1, 0, 1e308, '', 'x'.repeat(600), [], {}, [[[]]], { __proto__x: 1 }, '\u0000', 'debug', 'info', 3000];
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'level', 'reason', 'delayMs', 'topics', 'checks', 'path', 'toVersion', 'durationMs', 'x'];

function payloadFor(random: () => number, name: string): Uint8Array {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const kind = Math.floor(random() * 10);
  switch (kind) {
    case 0: // random bytes, often invalid UTF-8
      return Uint8Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256));
    case 1: { // a valid request with a byte flipped
      const text = Buffer.from(JSON.stringify({ id: 'f1', args: isCommandName(name) ? COMMAND_EXAMPLES[name].args : {} }));
      if (text.length > 0) text[Math.floor(random() * text.length)] = Math.floor(random() * 256);
      return text;
    }
    case 2: { // deep nesting of arrays and objects
      const depth = 1 + Math.floor(random() * 3000);
      const open = random() < 0.5 ? '[' : '{"a":';
      const close = open === '[' ? ']' : '}';
      return Buffer.from(`{"id":"f2","args":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}`);
    }
    case 3: // prototype-pollution keys at some depth
      return Buffer.from(`{"id":"f3","args":{"reason":"r","${pick(['__proto__', 'constructor', 'prototype'])}":{"polluted":true}}}`);
    case 4: // huge, now and then (each one costs 64 KiB)
      return random() < 0.05 ? Buffer.alloc(64 * 1024 + 1 + Math.floor(random() * 1000), 0x20) : Buffer.from('{"id":"f4"}');
    case 5: { // random structure of odd keys and values
      const args: Record<string, unknown> = {};
      for (let index = 0; index < Math.floor(random() * 4); index += 1) args[pick(ODD_KEYS)] = pick(ODD_VALUES);
      const request: Record<string, unknown> = { id: pick(['f5', '', 42, null, 'a b', 'ok-id']), args };
      if (random() < 0.3) request['expiresAt'] = pick(['2030-01-01T00:00:00.000Z', 'tomorrow', 7]);
      if (random() < 0.1) request['extra'] = 1;
      return Buffer.from(JSON.stringify(request));
    }
    case 6: // a valid request
      return Buffer.from(JSON.stringify({ id: `ok-${Math.floor(random() * 1e6)}`, args: isCommandName(name) ? COMMAND_EXAMPLES[name].args : {} }));
    case 7: // JSON that is not an object
      return Buffer.from(JSON.stringify(pick(ODD_VALUES)));
    case 8: // escapes and brackets inside strings, which must not confuse the depth scan
      return Buffer.from(`{"id":"f8","args":{"reason":"${'[{\\"'.repeat(Math.floor(random() * 50))}"}}`);
    default: // truncated JSON
      return Buffer.from(JSON.stringify({ id: 'f9', args: { reason: 'r'.repeat(Math.floor(random() * 50)) } }).slice(0, Math.floor(random() * 30)));
  }
}

function topicFor(random: () => number): string {
  const roll = random();
  if (roll < 0.75) return `myoscreen/v1/${DEVICE_ID}/cmd/req/${COMMAND_NAMES[Math.floor(random() * COMMAND_NAMES.length)]!}`;
  if (roll < 0.85) return `myoscreen/v1/${DEVICE_ID}/cmd/req/${['reboot', 'format_disk', 'log_level/get', 'a_b'][Math.floor(random() * 4)]!}`;
  return `myoscreen/v1/${DEVICE_ID}/${['cmd/req/+', 'cmd/req/#', 'cmd/req/..', 'cmd/req//x', 'cmd/req/a/b/c', 'cmd/res/restart', 'x'.repeat(600)][Math.floor(random() * 7)]!}`;
}

describe('decodeCommand under 10,000 hostile payloads', () => {
  it('never throws; every result is a coded error or a request that passes its schemas; time stays bounded', () => {
    const random = seededRandom(0x5eed_6);
    const outcomes = new Map<string, number>();
    let slowestMs = 0;
    const started = performance.now();
    for (let round = 0; round < 10_000; round += 1) {
      const topic = topicFor(random);
      const name = topic.split('/').slice(5).join('/');
      const payload = payloadFor(random, name);
      const before = performance.now();
      const result = decodeCommand(topic, payload);
      slowestMs = Math.max(slowestMs, performance.now() - before);
      if (result.ok) {
        expect(Value.Check(CommandRequestSchema, result.request)).toBe(true);
        expect(Value.Check(COMMANDS[result.name].args, result.request.args)).toBe(true);
        outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
      } else {
        expect(CODES.has(result.error.code), `${result.error.code} for round ${round}`).toBe(true);
        expect(result.error.message.length).toBeLessThan(1000);
        outcomes.set(result.error.code, (outcomes.get(result.error.code) ?? 0) + 1);
      }
    }
    const totalMs = performance.now() - started;
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // Every kind of outcome happened, so the generator really exercised each path.
    expect([...outcomes.keys()].sort()).toEqual(['MYO_ERR_MQTT_COMMAND_UNKNOWN', 'MYO_ERR_MQTT_PAYLOAD', 'MYO_ERR_MQTT_TOPIC', 'ok']);
    // Generous bounds for a shared 2-core machine; a quadratic scan or a parse of a deep payload would blow them.
    expect(totalMs).toBeLessThan(10_000);
    expect(slowestMs).toBeLessThan(250);
  });
});
