import { describe, expect, it } from 'vitest';
import { FleetListener } from '../../../src/fleet/agent/fleet-listener.js';
import type { JobReport, UpdateRequest } from '../../../src/fleet/agent/update-agent.js';
import { MemoryReplayGuard } from '../../../src/fleet/documents/replay-guard.js';
import { signJobDocument } from '../../../src/fleet/documents/sign-documents.js';
import type { ModelTarget } from '../../../src/fleet/documents/types.js';
import { readPublicKey, trustedKeys } from '../../../src/infer/package/keys.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { operatorKey } from '../fleet-test-kit.js';

const target: ModelTarget = {
  id: 'myoscreen-lsnet',
  version: '1.1.0',
  securityVersion: 1,
  baseUrl: 'https://models.example/lsnet/1.1.0',
  manifestSha256: 'a'.repeat(64),
  totalBytes: 1000,
  allowDowngrade: false,
};

function setup(): { listener: FleetListener; submitted: UpdateRequest[]; reports: JobReport[]; key: ReturnType<typeof operatorKey> } {
  const key = operatorKey();
  const submitted: UpdateRequest[] = [];
  const reports: JobReport[] = [];
  const listener = new FleetListener({
    deviceId: 'cart-1',
    group: 'main',
    subscriber: { subscribe: () => () => undefined },
    trusted: trustedKeys([{ id: key.id, key: readPublicKey(key.publicKeyFile) }]),
    replay: new MemoryReplayGuard(),
    agent: {
      submit: (r) => {
        submitted.push(r);
        return 'accepted';
      },
      reconcile: () => 'ignored',
    },
    reporter: { jobStatus: (r) => reports.push(r) },
    logger: silentLogger(),
  });
  return { listener, submitted, reports, key };
}

const topic = (jobId: string): string => `myoscreen/v1/cart-1/jobs/${jobId}`;
const now = (): string => new Date().toISOString();

describe('FleetListener', () => {
  it('hands a valid job to the agent once, and ignores its replay without answering', () => {
    const { listener, submitted, reports, key } = setup();
    const bytes = signJobDocument({ jobId: 'j1', deviceId: 'cart-1', target, issuedAt: now(), expiresAt: null }, key);
    listener.onJob(topic('j1'), bytes);
    listener.onJob(topic('j1'), bytes);
    expect(submitted.map((s) => s.jobId)).toEqual(['j1']);
    expect(reports).toEqual([]);
  });

  it('answers refused documents on the job status topic with their codes, and the agent never sees them', () => {
    const { listener, submitted, reports, key } = setup();
    const stranger = operatorKey('ops-2');
    listener.onJob(topic('j2'), signJobDocument({ jobId: 'j2', deviceId: 'cart-1', target, issuedAt: '2020-01-01T00:00:00.000Z', expiresAt: '2020-01-02T00:00:00.000Z' }, key));
    listener.onJob(topic('j3'), signJobDocument({ jobId: 'j3', deviceId: 'cart-1', target, issuedAt: now(), expiresAt: null }, stranger));
    const forged = JSON.parse(signJobDocument({ jobId: 'j4', deviceId: 'cart-1', target, issuedAt: now(), expiresAt: null }, key).toString()) as { payload: string };
    forged.payload = forged.payload.replace('1.1.0', '9.9.9');
    listener.onJob(topic('j4'), Buffer.from(JSON.stringify(forged)));
    listener.onJob(topic('j5'), signJobDocument({ jobId: 'j5', deviceId: 'cart-2', target, issuedAt: now(), expiresAt: null }, key));
    expect(submitted).toEqual([]);
    expect(reports.map((r) => `${r.jobId} ${r.state} ${r.error?.code ?? ''}`)).toEqual([
      'j2 rejected MYO_ERR_DOC_EXPIRED',
      'j3 rejected MYO_ERR_DOC_UNKNOWN_KEY',
      'j4 rejected MYO_ERR_DOC_SIGNATURE',
      'j5 rejected MYO_ERR_DOC_WRONG_DEVICE',
    ]);
  });
});
