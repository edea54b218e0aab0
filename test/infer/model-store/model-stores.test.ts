import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import { FileModelStore } from '../../../src/infer/model-store/file-model-store.js';
import { MemoryModelStore } from '../../../src/infer/model-store/memory-model-store.js';
import { fakePackageDir, info, modelStoreContract } from './model-store-contract.js';

const temp = (): string => mkdtempSync(join(tmpdir(), 'myo-store-'));

modelStoreContract('FileModelStore', () => {
  const root = temp();
  const store = FileModelStore.open(root);
  return { store, reopen: () => FileModelStore.open(root) };
});

modelStoreContract('MemoryModelStore', () => {
  const store = new MemoryModelStore({ stagingRoot: temp() });
  return { store, reopen: () => store };
});

describe('FileModelStore on disk', () => {
  it('moves the staged folder into the slot and removes the staging copy', () => {
    const root = temp();
    const store = FileModelStore.open(root);
    const from = store.stagingDir('job-1');
    writeFileSync(join(from, 'model.json'), '{"x":1}');
    const slot = store.stage(from, info('2.0.0'));
    expect(slot.dir).toBe(join(root, 'slots', 'a'));
    expect(readdirSync(slot.dir)).toEqual(['model.json']);
    expect(existsSync(from)).toBe(false);
  });

  it('sweeps a slot folder the record does not name (a stage cut short by a power loss)', () => {
    const root = temp();
    FileModelStore.open(root);
    mkdirSync(join(root, 'slots', 'b'));
    writeFileSync(join(root, 'slots', 'b', 'half.onnx'), 'x');
    FileModelStore.open(root);
    expect(existsSync(join(root, 'slots', 'b'))).toBe(false);
  });

  it('refuses a corrupt record with its own code', () => {
    const root = temp();
    FileModelStore.open(root).stage(fakePackageDir(), info('2.0.0'));
    writeFileSync(join(root, 'store.json'), '{"v":1,"active":"c"}');
    let thrown: unknown = null;
    try {
      FileModelStore.open(root);
    } catch (error) {
      thrown = error;
    }
    expect(isMyoError(thrown, 'MYO_ERR_MODEL_STORE')).toBe(true);
  });
});
