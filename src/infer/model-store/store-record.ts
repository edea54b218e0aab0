import { Type, type Static } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import { MyoError } from '../../core/errors.js';
import type { ModelStoreSnapshot, SlotModel, SlotName, StagedModelInfo } from './model-store.js';

/**
 * The pointer record both store adapters keep (the file adapter in `store.json`, the fake in memory), and the pure
 * transitions between records, so that the two adapters cannot disagree about what a step means.
 */
const SlotNameSchema = Type.Union([Type.Literal('a'), Type.Literal('b')]);

export const StagedModelInfoSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128 }),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    securityVersion: Type.Integer({ minimum: 0 }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    manifestSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  { additionalProperties: false },
);

export const StoreRecordSchema = Type.Object(
  {
    v: Type.Literal(1),
    active: Type.Union([SlotNameSchema, Type.Null()]),
    committed: Type.Boolean(),
    previous: Type.Union([SlotNameSchema, Type.Literal('factory'), Type.Null()]),
    candidate: Type.Union([SlotNameSchema, Type.Null()]),
    securityFloor: Type.Integer({ minimum: 0 }),
    slots: Type.Object(
      { a: Type.Union([StagedModelInfoSchema, Type.Null()]), b: Type.Union([StagedModelInfoSchema, Type.Null()]) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type StoreRecord = Static<typeof StoreRecordSchema>;

export const EMPTY_RECORD: StoreRecord = {
  v: 1,
  active: null,
  committed: true,
  previous: null,
  candidate: null,
  securityFloor: 0,
  slots: { a: null, b: null },
};

export function inactiveSlot(record: StoreRecord): SlotName {
  return record.active === 'a' ? 'b' : 'a';
}

function withSlot(record: StoreRecord, slot: SlotName, info: StagedModelInfo | null): StoreRecord['slots'] {
  return slot === 'a' ? { a: info, b: record.slots.b } : { a: record.slots.a, b: info };
}

/** The record once the inactive slot has been emptied to receive a candidate (written before the folder moves). */
export function clearedForStage(record: StoreRecord): StoreRecord {
  if (!record.committed) {
    throw new MyoError('MYO_ERR_MODEL_STORE', 'the active model is on probation: its rollback target cannot be replaced yet');
  }
  const slot = inactiveSlot(record);
  return { ...record, slots: withSlot(record, slot, null), candidate: null, previous: record.previous === slot ? null : record.previous };
}

/** The record once the candidate's folder is in place. */
export function staged(record: StoreRecord, info: StagedModelInfo): StoreRecord {
  const cleared = clearedForStage(record);
  const slot = inactiveSlot(cleared);
  return { ...cleared, slots: withSlot(cleared, slot, { ...info }), candidate: slot };
}

export function discarded(record: StoreRecord): StoreRecord {
  if (record.candidate === null) return record;
  return { ...record, slots: withSlot(record, record.candidate, null), candidate: null };
}

export function activated(record: StoreRecord): StoreRecord {
  const slot = record.candidate;
  if (slot === null || record.slots[slot] === null) throw new MyoError('MYO_ERR_MODEL_STORE', 'no staged candidate to activate');
  return { ...record, active: slot, previous: record.active ?? 'factory', candidate: null, committed: false };
}

export function committed(record: StoreRecord, options: { allowDowngrade?: boolean } = {}): StoreRecord {
  const active = record.active === null ? null : record.slots[record.active];
  if (!active) return { ...record, committed: true };
  const floor = options.allowDowngrade ? active.securityVersion : Math.max(record.securityFloor, active.securityVersion);
  return { ...record, committed: true, securityFloor: floor };
}

/** Back to `previous`; the slot left behind is emptied (it failed, or the operator turned away from it). */
export function rolledBack(record: StoreRecord): { record: StoreRecord; left: SlotName | null } {
  const target = record.previous;
  if (target === null || (target !== 'factory' && record.slots[target] === null)) {
    throw new MyoError('MYO_ERR_ROLLBACK_UNAVAILABLE', 'no previous model is kept on this device to roll back to');
  }
  const left = record.active;
  const slots = left === null ? record.slots : withSlot(record, left, null);
  const candidate = record.candidate === left ? null : record.candidate;
  return {
    record: { ...record, slots, candidate, active: target === 'factory' ? null : target, previous: null, committed: true },
    left,
  };
}

/** The snapshot of a record, both adapters alike; `model` turns a slot into its model (each adapter knows its folders). */
export function snapshotOf(record: StoreRecord, model: (slot: SlotName | null) => SlotModel | null): ModelStoreSnapshot {
  return {
    active: model(record.active),
    committed: record.committed,
    previous: record.previous === 'factory' ? 'factory' : model(record.previous),
    candidate: model(record.candidate),
    securityFloor: record.securityFloor,
  };
}

/** A staging key as a folder name: kept when it is a plain name, hashed otherwise (it comes from a document). */
export function stagingName(key: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(key) ? key : createHash('sha256').update(key).digest('hex').slice(0, 32);
}
