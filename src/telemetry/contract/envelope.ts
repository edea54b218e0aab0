import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { IsoTimeSchema, OpaqueIdSchema, TopicLevelSchema } from './common-schemas.js';

/** The contract version; it is also the `v1` level of every topic. A breaking change gets `v2` topics. */
export const CONTRACT_VERSION = 1;

/**
 * Fields every message the daemon publishes starts with. `messageId` lets consumers drop the duplicates that QoS 1
 * and the durable outbox's replays produce; `session` grows on each daemon start, so a late last will (`offline`)
 * can be told from the `online` of the daemon that came after it.
 */
export const EnvelopeSchema = Type.Object(
  {
    v: Type.Literal(CONTRACT_VERSION),
    messageId: OpaqueIdSchema,
    sentAt: IsoTimeSchema,
    deviceId: TopicLevelSchema,
    session: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export type Envelope = Static<typeof EnvelopeSchema>;
export const ENVELOPE_KEYS = Object.keys(EnvelopeSchema.properties) as readonly (keyof Envelope)[];

/** A payload schema: the envelope's fields, then the body's, closed to anything else. */
export function enveloped<const P extends TProperties>(body: P, options: { description?: string } = {}): TObject<typeof EnvelopeSchema.properties & P> {
  return Type.Object({ ...EnvelopeSchema.properties, ...body }, { ...options, additionalProperties: false });
}
