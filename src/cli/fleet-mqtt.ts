import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { MyoError } from '../core/errors.js';

/** How the operator's tools reach the fleet broker (never with a cart's client id: that would take over its session). */
export interface OperatorBrokerOptions {
  readonly url: string;
  readonly protocol: 4 | 5;
  readonly timeoutMs: number;
  readonly username?: string;
  readonly password?: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

function readTlsFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new MyoError('MYO_ERR_USAGE', `cannot read ${path}`, { path }, { cause: error });
  }
}

/** Connects once (no reconnect): an operator command either reaches the broker within the timeout or fails with a code. */
export async function connectOperator(options: OperatorBrokerOptions, role: string): Promise<MqttClient> {
  const clientOptions: IClientOptions = {
    clientId: `myoscreen-fleet-${role}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    protocolVersion: options.protocol,
    reconnectPeriod: 0,
    connectTimeout: options.timeoutMs,
    clean: true,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.caFile !== undefined ? { ca: readTlsFile(options.caFile) } : {}),
    ...(options.certFile !== undefined ? { cert: readTlsFile(options.certFile) } : {}),
    ...(options.keyFile !== undefined ? { key: readTlsFile(options.keyFile) } : {}),
  };
  const client = mqtt.connect(options.url, clientOptions);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs + 500);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      client.once('close', () => {
        clearTimeout(timer);
        reject(new Error('connection closed before CONNACK'));
      });
    });
  } catch (error) {
    client.end(true);
    const message = error instanceof Error ? error.message : String(error);
    throw new MyoError('MYO_ERR_FLEET_BROKER', `cannot connect to ${options.url}: ${message}`, { url: options.url }, { cause: error });
  }
  return client;
}

/** Publishes with QoS 1 and waits for the broker's PUBACK, so "published" means the broker has it. */
export async function publishConfirmed(client: MqttClient, topic: string, payload: Buffer, retain: boolean): Promise<void> {
  try {
    await client.publishAsync(topic, payload, { qos: 1, retain });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MyoError('MYO_ERR_FLEET_BROKER', `publishing on ${topic} failed: ${message}`, { topic }, { cause: error });
  }
}
