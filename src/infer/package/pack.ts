import { sign } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { MyoError } from '../../core/errors.js';
import { hashFile } from './files.js';
import {
  GoldenFileSchema,
  InputSpecSchema,
  MANIFEST_SCHEMA_VERSION,
  PackageFileName,
  ManifestSchema,
  TensorSpecSchema,
  type Manifest,
} from './manifest-schema.js';
import { MANIFEST_FILE, SIGNATURE_FILE } from './verify.js';

/** What training/myotrain/export.py writes next to model.onnx (snake_case: it is Python's file). */
const TrainingExportSchema = Type.Object(
  {
    schema: Type.Literal(1),
    id: Type.String(),
    version: Type.String(),
    files: Type.Object({ model: PackageFileName, golden: PackageFileName }),
    input: Type.Omit(InputSpecSchema, ['dtype']),
    outputs: Type.Array(TensorSpecSchema),
    labels: Type.Array(Type.String()),
    operating_point: Type.Object({
      threshold: Type.Number(),
      sensitivity: Type.Number(),
      specificity: Type.Number(),
      chosen_for: Type.String(),
    }),
    test_metrics: Type.Record(Type.String(), Type.Unknown()),
    compute: Type.Object({ macs: Type.Number(), params: Type.Integer() }),
    provenance: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: true },
);
type TrainingExport = Static<typeof TrainingExportSchema>;

export interface PackOptions {
  /** Folder with model.onnx, export.json and golden.json from training. */
  readonly exportDir: string;
  /** Where packages live; the package goes to `<modelsDir>/<id>/<version>/`. */
  readonly modelsDir: string;
  readonly privateKey: KeyObject;
  readonly keyId: string;
  readonly securityVersion: number;
  /** Replace an existing package of the same id and version. */
  readonly force?: boolean;
  readonly now?: Date;
}

async function readJson(path: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new MyoError('MYO_ERR_MODEL_EXPORT_INVALID', `cannot read ${what} ${path}: ${(error as Error).message}`, { path });
  }
}

function checked<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
  const first = Value.Errors(schema, value).First();
  if (first) {
    throw new MyoError('MYO_ERR_MODEL_EXPORT_INVALID', `${what}: ${first.path || '(root)'}: ${first.message}`, { path: first.path });
  }
  return value;
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Builds the manifest from training's export, with the hashes of the files as they will be in the package. */
export async function buildManifest(options: PackOptions, exported: TrainingExport): Promise<Manifest> {
  const files: Manifest['files'] = {};
  for (const name of [exported.files.model, exported.files.golden]) {
    files[basename(name)] = await hashFile(join(options.exportDir, name)).catch((error: unknown) => {
      throw new MyoError('MYO_ERR_MODEL_EXPORT_INVALID', `training export lacks ${name}`, { file: name }, { cause: error });
    });
  }
  const golden = checked(
    GoldenFileSchema,
    await readJson(join(options.exportDir, exported.files.golden), 'golden vectors'),
    'golden.json',
  );
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: exported.id,
    version: exported.version,
    securityVersion: options.securityVersion,
    createdAt: (options.now ?? new Date()).toISOString(),
    keyId: options.keyId,
    files,
    model: basename(exported.files.model),
    input: { ...exported.input, dtype: 'float32' },
    outputs: exported.outputs,
    labels: exported.labels,
    operatingPoint: {
      threshold: exported.operating_point.threshold,
      sensitivity: exported.operating_point.sensitivity,
      specificity: exported.operating_point.specificity,
      chosenFor: exported.operating_point.chosen_for,
      data: 'validation',
    },
    metrics: { test: exported.test_metrics },
    compute: exported.compute,
    golden: { file: basename(exported.files.golden), tolerance: golden.tolerance },
    provenance: exported.provenance,
  };
  return checked(ManifestSchema, manifest, 'manifest built from export.json');
}

/**
 * `myoscreen model pack`: turns a training export into a signed package. Everything is written to a temporary
 * sibling folder, fsynced, and renamed into place, so a package folder either is complete or does not exist.
 */
export async function packModel(options: PackOptions): Promise<{ dir: string; manifest: Manifest }> {
  const exported = checked(
    TrainingExportSchema,
    await readJson(join(options.exportDir, 'export.json'), 'training export'),
    'export.json',
  );
  const manifest = await buildManifest(options, exported);
  const target = join(options.modelsDir, manifest.id, manifest.version);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists && !options.force) {
    throw new MyoError('MYO_ERR_IO', `${target} exists already (pass --force to replace it)`, { dir: target });
  }
  const temp = join(dirname(target), `.${manifest.version}.tmp-${process.pid}`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  for (const name of Object.keys(manifest.files)) {
    await copyFile(join(options.exportDir, name), join(temp, name));
    await fsyncPath(join(temp, name));
  }
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const signature = sign(null, manifestBytes, options.privateKey).toString('base64');
  await writeFile(join(temp, MANIFEST_FILE), manifestBytes);
  await writeFile(join(temp, SIGNATURE_FILE), `${signature}\n`);
  await fsyncPath(join(temp, MANIFEST_FILE));
  await fsyncPath(join(temp, SIGNATURE_FILE));
  if (exists) await rm(target, { recursive: true, force: true });
  await rename(temp, target);
  await fsyncPath(dirname(target));
  return { dir: target, manifest };
}
