import { Type, type TLiteral, type TUnion } from '@sinclair/typebox';
import { WALL_TIME_PATTERN } from '../../records/exam-record.js';

/** Building blocks shared by every payload of the MQTT contract. */

/** What `Date.prototype.toISOString()` writes: UTC with milliseconds, so the text sorts in time order. */
export const IsoTimeSchema = Type.String({ pattern: WALL_TIME_PATTERN, description: 'ISO 8601 UTC time with milliseconds' });

/**
 * One MQTT topic level we put a value into (device id, job id, group): safe in a topic, a file name and a log line.
 * The same shape as `device.id` in the config schema.
 */
export const TOPIC_LEVEL_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
export const TopicLevelSchema = Type.String({ pattern: TOPIC_LEVEL_PATTERN });

/** Correlation and message ids: opaque, printable, short enough to log and index. */
export const OPAQUE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$';
export const OpaqueIdSchema = Type.String({ pattern: OPAQUE_ID_PATTERN });

export const ShortTextSchema = Type.String({ minLength: 1, maxLength: 128 });
export const ReasonTextSchema = Type.String({ maxLength: 500 });
export const Sha256Schema = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const SemVerSchema = Type.String({ pattern: '^[0-9]+[.][0-9]+[.][0-9]+(?:-[0-9A-Za-z.-]+)?$' });
export const FractionSchema = Type.Number({ minimum: 0, maximum: 1 });
export const CountSchema = Type.Integer({ minimum: 0 });

/** A coded failure as it travels: the `MYO_ERR_*` code from src/core/errors.ts and a readable message. */
export const WireErrorSchema = Type.Object(
  { code: Type.String({ pattern: '^MYO_ERR_[A-Z0-9_]+$' }), message: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);

export const ModelRefSchema = Type.Object(
  { id: ShortTextSchema, version: ShortTextSchema, sha256: Sha256Schema },
  { additionalProperties: false },
);

/** TypeBox needs literal values; this turns a `const` word list into a union of them. */
export function literalUnion<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map((value) => Type.Literal(value)), options) as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
}
