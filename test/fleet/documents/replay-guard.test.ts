import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileReplayGuard, MAX_REMEMBERED_JOBS, MemoryReplayGuard } from '../../../src/fleet/documents/replay-guard.js';
import type { VerifiedDesired, VerifiedJob } from '../../../src/fleet/documents/types.js';
import { TARGET } from './fixtures.js';

function jobAt(n: number): VerifiedJob {
  const issuedAt = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
  return { kind: 'job', jobId: `job-${n}`, deviceId: 'cart-1', target: TARGET, issuedAt, expiresAt: null, keyId: 'k' };
}

const desired: VerifiedDesired = { kind: 'desired', group: 'canary', revision: 5, target: TARGET, issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: null, keyId: 'k' };

describe('FileReplayGuard', () => {
  it('remembers jobs and group revisions across a reopen (a restart)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'myo-replay-')), 'sub', 'replay.json');
    const guard = FileReplayGuard.open(path);
    guard.remember(jobAt(1));
    guard.remember(desired);
    const reopened = FileReplayGuard.open(path);
    expect(() => reopened.check(jobAt(1))).toThrow(expect.objectContaining({ code: 'MYO_ERR_DOC_REPLAYED' }));
    expect(() => reopened.check(jobAt(2))).not.toThrow();
    expect(() => reopened.check({ ...desired, revision: 4 })).toThrow(expect.objectContaining({ code: 'MYO_ERR_DOC_REPLAYED' }));
    expect(() => reopened.check(desired)).not.toThrow();
    // Written whole: no temporary file is left beside it.
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ v: 1, groups: { canary: { revision: 5 } } });
    expect(readdirSync(dirname(path))).toEqual(['replay.json']);
  });

  it('a damaged file is refused rather than read as empty (which would reopen every replay)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'myo-replay-')), 'replay.json');
    writeFileSync(path, '{"v":1,"jobs":[');
    expect(() => FileReplayGuard.open(path)).toThrow(expect.objectContaining({ code: 'MYO_ERR_IO' }));
    writeFileSync(path, JSON.stringify({ v: 1, jobs: 'x', jobFloor: null, groups: {} }));
    expect(() => FileReplayGuard.open(path)).toThrow(expect.objectContaining({ code: 'MYO_ERR_IO' }));
  });
});

describe('bounded memory of jobs', () => {
  it('keeps the newest job ids; a forgotten job (and anything issued before it) stays refused by the floor', () => {
    const guard = new MemoryReplayGuard();
    for (let n = 1; n <= MAX_REMEMBERED_JOBS + 10; n += 1) guard.remember(jobAt(n));
    expect(() => guard.check(jobAt(3))).toThrow(expect.objectContaining({ code: 'MYO_ERR_DOC_REPLAYED' }));
    expect(() => guard.check({ ...jobAt(0), jobId: 'never-seen' })).toThrow(expect.objectContaining({ code: 'MYO_ERR_DOC_REPLAYED' }));
    expect(() => guard.check(jobAt(MAX_REMEMBERED_JOBS + 11))).not.toThrow();
  });
});
