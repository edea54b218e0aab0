import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import { UpdateJournal } from '../../../src/fleet/agent/journal.js';
import { breakGolden, makeCart, PackageShelf, waitFor, type Cart } from './agent-harness.js';

const shelf = new PackageShelf();
const carts: Cart[] = [];
const cart = (options: Parameters<typeof makeCart>[0] = {}): Cart => {
  const c = makeCart(options);
  carts.push(c);
  return c;
};

beforeAll(() => shelf.start());
afterAll(() => shelf.stop());
afterEach(async () => {
  for (const c of carts.splice(0)) await c.stop();
});

const FULL_PATH = ['queued', 'downloading', 'verifying', 'staged', 'waiting', 'validating', 'activating', 'probation', 'succeeded'];

async function finished(c: Cart, jobId: string): Promise<string[]> {
  await waitFor(() => c.reports.some((r) => r.jobId === jobId && ['succeeded', 'failed', 'rejected', 'rolled_back'].includes(r.state)), 15_000, `${jobId} to end`);
  await c.agent.idle();
  return c.reportsFor(jobId);
}

describe('UpdateAgent: the happy path', () => {
  it('takes a job through every step, swaps the model and raises the security floor', async () => {
    const target = await shelf.add('v110', (m) => {
      m.version = '1.1.0';
      m.securityVersion = 2;
    });
    const c = cart();
    await c.boot();
    expect(c.engine.active()?.version).toBe('1.0.0');
    expect(c.agent.submit({ jobId: 'job-1', origin: 'job', target })).toBe('accepted');
    expect(await finished(c, 'job-1')).toEqual(FULL_PATH);
    expect(c.engine.active()?.version).toBe('1.1.0');
    const snap = c.store.snapshot();
    expect(snap).toMatchObject({ committed: true, securityFloor: 2, previous: 'factory' });
    expect(snap.active?.version).toBe('1.1.0');
    expect(new UpdateJournal(c.journal.path).read()?.phase).toBe('committed');
    const last = c.states.at(-1);
    expect(last?.phase).toBe('committed');
    expect(last?.installed?.version).toBe('1.1.0');
    // Resubmitting the installed package is answered at once.
    expect(c.agent.submit({ jobId: 'job-2', origin: 'job', target })).toBe('installed');
    expect(c.reportsFor('job-2')).toEqual(['succeeded']);
  });

  it('waits while an exam runs, shows phase waiting, and swaps only after the exam', async () => {
    const target = await shelf.add('v111', (m) => {
      m.version = '1.1.1';
    });
    const c = cart();
    await c.boot();
    c.exam = true;
    c.agent.submit({ jobId: 'job-exam', origin: 'job', target });
    await waitFor(() => c.agent.status()?.phase === 'waiting', 10_000, 'waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(c.agent.status()?.phase).toBe('waiting');
    expect(c.engine.active()?.version).toBe('1.0.0');
    expect(c.agent.updateProgress()).toMatchObject({ version: '1.1.1', step: 'waiting' });
    expect(c.states.at(-1)?.phase).toBe('waiting');
    c.exam = false;
    expect((await finished(c, 'job-exam')).at(-1)).toBe('succeeded');
    expect(c.engine.active()?.version).toBe('1.1.1');
  });
});

describe('UpdateAgent: refusals keep the old model serving, each with its own code', () => {
  const otherKey = generateKeyPairSync('ed25519');
  const cases: { name: string; code: string; state: string; setup: () => Promise<Parameters<Cart['agent']['submit']>[0]['target']>; cart?: Parameters<typeof makeCart>[0] }[] = [
    {
      name: 'a tampered file',
      code: 'MYO_ERR_MODEL_FILE',
      state: 'rejected',
      setup: () =>
        shelf.add('tampered', (m) => void (m.version = '1.2.0'), (dir) => {
          const bytes = readFileSync(join(dir, 'model.onnx'));
          bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
          writeFileSync(join(dir, 'model.onnx'), bytes);
        }),
    },
    {
      name: 'a bad signature',
      code: 'MYO_ERR_MODEL_SIGNATURE',
      state: 'rejected',
      setup: () =>
        shelf.add('badsig', (m) => void (m.version = '1.2.1'), (dir) => {
          const forged = sign(null, Buffer.from('something else'), readFileSync(join(process.cwd(), 'models/keys/myoscreen-dev-1.DEVELOPMENT-ONLY.key.pem'), 'utf8'));
          writeFileSync(join(dir, 'model.json.sig'), `${forged.toString('base64')}\n`);
        }),
    },
    {
      name: 'an unknown key',
      code: 'MYO_ERR_MODEL_KEY_UNKNOWN',
      state: 'rejected',
      setup: async () => {
        const target = await shelf.add('unknownkey', (m) => {
          m.version = '1.2.2';
          m.keyId = 'someone-else';
        });
        const dir = shelf.dir('unknownkey');
        writeFileSync(join(dir, 'model.json.sig'), `${sign(null, readFileSync(join(dir, 'model.json')), otherKey.privateKey).toString('base64')}\n`);
        return target;
      },
    },
    {
      name: 'a lower security version',
      code: 'MYO_ERR_MODEL_DOWNGRADE',
      state: 'rejected',
      setup: () =>
        shelf.add('lower', (m) => {
          m.version = '1.2.3';
          m.securityVersion = 0;
        }),
    },
    {
      name: 'a wrong input shape',
      code: 'MYO_ERR_MODEL_INPUT_INCOMPATIBLE',
      state: 'rejected',
      setup: () =>
        shelf.add('shape', (m) => {
          m.version = '1.2.4';
          m.input.shape = [1, 1, 128, 96];
        }),
    },
    {
      name: 'a golden-vector mismatch',
      code: 'MYO_ERR_MODEL_GOLDEN',
      state: 'failed',
      setup: async () => {
        const dir = shelf.dir('golden');
        await shelf.add('golden', (m) => void (m.version = '1.2.5'), breakGolden);
        // breakGolden changed golden.json after signing: sign again so only the vectors are wrong.
        const { resign } = await import('../../helpers/model-package.js');
        const { targetFromPackage } = await import('../../../src/fleet/documents/sign-documents.js');
        resign(dir);
        return targetFromPackage(dir, `${shelf.url}/golden`);
      },
    },
    {
      name: 'a model slower than the budget',
      code: 'MYO_ERR_MODEL_TOO_SLOW',
      state: 'failed',
      cart: { engine: { runtimeMs: 12 }, budgetMs: 4 },
      setup: () => shelf.add('slow', (m) => void (m.version = '1.2.6')),
    },
    {
      name: 'an oversized download',
      code: 'MYO_ERR_DOWNLOAD_TOO_LARGE',
      state: 'rejected',
      cart: { config: { download: { maxBytes: 1024 * 1024, timeoutMs: 5000, attempts: 1 } } },
      setup: () => shelf.add('big', (m) => void (m.version = '1.2.7')),
    },
    {
      name: 'a path-traversal file name',
      code: 'MYO_ERR_DOWNLOAD_PATH',
      state: 'rejected',
      setup: async () => {
        const target = await shelf.add('traversal', (m) => void (m.version = '1.2.8'));
        // The manifest (and so the document's hash of it) names a file outside the package folder.
        const dir = shelf.dir('traversal');
        const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { files: Record<string, unknown> };
        manifest.files['../../escaped.onnx'] = { sha256: 'a'.repeat(64), size: 10 };
        const bytes = Buffer.from(JSON.stringify(manifest));
        writeFileSync(join(dir, 'model.json'), bytes);
        const { createHash } = await import('node:crypto');
        return { ...target, manifestSha256: createHash('sha256').update(bytes).digest('hex'), totalBytes: target.totalBytes + 10 };
      },
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} (${c.code})`, async () => {
      const target = await c.setup();
      const k = cart(c.cart);
      await k.boot();
      k.agent.submit({ jobId: 'job-bad', origin: 'job', target });
      const states = await finished(k, 'job-bad');
      expect(states.at(-1)).toBe(`${c.state}:${c.code}`);
      expect(states).not.toContain('activating');
      expect(k.engine.active()?.version).toBe('1.0.0');
      expect(k.store.snapshot().active).toBeNull();
      expect(k.store.snapshot().candidate).toBeNull();
      expect(k.journal.read()?.error?.code).toBe(c.code);
    });
  }

  it('accepts a lower security version when the signed document allows the downgrade', async () => {
    const target = await shelf.add('allowed', (m) => {
      m.version = '0.9.0';
      m.securityVersion = 0;
    });
    const k = cart();
    await k.boot();
    k.agent.submit({ jobId: 'job-down', origin: 'job', target: { ...target, allowDowngrade: true } });
    expect((await finished(k, 'job-down')).at(-1)).toBe('succeeded');
    expect(k.engine.active()?.version).toBe('0.9.0');
    expect(k.store.snapshot().securityFloor).toBe(0);
  });
});

describe('UpdateAgent: probation and rollback', () => {
  it('rolls back when inference health fails during probation', async () => {
    const target = await shelf.add('probation', (m) => void (m.version = '1.3.0'));
    const c = cart({ config: { probation: { inferences: 1_000_000, seconds: 30, maxInferenceErrors: 0 } } });
    await c.boot();
    c.agent.submit({ jobId: 'job-p', origin: 'job', target });
    await waitFor(() => c.agent.status()?.phase === 'probation', 10_000, 'probation');
    expect(c.engine.active()?.version).toBe('1.3.0');
    c.healthy = false;
    const states = await finished(c, 'job-p');
    expect(states.at(-1)).toBe('rolled_back:MYO_ERR_UPDATE_PROBATION');
    expect(c.engine.active()?.version).toBe('1.0.0');
    expect(c.store.snapshot()).toMatchObject({ active: null, committed: true });
    expect(c.rolledBack).toHaveLength(1);
    expect(c.states.at(-1)).toMatchObject({ phase: 'rolled_back', installed: { version: '1.0.0' } });
  });

  it('rolls back on an inference error during probation', async () => {
    const target = await shelf.add('probation2', (m) => void (m.version = '1.3.1'));
    const c = cart({ config: { probation: { inferences: 1_000_000, seconds: 30, maxInferenceErrors: 0 } } });
    await c.boot();
    c.agent.submit({ jobId: 'job-e', origin: 'job', target });
    await waitFor(() => c.agent.status()?.phase === 'probation', 10_000, 'probation');
    c.engine.failNext(new Error('runtime exploded'));
    await c.engine.run(new Float32Array(128 * 128)).catch(() => undefined);
    expect((await finished(c, 'job-e')).at(-1)).toBe('rolled_back:MYO_ERR_UPDATE_PROBATION');
    expect(c.engine.active()?.version).toBe('1.0.0');
  });

  it('rolls back on the operator command, and refuses when nothing is left to go back to', async () => {
    const target = await shelf.add('operator', (m) => void (m.version = '1.4.0'));
    const c = cart();
    await c.boot();
    c.agent.submit({ jobId: 'job-o', origin: 'job', target });
    expect((await finished(c, 'job-o')).at(-1)).toBe('succeeded');
    const result = await c.agent.rollback({ reason: 'clinic asked' });
    expect(result.active?.version).toBe('1.0.0');
    expect(c.engine.active()?.version).toBe('1.0.0');
    expect(c.rolledBack).toEqual(['clinic asked']);
    let thrown: unknown = null;
    await c.agent.rollback({}).catch((error: unknown) => (thrown = error));
    expect(isMyoError(thrown, 'MYO_ERR_ROLLBACK_UNAVAILABLE')).toBe(true);
  });
});

describe('UpdateAgent: boot recovery', () => {
  it('resumes probation after a restart, and rolls back a model that keeps the daemon from booting', async () => {
    const target = await shelf.add('crashy', (m) => void (m.version = '1.5.0'));
    const first = cart({ pauseAt: 'probation' });
    await first.boot();
    first.agent.submit({ jobId: 'job-c', origin: 'job', target });
    await waitFor(() => first.journal.read()?.phase === 'probation', 10_000, 'probation journaled');
    await first.stop(); // the "crash": nothing after the journal entry runs
    // Boot 2 (attempt 2 of 2): still on probation, killed again.
    const second = cart({ stateDir: first.stateDir, pauseAt: 'probation' });
    await second.boot();
    expect(second.engine.active()?.version).toBe('1.5.0');
    await waitFor(() => second.journal.read()?.bootAttempts === 2, 10_000, 'second attempt');
    await second.stop();
    // Boot 3: one start too many; the model goes.
    const third = cart({ stateDir: first.stateDir });
    await third.boot();
    expect(third.engine.active()?.version).toBe('1.0.0');
    expect(third.store.snapshot().active).toBeNull();
    expect(third.reportsFor('job-c')).toEqual(['rolled_back:MYO_ERR_UPDATE_CRASH_LOOP']);
    expect(third.journal.read()?.phase).toBe('rolled_back');
  });

  it('resumes a job cut short before activation and finishes it', async () => {
    const target = await shelf.add('resume', (m) => void (m.version = '1.6.0'));
    const first = cart({ pauseAt: 'validating' });
    await first.boot();
    first.agent.submit({ jobId: 'job-r', origin: 'job', target });
    await waitFor(() => first.journal.read()?.phase === 'validating', 10_000, 'validating journaled');
    await first.stop();
    const second = cart({ stateDir: first.stateDir });
    await second.boot();
    expect(second.engine.active()?.version).toBe('1.0.0');
    const states = await finished(second, 'job-r');
    expect(states).toEqual(['waiting', 'validating', 'activating', 'probation', 'succeeded']);
    expect(second.engine.active()?.version).toBe('1.6.0');
  });

  it('keeps a job that arrived behind another one on disk, so a crash does not lose it', async () => {
    const busy = await shelf.add('busy', (m) => void (m.version = '1.7.0'));
    const next = await shelf.add('next', (m) => void (m.version = '1.8.0'));
    const first = cart({ pauseAt: 'validating' });
    await first.boot();
    first.agent.submit({ jobId: 'job-busy', origin: 'job', target: busy });
    await waitFor(() => first.journal.read()?.phase === 'validating', 10_000, 'validating journaled');
    expect(first.agent.submit({ jobId: 'job-next', origin: 'job', target: next })).toBe('accepted');
    expect(first.reportsFor('job-next')).toEqual(['queued']);
    expect(first.journal.readWaiting()?.jobId).toBe('job-next');
    await first.stop();
    const second = cart({ stateDir: first.stateDir });
    await second.boot();
    await finished(second, 'job-busy');
    expect((await finished(second, 'job-next')).at(-1)).toBe('succeeded');
    expect(second.engine.active()?.version).toBe('1.8.0');
    expect(second.journal.readWaiting()).toBeNull();
  });
});

describe('UpdateAgent: desired state', () => {
  it('reconciles once, ignores redeliveries and does not retry a package that failed here', async () => {
    const good = await shelf.add('desired-good', (m) => void (m.version = '1.7.0'));
    const c = cart();
    await c.boot();
    const doc = { kind: 'desired' as const, group: 'canary', revision: 3, target: good, issuedAt: new Date().toISOString(), expiresAt: null, keyId: 'k' };
    expect(c.agent.reconcile(doc)).toBe('accepted');
    expect(c.agent.reconcile(doc)).toBe('duplicate');
    expect((await finished(c, 'canary-r3')).at(-1)).toBe('succeeded');
    expect(c.agent.reconcile(doc)).toBe('installed');
    const badDir = shelf.dir('desired-bad');
    await shelf.add('desired-bad', (m) => void (m.version = '1.7.1'), breakGolden);
    const { resign } = await import('../../helpers/model-package.js');
    const { targetFromPackage } = await import('../../../src/fleet/documents/sign-documents.js');
    resign(badDir);
    const bad = await targetFromPackage(badDir, `${shelf.url}/desired-bad`);
    const doc2 = { ...doc, revision: 4, target: bad };
    expect(c.agent.reconcile(doc2)).toBe('accepted');
    expect((await finished(c, 'canary-r4')).at(-1)).toBe('failed:MYO_ERR_MODEL_GOLDEN');
    expect(c.states.at(-1)?.phase).toBe('rolled_back');
    expect(c.agent.reconcile({ ...doc2, revision: 5 })).toBe('ignored');
    expect(c.engine.active()?.version).toBe('1.7.0');
  });
});
