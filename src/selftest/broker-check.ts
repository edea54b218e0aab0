import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { Config } from '../core/config/index.js';
import type { Check } from './check.js';

/**
 * Connects to the configured broker with the daemon's TLS settings under a throw-away client id (never the device's
 * own: that would take over the running daemon's session) and disconnects. Without `mqtt.url` the daemon runs its
 * own embedded broker, which a self-test outside the daemon cannot reach: reported as a skip.
 */
export function brokerCheck(config: Config, timeoutMs = 5000): Check {
  return async () => {
    const { mqtt: m } = config;
    if (m.url === '') return { outcome: 'skip', detail: `no mqtt.url: the daemon runs an embedded broker on ${m.embedded.host}:${m.embedded.port}` };
    const started = performance.now();
    const client = mqtt.connect(m.url, {
      clientId: `${config.device.id}-selftest-${process.pid}`,
      protocolVersion: m.protocol === 4 ? 4 : 5,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      ...(m.tls.caFile ? { ca: readFileSync(m.tls.caFile) } : {}),
      ...(m.tls.certFile ? { cert: readFileSync(m.tls.certFile) } : {}),
      ...(m.tls.keyFile ? { key: readFileSync(m.tls.keyFile) } : {}),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('connection closed before CONNACK')));
      });
      const ms = performance.now() - started;
      return { outcome: 'pass', detail: `${m.url}: connected in ${ms.toFixed(0)} ms`, data: { url: m.url, connectMs: ms } };
    } catch (error) {
      return { outcome: 'fail', detail: `${m.url}: ${error instanceof Error ? error.message : String(error)}`, data: { url: m.url } };
    } finally {
      client.end(true);
    }
  };
}
