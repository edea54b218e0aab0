import { describe, expect, it } from 'vitest';
import { MyoError, type ErrorCode } from '../../../src/core/errors.js';
import { readDesiredDocument, readJobDocument } from '../../../src/fleet/documents/read-documents.js';
import { MemoryReplayGuard } from '../../../src/fleet/documents/replay-guard.js';
import { signDesiredDocument, signJobDocument } from '../../../src/fleet/documents/sign-documents.js';
import type { VerifiedDesired, VerifiedJob } from '../../../src/fleet/documents/types.js';
import { trustedKeys } from '../../../src/infer/package/keys.js';
import { EARLIER, ISSUED, LATER, NOW, TARGET, operatorKey } from './fixtures.js';

const current = operatorKey('fleet-2026');
const next = operatorKey('fleet-2027');
const stranger = operatorKey('fleet-2026');

const job: Omit<VerifiedJob, 'kind' | 'keyId'> = { jobId: 'job-1', deviceId: 'cart-07', target: TARGET, issuedAt: ISSUED, expiresAt: LATER };
const desired: Omit<VerifiedDesired, 'kind' | 'keyId'> = { group: 'canary', revision: 3, target: TARGET, issuedAt: ISSUED, expiresAt: null };

function jobCtx(replay = new MemoryReplayGuard(), keys = trustedKeys([{ id: current.id, key: current.publicKey }])) {
  return { trusted: keys, now: NOW, deviceId: 'cart-07', replay };
}
function desiredCtx(replay = new MemoryReplayGuard(), keys = trustedKeys([{ id: current.id, key: current.publicKey }])) {
  return { trusted: keys, now: NOW, group: 'canary', replay };
}

function codeOf(run: () => unknown): ErrorCode | 'no error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    if (error instanceof MyoError) return error.code;
    throw error;
  }
}

/** Edits the signed document's wrapper as an attacker on the broker could. */
function edit(bytes: Buffer, change: (doc: Record<string, unknown>) => void): Buffer {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  change(doc);
  return Buffer.from(JSON.stringify(doc));
}

describe('signed job documents', () => {
  it('a job signed by a trusted key reads back as it was signed, with the key that signed it', () => {
    const read = readJobDocument(signJobDocument(job, current), jobCtx());
    expect(read).toEqual({ kind: 'job', ...job, keyId: 'fleet-2026' });
    expect(Object.isFrozen(read.target)).toBe(true);
  });

  it('a tampered payload (one character of the target) fails the signature', () => {
    const tampered = edit(signJobDocument(job, current), (doc) => {
      doc['payload'] = String(doc['payload']).replace('"securityVersion":2', '"securityVersion":9');
    });
    expect(codeOf(() => readJobDocument(tampered, jobCtx()))).toBe('MYO_ERR_DOC_SIGNATURE');
  });

  it('a signature made by another key under a trusted key id fails the signature', () => {
    expect(codeOf(() => readJobDocument(signJobDocument(job, stranger), jobCtx()))).toBe('MYO_ERR_DOC_SIGNATURE');
  });

  it('a signature moved from another document fails', () => {
    const other = JSON.parse(signJobDocument({ ...job, jobId: 'job-2' }, current).toString()) as { sig: string };
    const swapped = edit(signJobDocument(job, current), (doc) => {
      doc['sig'] = other.sig;
    });
    expect(codeOf(() => readJobDocument(swapped, jobCtx()))).toBe('MYO_ERR_DOC_SIGNATURE');
  });

  it('a key this cart does not trust is refused by name', () => {
    const error = (() => {
      try {
        readJobDocument(signJobDocument(job, next), jobCtx());
      } catch (caught) {
        return caught as MyoError;
      }
      return null;
    })();
    expect(error?.code).toBe('MYO_ERR_DOC_UNKNOWN_KEY');
    expect(error?.details).toMatchObject({ keyId: 'fleet-2027', trusted: ['fleet-2026'] });
  });

  it('an expired job is refused; one without expiry is not', () => {
    expect(codeOf(() => readJobDocument(signJobDocument({ ...job, expiresAt: EARLIER }, current), jobCtx()))).toBe('MYO_ERR_DOC_EXPIRED');
    expect(codeOf(() => readJobDocument(signJobDocument({ ...job, expiresAt: null }, current), jobCtx()))).toBe('no error');
    expect(codeOf(() => readJobDocument(signJobDocument({ ...job, expiresAt: NOW.toISOString() }, current), jobCtx()))).toBe('MYO_ERR_DOC_EXPIRED');
  });

  it('a job that expires before it was issued is malformed', () => {
    expect(codeOf(() => readJobDocument(signJobDocument({ ...job, issuedAt: LATER, expiresAt: ISSUED }, current), jobCtx()))).toBe('MYO_ERR_DOC_MALFORMED');
  });

  it('a job for another cart is refused', () => {
    expect(codeOf(() => readJobDocument(signJobDocument({ ...job, deviceId: 'cart-08' }, current), jobCtx()))).toBe('MYO_ERR_DOC_WRONG_DEVICE');
  });

  it('a job replayed after the cart accepted it is refused', () => {
    const replay = new MemoryReplayGuard();
    const bytes = signJobDocument(job, current);
    const first = readJobDocument(bytes, jobCtx(replay));
    // Reading alone does not consume it (the agent remembers once it has accepted the job).
    expect(codeOf(() => readJobDocument(bytes, jobCtx(replay)))).toBe('no error');
    replay.remember(first);
    expect(codeOf(() => readJobDocument(bytes, jobCtx(replay)))).toBe('MYO_ERR_DOC_REPLAYED');
    // Re-signing the same job id does not make it new.
    expect(codeOf(() => readJobDocument(signJobDocument({ ...job, issuedAt: EARLIER }, current), jobCtx(replay)))).toBe('MYO_ERR_DOC_REPLAYED');
  });

  it('a job that arrived on another job id topic is malformed', () => {
    expect(codeOf(() => readJobDocument(signJobDocument(job, current), { ...jobCtx(), topicJobId: 'job-9' }))).toBe('MYO_ERR_DOC_MALFORMED');
  });

  it.each([
    ['not JSON', Buffer.from('{"v":1,')],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['an unsigned bare payload', Buffer.from(JSON.stringify({ v: 1, kind: 'model_update', jobId: 'job-1' }))],
    ['another algorithm', edit(signJobDocument(job, current), (doc) => (doc['alg'] = 'rsa'))],
    ['a short signature', edit(signJobDocument(job, current), (doc) => (doc['sig'] = 'AAAA'))],
    ['an extra wrapper field', edit(signJobDocument(job, current), (doc) => (doc['unsigned'] = true))],
    ['a prototype key', Buffer.from('{"__proto__":{"x":1},"v":1}')],
  ])('%s is malformed', (_name, bytes) => {
    expect(codeOf(() => readJobDocument(bytes, jobCtx()))).toBe('MYO_ERR_DOC_MALFORMED');
  });

  it('a validly signed payload that is not a job (a desired state) is malformed, so one kind cannot pass as the other', () => {
    expect(codeOf(() => readJobDocument(signDesiredDocument(desired, current), jobCtx()))).toBe('MYO_ERR_DOC_MALFORMED');
    expect(codeOf(() => readDesiredDocument(signJobDocument(job, current), desiredCtx()))).toBe('MYO_ERR_DOC_MALFORMED');
  });

  it('a target URL with a query or a non-http scheme is malformed even when signed', () => {
    expect(codeOf(() => readJobDocument(signJobDocument({ ...job, target: { ...TARGET, baseUrl: 'file:///etc' } }, current), jobCtx()))).toBe('MYO_ERR_DOC_MALFORMED');
    expect(codeOf(() => readJobDocument(signJobDocument({ ...job, target: { ...TARGET, baseUrl: 'https://x.example/p?sig=1' } }, current), jobCtx()))).toBe('MYO_ERR_DOC_MALFORMED');
  });
});

describe('key rotation', () => {
  it('with two keys trusted at once, documents signed by either are read; dropping the old key refuses its documents', () => {
    const both = trustedKeys([
      { id: current.id, key: current.publicKey },
      { id: next.id, key: next.publicKey },
    ]);
    expect(readJobDocument(signJobDocument(job, current), jobCtx(undefined, both)).keyId).toBe('fleet-2026');
    expect(readJobDocument(signJobDocument({ ...job, jobId: 'job-2' }, next), jobCtx(undefined, both)).keyId).toBe('fleet-2027');
    const onlyNext = trustedKeys([{ id: next.id, key: next.publicKey }]);
    expect(codeOf(() => readJobDocument(signJobDocument(job, current), jobCtx(undefined, onlyNext)))).toBe('MYO_ERR_DOC_UNKNOWN_KEY');
    expect(readDesiredDocument(signDesiredDocument(desired, next), desiredCtx(undefined, onlyNext)).keyId).toBe('fleet-2027');
  });
});

describe('signed desired-state documents', () => {
  it('reads back as signed; a null target means leave the model alone', () => {
    expect(readDesiredDocument(signDesiredDocument(desired, current), desiredCtx())).toEqual({ kind: 'desired', ...desired, keyId: 'fleet-2026' });
    expect(readDesiredDocument(signDesiredDocument({ ...desired, target: null }, current), desiredCtx()).target).toBeNull();
  });

  it('another group, an expired one, a tampered one and an unknown key are refused with their codes', () => {
    expect(codeOf(() => readDesiredDocument(signDesiredDocument({ ...desired, group: 'main' }, current), desiredCtx()))).toBe('MYO_ERR_DOC_WRONG_DEVICE');
    expect(codeOf(() => readDesiredDocument(signDesiredDocument({ ...desired, expiresAt: EARLIER }, current), desiredCtx()))).toBe('MYO_ERR_DOC_EXPIRED');
    const tampered = edit(signDesiredDocument(desired, current), (doc) => {
      doc['payload'] = String(doc['payload']).replace('"revision":3', '"revision":30');
    });
    expect(codeOf(() => readDesiredDocument(tampered, desiredCtx()))).toBe('MYO_ERR_DOC_SIGNATURE');
    expect(codeOf(() => readDesiredDocument(signDesiredDocument(desired, next), desiredCtx()))).toBe('MYO_ERR_DOC_UNKNOWN_KEY');
  });

  it('the retained document delivered again is fine; an older revision or a changed one under the same revision is a replay', () => {
    const replay = new MemoryReplayGuard();
    const bytes = signDesiredDocument(desired, current);
    replay.remember(readDesiredDocument(bytes, desiredCtx(replay)));
    expect(codeOf(() => readDesiredDocument(bytes, desiredCtx(replay)))).toBe('no error');
    expect(codeOf(() => readDesiredDocument(signDesiredDocument({ ...desired, revision: 2 }, current), desiredCtx(replay)))).toBe('MYO_ERR_DOC_REPLAYED');
    expect(codeOf(() => readDesiredDocument(signDesiredDocument({ ...desired, target: null }, current), desiredCtx(replay)))).toBe('MYO_ERR_DOC_REPLAYED');
    const newer = readDesiredDocument(signDesiredDocument({ ...desired, revision: 4, target: null }, current), desiredCtx(replay));
    replay.remember(newer);
    expect(codeOf(() => readDesiredDocument(bytes, desiredCtx(replay)))).toBe('MYO_ERR_DOC_REPLAYED');
  });

  it('groups are tracked apart', () => {
    const replay = new MemoryReplayGuard();
    replay.remember(readDesiredDocument(signDesiredDocument({ ...desired, revision: 9 }, current), desiredCtx(replay)));
    const main = { ...desiredCtx(replay), group: 'main' };
    expect(codeOf(() => readDesiredDocument(signDesiredDocument({ ...desired, group: 'main', revision: 1 }, current), main))).toBe('no error');
  });
});
