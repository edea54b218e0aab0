import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { signDesiredDocument } from '../../src/fleet/documents/sign-documents.js';
import type { ModelTarget } from '../../src/fleet/documents/types.js';

/** An operator's document-signing key, with its public half in a file as a cart's config names it. */
export function operatorKey(id = 'ops-1'): { id: string; privateKey: KeyObject; publicKeyFile: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyFile = join(mkdtempSync(join(tmpdir(), 'myo-opskey-')), `${id}.pub.pem`);
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { id, privateKey, publicKeyFile };
}

export function desiredBytes(key: { id: string; privateKey: KeyObject }, group: string, revision: number, target: ModelTarget): Buffer {
  return signDesiredDocument({ group, revision, target, issuedAt: new Date().toISOString(), expiresAt: null }, key);
}

/** An MQTT client that records every message under a filter, by topic, in arrival order. */
export class BrokerWatcher {
  readonly messages: { topic: string; payload: Record<string, unknown> }[] = [];
  #client: MqttClient | null = null;

  async start(url: string, filters: string[]): Promise<void> {
    const client = mqtt.connect(url, { clientId: `watcher-${process.pid}-${Date.now()}`, clean: true, reconnectPeriod: 200 });
    this.#client = client;
    client.on('message', (topic, payload) => {
      try {
        this.messages.push({ topic, payload: JSON.parse(payload.toString('utf8')) as Record<string, unknown> });
      } catch {
        // a non-JSON payload is not one of ours
      }
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(filters, { qos: 1 });
  }

  async publish(topic: string, payload: Buffer, retain: boolean): Promise<void> {
    if (!this.#client) throw new Error('watcher not started');
    await this.#client.publishAsync(topic, payload, { qos: 1, retain });
  }

  last(topic: string): Record<string, unknown> | null {
    for (let i = this.messages.length - 1; i >= 0; i -= 1) if (this.messages[i]?.topic === topic) return this.messages[i]?.payload ?? null;
    return null;
  }

  /** The job states seen on a status topic, consecutive repeats folded, with the error code where there is one. */
  jobStates(topic: string): string[] {
    return this.messages
      .filter((m) => m.topic === topic)
      .map((m) => {
        const error = m.payload.error as { code?: string } | undefined;
        return error?.code ? `${String(m.payload.state)}:${error.code}` : String(m.payload.state);
      })
      .filter((s, i, all) => all[i - 1] !== s);
  }

  async waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const started = Date.now();
    while (!check()) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.#client?.endAsync(true);
    this.#client = null;
  }
}
