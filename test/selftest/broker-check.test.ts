import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { brokerCheck } from '../../src/selftest/broker-check.js';
import { freePort, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';

let broker: Mosquitto | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
});

const config = (url: string): Config => Value.Default(ConfigSchema, { mqtt: { url } }) as Config;

describe('brokerCheck', () => {
  it('passes against a running broker, fails against a closed port, skips the embedded one', async () => {
    broker = await startMosquitto();
    const signal = new AbortController().signal;
    expect((await brokerCheck(config(broker.url))(signal)).outcome).toBe('pass');
    expect((await brokerCheck(config(`mqtt://127.0.0.1:${await freePort()}`), 2000)(signal)).outcome).toBe('fail');
    expect((await brokerCheck(config(''))(signal)).outcome).toBe('skip');
  }, 20_000);
});
