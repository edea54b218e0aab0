import { Type } from '@sinclair/typebox';
import {
  CountSchema,
  FractionSchema,
  IsoTimeSchema,
  SemVerSchema,
  Sha256Schema,
  ShortTextSchema,
  TopicLevelSchema,
  WireErrorSchema,
  literalUnion,
} from './common-schemas.js';
import { enveloped } from './envelope.js';

/** Model update jobs (ARCHITECTURE section 7) and the fleet's desired state for a group of carts. */

const HttpsUrlSchema = Type.String({ pattern: '^https://[^\\s]{1,2000}$' });

/** Written by the fleet (inbound, no envelope): where to fetch a model package and what it must be. */
export const JobDocumentSchema = Type.Object(
  {
    v: Type.Literal(1),
    jobId: TopicLevelSchema,
    kind: Type.Literal('model_update'),
    model: Type.Object(
      {
        id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
        version: SemVerSchema,
        securityVersion: CountSchema,
        /** The package archive; its manifest signature is what the device trusts, the hash only guards the transfer. */
        url: HttpsUrlSchema,
        sha256: Sha256Schema,
        size: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    createdAt: IsoTimeSchema,
    expiresAt: Type.Optional(IsoTimeSchema),
  },
  { additionalProperties: false, description: 'A model update job from the fleet. The device answers on jobs/{jobId}/status.' },
);

export const JOB_STATES = [
  'queued',
  'downloading',
  'verifying',
  'staged',
  'waiting',
  'validating',
  'activating',
  'probation',
  'succeeded',
  'failed',
  'rejected',
  'rolled_back',
] as const;

export const JobStatusPayloadSchema = enveloped(
  {
    jobId: TopicLevelSchema,
    state: literalUnion(JOB_STATES),
    /** 0..1 within the state (bytes downloaded, ...); null when the state has no measure. */
    progress: Type.Union([FractionSchema, Type.Null()]),
    /** Why the job failed, was rejected or rolled back; absent otherwise. */
    error: Type.Optional(WireErrorSchema),
  },
  { description: 'Progress of a job. Goes through the durable outbox so the fleet sees every transition.' },
);

/** Written by the fleet (inbound, retained, no envelope) under myoscreen/v1/groups/{group}/desired. */
export const GroupDesiredSchema = Type.Object(
  {
    v: Type.Literal(1),
    group: TopicLevelSchema,
    /** The model every cart in the group should run; null: leave the model alone. */
    model: Type.Union([Type.Object({ id: ShortTextSchema, version: SemVerSchema }, { additionalProperties: false }), Type.Null()]),
    updatedAt: IsoTimeSchema,
  },
  { additionalProperties: false, description: 'What the fleet wants for a group of carts; a cart turns a difference into a job.' },
);
