import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelStore, ModelStoreSnapshot, SlotModel, SlotName, StagedModelInfo } from './model-store.js';
import { activated, committed, discarded, EMPTY_RECORD, inactiveSlot, rolledBack, snapshotOf, staged, stagingName, type StoreRecord } from './store-record.js';

/**
 * The in-memory store beside the file one: the same pointer transitions, no persistence, and packages stay where
 * they were staged from (a slot's `dir` is the folder handed to `stage`). Staging folders are created under
 * `stagingRoot` so an update agent can download into them in tests.
 */
export class MemoryModelStore implements ModelStore {
  readonly #stagingRoot: string;
  #record: StoreRecord = EMPTY_RECORD;
  readonly #dirs: Record<SlotName, string | null> = { a: null, b: null };
  /** Every record written, oldest first: tests assert on the order of steps. */
  readonly history: StoreRecord[] = [];

  constructor(options: { stagingRoot: string }) {
    this.#stagingRoot = resolve(options.stagingRoot);
  }

  #set(record: StoreRecord): void {
    this.#record = record;
    this.history.push(record);
  }

  #model(slot: SlotName | null): SlotModel | null {
    if (slot === null) return null;
    const info = this.#record.slots[slot];
    const dir = this.#dirs[slot];
    return info && dir !== null ? { slot, dir, ...info } : null;
  }

  snapshot(): ModelStoreSnapshot {
    return snapshotOf(this.#record, (slot) => this.#model(slot));
  }

  stagingDir(key: string): string {
    const name = stagingName(key);
    const dir = join(this.#stagingRoot, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  clearStaging(): void {
    // Nothing is owned here: the staging root belongs to the test that made it.
  }

  stage(fromDir: string, info: StagedModelInfo): SlotModel {
    const next = staged(this.#record, info);
    const slot = inactiveSlot(this.#record);
    this.#dirs[slot] = resolve(fromDir);
    this.#set(next);
    const model = this.#model(slot);
    if (!model) throw new Error('staged slot vanished');
    return model;
  }

  discardCandidate(): void {
    const slot = this.#record.candidate;
    this.#set(discarded(this.#record));
    if (slot !== null) this.#dirs[slot] = null;
  }

  activate(): SlotModel {
    this.#set(activated(this.#record));
    const model = this.#model(this.#record.active);
    if (!model) throw new Error('activated slot vanished');
    return model;
  }

  commit(options: { allowDowngrade?: boolean } = {}): void {
    this.#set(committed(this.#record, options));
  }

  rollback(): SlotModel | null {
    const { record, left } = rolledBack(this.#record);
    this.#set(record);
    if (left !== null) this.#dirs[left] = null;
    return this.#model(record.active);
  }
}
