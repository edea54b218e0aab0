import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { CliIo } from '../../src/cli/output.js';
import { generateSigningKeyPair, publicKeyFromPem, type TrustedKeys, trustedKeys } from '../../src/infer/package/keys.js';

export function captureIo(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

/** An operator key pair on disk, and the trust a cart would configure for it. */
export function operatorKeyFiles(id: string): { id: string; keyFile: string; trusted: TrustedKeys } {
  const dir = mkdtempSync(join(tmpdir(), 'myo-fleet-key-'));
  const pair = generateSigningKeyPair();
  const keyFile = join(dir, `${id}.key.pem`);
  writeFileSync(keyFile, pair.privateKeyPem, { mode: 0o600 });
  return { id, keyFile, trusted: trustedKeys([{ id, key: publicKeyFromPem(pair.publicKeyPem) }]) };
}

export async function observer(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: `observer-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, reconnectPeriod: 0, protocolVersion: 5 });
}

/** The first message on `topic` (retained ones included), within `timeoutMs`. */
export async function firstMessage(client: MqttClient, topic: string, timeoutMs = 5000): Promise<{ payload: Buffer; retain: boolean }> {
  const received = new Promise<{ payload: Buffer; retain: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    client.on('message', (got, payload, packet) => {
      if (got !== topic) return;
      clearTimeout(timer);
      resolve({ payload, retain: packet.retain });
    });
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return received;
}
