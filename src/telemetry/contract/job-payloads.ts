import { Type, type TSchema } from '@sinclair/typebox';
import {
  CountSchema,
  FractionSchema,
  IsoTimeSchema,
  SemVerSchema,
  Sha256Schema,
  TopicLevelSchema,
  WireErrorSchema,
  literalUnion,
} from './common-schemas.js';
import { enveloped } from './envelope.js';

/** Model update jobs (ARCHITECTURE section 7) and the fleet's desired state for a group of carts. */

/** A package folder URL: the files are fetched as `{baseUrl}/model.json`, `{baseUrl}/model.json.sig`, `{baseUrl}/{file}`. */
const PackageBaseUrlSchema = Type.String({
  pattern: '^https?://[^\\s?#]{1,2000}[^/\\s?#]$',
  description: 'https (plain http only to loopback, when the cart allows it for tests); no trailing slash, query or fragment',
});

/** The key id pattern of signed documents and model manifests. */
export const KEY_ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

/** The model package a signed document points at (src/fleet/documents/types.ts ModelTarget). */
export const ModelTargetSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
    version: SemVerSchema,
    securityVersion: CountSchema,
    baseUrl: PackageBaseUrlSchema,
    /** sha256 of model.json's exact bytes: ties the document to one signed manifest. */
    manifestSha256: Sha256Schema,
    /** Sum of the sizes of model.json, model.json.sig and every file the manifest lists. */
    totalBytes: Type.Integer({ minimum: 1 }),
    /** Only a signed document may take a cart below its committed security version. */
    allowDowngrade: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** The signed text of a job: one model update for one cart. */
export const JobPayloadSchema = Type.Object(
  {
    v: Type.Literal(1),
    kind: Type.Literal('model_update'),
    jobId: TopicLevelSchema,
    deviceId: TopicLevelSchema,
    target: ModelTargetSchema,
    issuedAt: IsoTimeSchema,
    expiresAt: Type.Union([IsoTimeSchema, Type.Null()]),
  },
  { additionalProperties: false },
);

/** The signed text of a group's desired state; `target: null` leaves the model alone. */
export const DesiredPayloadSchema = Type.Object(
  {
    v: Type.Literal(1),
    kind: Type.Literal('group_desired'),
    group: TopicLevelSchema,
    /** Grows with every publication for the group: a lower one is a replay, an equal one is the same document. */
    revision: Type.Integer({ minimum: 1 }),
    target: Type.Union([ModelTargetSchema, Type.Null()]),
    issuedAt: IsoTimeSchema,
    expiresAt: Type.Union([IsoTimeSchema, Type.Null()]),
  },
  { additionalProperties: false },
);

/** The most text a signed payload may carry; a target is a few hundred bytes. */
export const MAX_SIGNED_PAYLOAD_CHARS = 16 * 1024;

/**
 * Inbound fleet documents travel signed: the ed25519 signature covers the UTF-8 bytes of `payload`, a JSON text, so
 * the cart verifies exactly what the operator signed, with no canonical form to agree on. `contentSchema` names
 * what the text holds once parsed.
 */
function signedDocumentSchema(payload: TSchema, description: string) {
  return Type.Object(
    {
      v: Type.Literal(1),
      alg: Type.Literal('ed25519'),
      keyId: Type.String({ pattern: KEY_ID_PATTERN }),
      payload: Type.String({
        minLength: 2,
        maxLength: MAX_SIGNED_PAYLOAD_CHARS,
        contentMediaType: 'application/json',
        contentSchema: payload,
        description: 'The signed JSON text; parsed only after the signature verifies.',
      }),
      /** Base64 of the 64-byte ed25519 signature. */
      sig: Type.String({ pattern: '^[A-Za-z0-9+/]{86}==$' }),
    },
    { additionalProperties: false, description },
  );
}

/** Written by the fleet (inbound, no envelope) on jobs/{jobId}: a model update for this cart. */
export const JobDocumentSchema = signedDocumentSchema(
  JobPayloadSchema,
  'A signed model update job for one cart (`myoscreen fleet` signs it). The device answers on jobs/{jobId}/status.',
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
export const GroupDesiredSchema = signedDocumentSchema(
  DesiredPayloadSchema,
  'The signed model every cart of a group should run (`myoscreen fleet publish`); a cart turns a difference into a job.',
);
