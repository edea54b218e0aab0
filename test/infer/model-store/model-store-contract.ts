import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import type { ModelStore, StagedModelInfo } from '../../../src/infer/model-store/model-store.js';

export interface StoreUnderTest {
  readonly store: ModelStore;
  /** The same store as a restarted daemon would see it (the fake returns itself: it has nothing to reload). */
  reopen(): ModelStore;
}

let counter = 0;
/** A small folder standing in for a verified package (the store never reads its content). */
export function fakePackageDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'myo-store-pkg-')), `pkg${counter++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.json'), '{}');
  return dir;
}

export function info(version: string, securityVersion = 1): StagedModelInfo {
  const hex = (c: string): string => c.repeat(64);
  return { id: 'myoscreen-lsnet', version, securityVersion, sha256: hex(version.at(0) ?? 'a'), manifestSha256: hex('e') };
}

function expectCode(fn: () => unknown, code: Parameters<typeof isMyoError>[1]): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isMyoError(thrown, code), `expected ${String(code)}, got ${String(thrown)}`).toBe(true);
}

/** The ModelStore contract: every adapter (files, memory) passes the same suite. */
export function modelStoreContract(name: string, make: () => StoreUnderTest): void {
  describe(`ModelStore contract: ${name}`, () => {
    it('starts with the factory package serving and nothing to roll back to', () => {
      const { store } = make();
      expect(store.snapshot()).toEqual({ active: null, committed: true, previous: null, candidate: null, securityFloor: 0 });
      expectCode(() => store.rollback(), 'MYO_ERR_ROLLBACK_UNAVAILABLE');
      expectCode(() => store.activate(), 'MYO_ERR_MODEL_STORE');
    });

    it('stages into the inactive slot, swaps on activate and raises the floor at commit', () => {
      const t = make();
      const staged = t.store.stage(fakePackageDir(), info('2.0.0', 3));
      expect(staged.slot).toBe('a');
      expect(t.store.snapshot().active).toBeNull();
      expect(t.store.snapshot().candidate?.version).toBe('2.0.0');
      const active = t.store.activate();
      expect(active.version).toBe('2.0.0');
      let s = t.reopen().snapshot();
      expect(s.active?.slot).toBe('a');
      expect(s.committed).toBe(false);
      expect(s.previous).toBe('factory');
      expect(s.candidate).toBeNull();
      expect(s.securityFloor).toBe(0);
      t.store.commit();
      s = t.reopen().snapshot();
      expect(s.committed).toBe(true);
      expect(s.securityFloor).toBe(3);
      expect(existsSync(join(s.active?.dir ?? '/nonexistent', 'model.json'))).toBe(true);
    });

    it('keeps the model that served as the rollback target and empties the slot it leaves', () => {
      const t = make();
      t.store.stage(fakePackageDir(), info('2.0.0'));
      t.store.activate();
      t.store.commit();
      const second = t.store.stage(fakePackageDir(), info('3.0.0'));
      expect(second.slot).toBe('b');
      t.store.activate();
      const s = t.store.snapshot();
      expect(s.active?.version).toBe('3.0.0');
      expect(s.previous).toMatchObject({ slot: 'a', version: '2.0.0' });
      const back = t.store.rollback();
      expect(back?.version).toBe('2.0.0');
      const after = t.reopen().snapshot();
      expect(after.active?.version).toBe('2.0.0');
      expect(after.committed).toBe(true);
      expect(after.previous).toBeNull();
      expectCode(() => t.store.rollback(), 'MYO_ERR_ROLLBACK_UNAVAILABLE');
    });

    it('rolls back to the factory package from the first slot ever activated', () => {
      const t = make();
      t.store.stage(fakePackageDir(), info('2.0.0'));
      t.store.activate();
      expect(t.store.rollback()).toBeNull();
      expect(t.reopen().snapshot()).toEqual({ active: null, committed: true, previous: null, candidate: null, securityFloor: 0 });
    });

    it('refuses to stage while the active model is on probation (its rollback target would be lost)', () => {
      const t = make();
      t.store.stage(fakePackageDir(), info('2.0.0'));
      t.store.activate();
      expectCode(() => t.store.stage(fakePackageDir(), info('3.0.0')), 'MYO_ERR_MODEL_STORE');
    });

    it('loses the rollback target when a candidate is staged over it, and discards candidates', () => {
      const t = make();
      t.store.stage(fakePackageDir(), info('2.0.0'));
      t.store.activate();
      t.store.commit();
      t.store.stage(fakePackageDir(), info('3.0.0'));
      t.store.activate();
      t.store.commit();
      expect(t.store.snapshot().previous).toMatchObject({ slot: 'a' });
      t.store.stage(fakePackageDir(), info('4.0.0'));
      expect(t.store.snapshot().previous).toBeNull();
      t.store.discardCandidate();
      const s = t.reopen().snapshot();
      expect(s.candidate).toBeNull();
      expect(s.active?.version).toBe('3.0.0');
    });

    it('sets the floor to an explicitly allowed downgrade at commit', () => {
      const t = make();
      t.store.stage(fakePackageDir(), info('5.0.0', 9));
      t.store.activate();
      t.store.commit();
      t.store.stage(fakePackageDir(), info('4.0.0', 4));
      t.store.activate();
      t.store.commit({ allowDowngrade: true });
      expect(t.reopen().snapshot().securityFloor).toBe(4);
    });

    it('gives one staging folder per key, kept until another key asks', () => {
      const { store } = make();
      const first = store.stagingDir('job-1');
      expect(existsSync(first)).toBe(true);
      expect(store.stagingDir('job-1')).toBe(first);
      expect(store.stagingDir('job-2')).not.toBe(first);
      expect(store.stagingDir('../../etc')).not.toContain('..');
    });
  });
}
