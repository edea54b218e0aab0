/**
 * The model store (ARCHITECTURE sections 3 and 7): two slots, `a` and `b`, and a pointer record. One slot serves,
 * the other receives the next candidate, so the previous model stays on the device until a newer one replaces it.
 * `active: null` means the factory package (`inference.package`, shipped read-only with the installation) serves.
 * Every step is atomic: a power cut leaves the record as it was before the step or as it is after it.
 */
export type SlotName = 'a' | 'b';

export const SLOT_NAMES: readonly SlotName[] = ['a', 'b'];

/** What the store knows about a verified package in a slot. */
export interface SlotModel {
  readonly slot: SlotName;
  /** Absolute folder of the package in the slot. */
  readonly dir: string;
  readonly id: string;
  readonly version: string;
  readonly securityVersion: number;
  /** sha256 of the ONNX file (as the engine reports it). */
  readonly sha256: string;
  /** sha256 of the exact model.json bytes (what fleet documents name). */
  readonly manifestSha256: string;
}

export type StagedModelInfo = Omit<SlotModel, 'slot' | 'dir'>;

export interface ModelStoreSnapshot {
  /** The slot that serves; null: the factory package serves. */
  readonly active: SlotModel | null;
  /** False between activate() and commit(): the active slot is on probation. */
  readonly committed: boolean;
  /** Where rollback() goes: the slot that served before, the factory package, or nothing left to go back to. */
  readonly previous: SlotModel | 'factory' | null;
  /** A staged package in the inactive slot, not yet active. */
  readonly candidate: SlotModel | null;
  /** The highest security version committed here (anti-rollback high-water mark). */
  readonly securityFloor: number;
}

export interface ModelStore {
  snapshot(): ModelStoreSnapshot;
  /**
   * The folder a candidate for `key` downloads into: created if missing and kept across restarts (a download resumes
   * there); leftovers of any other key are removed.
   */
  stagingDir(key: string): string;
  /** Removes every staging folder. */
  clearStaging(): void;
  /**
   * Moves a verified package folder into the inactive slot as the candidate, replacing what the slot held (which is
   * then no longer a rollback target). The folder must not be used afterwards.
   */
  stage(fromDir: string, info: StagedModelInfo): SlotModel;
  /** Forgets the candidate and empties its slot. */
  discardCandidate(): void;
  /** The pointer swap: the candidate serves (uncommitted), the model that served becomes `previous`. */
  activate(): SlotModel;
  /**
   * The active slot passed probation. The security floor rises to its security version, or is set to it when a signed
   * document explicitly allowed going below the floor.
   */
  commit(options?: { allowDowngrade?: boolean }): void;
  /**
   * Goes back to `previous` (MYO_ERR_ROLLBACK_UNAVAILABLE when there is none); the slot it leaves is emptied and
   * the result is committed. Returns what serves now (null: the factory package).
   */
  rollback(): SlotModel | null;
}
