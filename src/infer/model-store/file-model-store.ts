import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { MyoError } from '../../core/errors.js';
import { fsyncDir, writeFileAtomic } from '../../storage/atomic-file.js';
import { SLOT_NAMES, type ModelStore, type ModelStoreSnapshot, type SlotModel, type SlotName, type StagedModelInfo } from './model-store.js';
import {
  snapshotOf,
  stagingName,
  activated,
  clearedForStage,
  committed,
  discarded,
  EMPTY_RECORD,
  inactiveSlot,
  rolledBack,
  staged,
  StoreRecordSchema,
  type StoreRecord,
} from './store-record.js';

const RECORD_FILE = 'store.json';

/** Staging keys become folder names: anything outside a safe alphabet is hashed instead. */
function io<T>(what: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof MyoError) throw error;
    throw new MyoError('MYO_ERR_MODEL_STORE', `model store: ${what}: ${error instanceof Error ? error.message : String(error)}`, {}, { cause: error });
  }
}

/**
 * The model store on disk: `<root>/store.json` (the pointer record), `<root>/slots/{a,b}/` (package folders) and
 * `<root>/staging/<key>/` (downloads in progress). The record is written atomically before a folder is removed and
 * after one is moved in, so a power cut at any point leaves a record that names only complete folders; folders the
 * record does not name are swept at open.
 */
export class FileModelStore implements ModelStore {
  readonly root: string;
  #record: StoreRecord;

  private constructor(root: string, record: StoreRecord) {
    this.root = root;
    this.#record = record;
  }

  static open(root: string): FileModelStore {
    const dir = resolve(root);
    return io('open', () => {
      mkdirSync(join(dir, 'slots'), { recursive: true });
      mkdirSync(join(dir, 'staging'), { recursive: true });
      const path = join(dir, RECORD_FILE);
      let record = EMPTY_RECORD;
      if (existsSync(path)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
        } catch (error) {
          throw new MyoError('MYO_ERR_MODEL_STORE', `model store record ${path} is not JSON`, { path }, { cause: error });
        }
        const first = Value.Errors(StoreRecordSchema, parsed).First();
        if (first) throw new MyoError('MYO_ERR_MODEL_STORE', `model store record ${path}: ${first.path || '(root)'}: ${first.message}`, { path });
        record = parsed as StoreRecord;
      }
      const store = new FileModelStore(dir, record);
      store.#sweep();
      return store;
    });
  }

  #slotDir(slot: SlotName): string {
    return join(this.root, 'slots', slot);
  }

  /** Removes slot folders the record does not name (an interrupted stage or rollback) and temporary files. */
  #sweep(): void {
    for (const slot of SLOT_NAMES) {
      if (this.#record.slots[slot] === null) rmSync(this.#slotDir(slot), { recursive: true, force: true });
    }
  }

  #write(record: StoreRecord): void {
    io('write record', () => writeFileAtomic(join(this.root, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`));
    this.#record = record;
  }

  #model(slot: SlotName | null): SlotModel | null {
    if (slot === null) return null;
    const info = this.#record.slots[slot];
    return info ? { slot, dir: this.#slotDir(slot), ...info } : null;
  }

  snapshot(): ModelStoreSnapshot {
    return snapshotOf(this.#record, (slot) => this.#model(slot));
  }

  stagingDir(key: string): string {
    const name = stagingName(key);
    return io('staging folder', () => {
      const base = join(this.root, 'staging');
      for (const entry of readdirSync(base)) if (entry !== name) rmSync(join(base, entry), { recursive: true, force: true });
      const dir = join(base, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    });
  }

  clearStaging(): void {
    io('clear staging', () => {
      const base = join(this.root, 'staging');
      for (const entry of readdirSync(base)) rmSync(join(base, entry), { recursive: true, force: true });
    });
  }

  stage(fromDir: string, info: StagedModelInfo): SlotModel {
    const cleared = clearedForStage(this.#record);
    const slot = inactiveSlot(cleared);
    this.#write(cleared);
    io('move candidate into its slot', () => {
      rmSync(this.#slotDir(slot), { recursive: true, force: true });
      renameSync(resolve(fromDir), this.#slotDir(slot));
      fsyncDir(join(this.root, 'slots'));
    });
    this.#write(staged(cleared, info));
    const model = this.#model(slot);
    if (!model) throw new MyoError('MYO_ERR_MODEL_STORE', 'staged slot vanished');
    return model;
  }

  discardCandidate(): void {
    const slot = this.#record.candidate;
    if (slot === null) return;
    this.#write(discarded(this.#record));
    io('empty candidate slot', () => rmSync(this.#slotDir(slot), { recursive: true, force: true }));
  }

  activate(): SlotModel {
    const next = activated(this.#record);
    this.#write(next);
    const model = this.#model(next.active);
    if (!model) throw new MyoError('MYO_ERR_MODEL_STORE', 'activated slot vanished');
    return model;
  }

  commit(options: { allowDowngrade?: boolean } = {}): void {
    this.#write(committed(this.#record, options));
  }

  rollback(): SlotModel | null {
    const { record, left } = rolledBack(this.#record);
    this.#write(record);
    if (left !== null) io('empty the slot rolled back from', () => rmSync(this.#slotDir(left), { recursive: true, force: true }));
    return this.#model(record.active);
  }
}
