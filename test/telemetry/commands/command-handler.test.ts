import { describe, expect, it } from 'vitest';
import { MyoError } from '../../../src/core/errors.js';
import { CommandHandler, type CommandActions } from '../../../src/telemetry/commands/command-handler.js';
import { silentLogger } from '../../helpers/silent-logger.js';

const DEVICE = 'cart-c';
const req = (name: string): string => `myoscreen/v1/${DEVICE}/cmd/req/${name}`;

interface Sent {
  topic: string;
  body: Record<string, unknown>;
  correlationData: Buffer | undefined;
}

function setup(overrides: Partial<CommandActions> = {}, now = (): number => Date.parse('2026-11-25T12:00:00Z')) {
  const sent: Sent[] = [];
  const calls: string[] = [];
  const actions: CommandActions = {
    health: () => ({ status: 'ok' }),
    republish: (topics) => ({ republished: topics }),
    config: () => ({ api: { host: '127.0.0.1', port: 8080 }, mqtt: { url: '' } }),
    setLogLevel: (level, durationS) => ({ level, durationS }),
    restart: (args) => {
      calls.push(`restart:${args.reason ?? ''}`);
      return { accepted: true };
    },
    selftest: (args) => {
      calls.push('selftest');
      return Promise.resolve({ ok: true, checks: args.checks ?? [] });
    },
    displayTest: () => Promise.resolve({ pages: 12 }),
    ...overrides,
  };
  let n = 0;
  const handler = new CommandHandler({
    deviceId: DEVICE,
    actions,
    logger: silentLogger(),
    now,
    envelope: () => ({ v: 1, messageId: `01JD0000000000000000000${String(n++).padStart(3, '0')}`, sentAt: new Date(now()).toISOString(), deviceId: DEVICE, session: 1 }),
    publish: (topic, payload, correlationData) => {
      sent.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown>, correlationData });
      return Promise.resolve();
    },
  });
  const send = (name: string, body: unknown, properties: { responseTopic?: string; correlationData?: Buffer } = {}): Promise<void> =>
    handler.handle(req(name), Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), { properties });
  return { handler, sent, calls, send };
}

describe('CommandHandler', () => {
  it('answers on cmd/res/{name} with the request id and the result', async () => {
    const { sent, send } = setup();
    await send('log_level/set', { id: 'r-1', args: { level: 'debug', durationS: 60 } });
    expect(sent[0]?.topic).toBe(`myoscreen/v1/${DEVICE}/cmd/res/log_level/set`);
    expect(sent[0]?.body).toMatchObject({ id: 'r-1', ok: true, result: { level: 'debug', durationS: 60 }, deviceId: DEVICE });
  });

  it('uses the MQTT 5 response topic and echoes the correlation data when the request has them', async () => {
    const { sent, send } = setup();
    await send('health_check', { id: 'r-2' }, { responseTopic: 'fleet/replies/42', correlationData: Buffer.from('corr-42') });
    expect(sent[0]?.topic).toBe('fleet/replies/42');
    expect(sent[0]?.correlationData?.toString()).toBe('corr-42');
    expect(sent[0]?.body).toMatchObject({ id: 'r-2', ok: true });
  });

  it('runs a repeated request id once and answers every repeat with the first answer', async () => {
    const { sent, calls, send, handler } = setup();
    await send('restart', { id: 'same', args: { reason: 'first' } });
    await send('restart', { id: 'same', args: { reason: 'first' } });
    await send('restart', { id: 'other', args: { reason: 'second' } });
    expect(calls).toEqual(['restart:first', 'restart:second']);
    expect(sent.map((s) => s.body.id)).toEqual(['same', 'same', 'other']);
    expect(sent[1]?.body.result).toEqual(sent[0]?.body.result);
    expect(handler.stats()).toMatchObject({ handled: 2, repeated: 1, refused: 0 });
  });

  it('refuses an expired request with MYO_ERR_COMMAND_EXPIRED and does not run it', async () => {
    const { sent, calls, send } = setup();
    await send('selftest', { id: 'late', expiresAt: '2026-11-25T11:59:59.000Z' });
    await send('selftest', { id: 'fresh', expiresAt: '2026-11-25T12:05:00.000Z' });
    expect(sent[0]?.body).toMatchObject({ id: 'late', ok: false, error: { code: 'MYO_ERR_COMMAND_EXPIRED' } });
    expect(sent[1]?.body).toMatchObject({ id: 'fresh', ok: true });
    expect(calls).toEqual(['selftest']);
  });

  it('turns a failing action into a coded error response', async () => {
    const { sent, send } = setup({
      selftest: () => Promise.reject(new MyoError('MYO_ERR_SELFTEST_RUNNING', 'a self-test is already running')),
      displayTest: () => Promise.reject(new Error('boom')),
    });
    await send('selftest', { id: 's-1' });
    await send('display/test', { id: 'd-1', args: { durationMs: 500 } });
    expect(sent[0]?.body).toMatchObject({ ok: false, error: { code: 'MYO_ERR_SELFTEST_RUNNING' } });
    expect(sent[1]?.body).toMatchObject({ ok: false, error: { code: 'MYO_ERR_INTERNAL' } });
  });

  it('answers model/rollback with MYO_ERR_NOT_READY when there is no model store, and calls it when there is', async () => {
    const without = setup();
    await without.send('model/rollback', { id: 'm-1' });
    expect(without.sent[0]?.body).toMatchObject({ ok: false, error: { code: 'MYO_ERR_NOT_READY' } });
    const withStore = setup({ rollback: (args) => Promise.resolve({ to: args.toVersion ?? 'previous' }) });
    await withStore.send('model/rollback', { id: 'm-2', args: { toVersion: '1.0.0' } });
    expect(withStore.sent[0]?.body).toMatchObject({ ok: true, result: { to: '1.0.0' } });
  });

  it('narrows config/get to a path and says null for a path that names nothing', async () => {
    const { sent, send } = setup();
    await send('config/get', { id: 'c-1', args: { path: 'api.port' } });
    await send('config/get', { id: 'c-2', args: { path: 'api.nothing' } });
    expect(sent[0]?.body.result).toEqual({ path: 'api.port', value: 8080 });
    expect(sent[1]?.body.result).toEqual({ path: 'api.nothing', value: null });
  });

  it('answers unknown and malformed requests with codes, and stays silent only when there is no id to answer', async () => {
    const { sent, send, handler } = setup();
    await send('reboot_now', { id: 'u-1' });
    await send('restart', { id: 'b-1', args: { delayMs: -5 } });
    await send('restart', '{not json');
    expect(sent.map((s) => (s.body.error as { code: string }).code)).toEqual(['MYO_ERR_MQTT_COMMAND_UNKNOWN', 'MYO_ERR_MQTT_PAYLOAD']);
    expect(handler.stats().refused).toBe(3);
  });

  it('logs and survives a response that cannot be sent', async () => {
    const handler = new CommandHandler({
      deviceId: DEVICE,
      actions: { health: () => 1, republish: () => 1, config: () => ({}), setLogLevel: () => 1, restart: () => 1, selftest: () => Promise.resolve(1), displayTest: () => Promise.resolve(1) },
      logger: silentLogger(),
      envelope: () => ({ v: 1, messageId: '01JD0000000000000000000000', sentAt: new Date().toISOString(), deviceId: DEVICE, session: 1 }),
      publish: () => Promise.reject(new Error('not connected')),
    });
    await expect(handler.handle(req('health_check'), Buffer.from('{"id":"x"}'), {})).resolves.toBeUndefined();
  });
});
