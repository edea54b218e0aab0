import { Type, type Static } from '@sinclair/typebox';

/**
 * The model package manifest (`model.json`, ARCHITECTURE section 5). The TypeScript side owns this format: training
 * writes `export.json`, `myoscreen model pack` turns it into this manifest and signs its exact bytes.
 * Schema version 1. A field added later must be optional so that older daemons can still verify newer packages.
 */
export const MANIFEST_SCHEMA_VERSION = 1;

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const SemVer = Type.String({ pattern: '^[0-9]+[.][0-9]+[.][0-9]+(?:-[0-9A-Za-z.-]+)?$' });
/** A file name inside the package folder: no separators, no dot-dot, nothing hidden. */
export const PackageFileName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' });

export const TensorSpecSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    shape: Type.Array(Type.Integer({ minimum: 1, maximum: 4096 }), { minItems: 1, maxItems: 6 }),
    meaning: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const InputSpecSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    shape: Type.Tuple([Type.Literal(1), Type.Literal(1), Type.Integer({ minimum: 16, maximum: 1024 }), Type.Integer({ minimum: 16, maximum: 1024 })]),
    dtype: Type.Literal('float32'),
    layout: Type.Literal('NCHW'),
    colour: Type.Literal('gray'),
    /** Bilinear with half-pixel centres, no antialiasing, edges clamped: training/myotrain/preprocess.py. */
    resize: Type.Literal('bilinear-half-pixel'),
    /** x * scale, then (x - mean) / std. */
    scale: Type.Number({ exclusiveMinimum: 0 }),
    mean: Type.Number(),
    std: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

export const OperatingPointSchema = Type.Object(
  {
    /** Threshold on the softmax probability of the positive class. */
    threshold: Type.Number({ minimum: 0, maximum: 1 }),
    sensitivity: Type.Number({ minimum: 0, maximum: 1 }),
    specificity: Type.Number({ minimum: 0, maximum: 1 }),
    chosenFor: Type.String(),
    /** The data set the point was chosen on (validation, never test). */
    data: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ManifestSchema = Type.Object(
  {
    schemaVersion: Type.Literal(MANIFEST_SCHEMA_VERSION),
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
    version: SemVer,
    /** Monotonic anti-rollback counter: a device never activates a lower one than it has committed. */
    securityVersion: Type.Integer({ minimum: 0 }),
    createdAt: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.][0-9]+)?Z$' }),
    keyId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    files: Type.Record(PackageFileName, Type.Object({ sha256: Sha256, size: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
    model: PackageFileName,
    input: InputSpecSchema,
    outputs: Type.Array(TensorSpecSchema, { minItems: 1, maxItems: 8 }),
    labels: Type.Array(Type.String({ minLength: 1 }), { minItems: 2, maxItems: 16 }),
    operatingPoint: OperatingPointSchema,
    metrics: Type.Record(Type.String(), Type.Unknown()),
    compute: Type.Object(
      { macs: Type.Number({ minimum: 0 }), params: Type.Integer({ minimum: 0 }) },
      { additionalProperties: true },
    ),
    golden: Type.Object(
      {
        file: PackageFileName,
        /** Largest absolute difference allowed per output (`logits_abs`, `attention_abs`, ...) on a rerun. */
        tolerance: Type.Record(Type.String(), Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
      },
      { additionalProperties: false },
    ),
    provenance: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);

export type Manifest = Static<typeof ManifestSchema>;
export type InputSpec = Static<typeof InputSpecSchema>;
export type TensorSpec = Static<typeof TensorSpecSchema>;

const Float32Base64 = Type.Object({
  shape: Type.Array(Type.Integer({ minimum: 1 })),
  dtype: Type.Literal('float32-le'),
  data: Type.String(),
});

/**
 * Golden vectors (`golden.json`, written by training/myotrain/export.py): real test images, the tensor training's
 * preprocessing made of each, and the outputs PyTorch gave. The daemon checks a model against them before use, and
 * the tests check the TypeScript preprocessing against the stored tensors.
 */
export const GoldenFileSchema = Type.Object(
  {
    schema: Type.Literal(1),
    input: Type.Unknown(),
    tolerance: Type.Record(Type.String(), Type.Number()),
    cases: Type.Array(
      Type.Object({
        id: Type.String(),
        label: Type.Optional(Type.Integer()),
        image: Type.Object({
          width: Type.Integer({ minimum: 1 }),
          height: Type.Integer({ minimum: 1 }),
          format: Type.Literal('png-gray8'),
          data: Type.String(),
        }),
        input: Float32Base64,
        expected: Type.Object({
          logits: Type.Array(Type.Number()),
          probability: Type.Number(),
          attention: Type.Object({ shape: Type.Array(Type.Integer()), data: Type.Array(Type.Number()) }),
        }),
      }),
      { minItems: 1, maxItems: 64 },
    ),
  },
  { additionalProperties: true },
);

export type GoldenFile = Static<typeof GoldenFileSchema>;
