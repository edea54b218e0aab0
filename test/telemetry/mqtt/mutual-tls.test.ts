import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttConnection } from '../../../src/telemetry/mqtt/mqtt-connection.js';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';
import { silentLogger } from '../../helpers/silent-logger.js';

let broker: Mosquitto | null = null;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop().catch(() => undefined);
  await broker?.close();
  broker = null;
});

/** A throw-away CA, a broker certificate for 127.0.0.1 and a client certificate named after the cart, by openssl. */
function makeCertificates(deviceId: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const dir = mkdtempSync(join(tmpdir(), 'myo-tls-'));
  const p = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=myoscreen test CA', '-keyout', p('ca.key'), '-out', p('ca.pem'));
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('server.key'), '-out', p('server.csr'));
  ssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', p('server.ext'), '-out', p('server.pem'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${deviceId}`, '-keyout', p('client.key'), '-out', p('client.csr'));
  ssl('x509', '-req', '-in', p('client.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '1', '-out', p('client.pem'));
  return { ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}

function connection(url: string, tls: { caFile?: string; certFile?: string; keyFile?: string }): MqttConnection {
  const c = new MqttConnection({
    url,
    deviceId: 'cart-tls',
    session: 1,
    protocol: 'auto',
    tls,
    willDelaySec: 0,
    keepaliveSec: 5,
    reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    logger: silentLogger(),
  });
  stops.push(() => c.stop());
  return c;
}

describe('mutual TLS to mosquitto', () => {
  it('connects with the cart certificate and is refused without one', async () => {
    const certs = makeCertificates('cart-tls');
    broker = await startMosquitto({
      extraConfig: [
        `cafile ${certs.ca}`,
        `certfile ${certs.serverCert}`,
        `keyfile ${certs.serverKey}`,
        'require_certificate true',
        'use_identity_as_username true',
      ],
    });
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const good = connection(url, { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey });
    await good.start();
    await expect.poll(() => good.connected, { timeout: 10_000 }).toBe(true);
    const anonymous = connection(url, { caFile: certs.ca });
    await anonymous.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(anonymous.connected).toBe(false);
  }, 30_000);
});
