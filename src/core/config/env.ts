import { Kind, type TSchema } from '@sinclair/typebox';
import { MyoError } from '../errors.js';

export const ENV_PREFIX = 'MYOSCREEN_';

export interface EnvKey {
  /** Dotted key path, e.g. `api.port`. */
  readonly path: string;
  /** Environment variable, e.g. `MYOSCREEN_API_PORT`. */
  readonly name: string;
  readonly schema: TSchema;
}

/** `budgetMs` -> `BUDGET_MS`: camelCase segments become upper snake case. */
function segmentToEnv(segment: string): string {
  return segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function envNameFor(path: readonly string[]): string {
  return ENV_PREFIX + path.map(segmentToEnv).join('_');
}

/** Every leaf key of the schema with the environment variable that overrides it. */
export function listEnvKeys(schema: TSchema, path: string[] = []): EnvKey[] {
  if (schema[Kind] === 'Object') {
    const properties = (schema as TSchema & { properties: Record<string, TSchema> }).properties;
    return Object.entries(properties).flatMap(([key, child]) => listEnvKeys(child, [...path, key]));
  }
  return [{ path: path.join('.'), name: envNameFor(path), schema }];
}

function leafKind(schema: TSchema): string {
  const kind = schema[Kind];
  if (kind === 'Union') {
    const members = (schema as TSchema & { anyOf: TSchema[] }).anyOf;
    const literalTypes = new Set(members.map((m) => typeof (m as TSchema & { const?: unknown }).const));
    if (literalTypes.size === 1 && literalTypes.has('string')) return 'String';
  }
  return kind;
}

/** Converts one environment string to the type its schema expects; the schema check afterwards judges the value. */
export function parseEnvValue(key: EnvKey, raw: string): unknown {
  switch (leafKind(key.schema)) {
    case 'String':
      return raw;
    case 'Integer':
    case 'Number': {
      const value = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(value)) {
        throw new MyoError('MYO_ERR_CONFIG_INVALID', `${key.name}: expected a number, got "${raw}"`, {
          path: key.path,
          env: key.name,
        });
      }
      return value;
    }
    case 'Boolean': {
      const lowered = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
      if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
      throw new MyoError('MYO_ERR_CONFIG_INVALID', `${key.name}: expected true or false, got "${raw}"`, {
        path: key.path,
        env: key.name,
      });
    }
    default:
      // Arrays and objects (e.g. a custom capture command) are given as JSON.
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new MyoError('MYO_ERR_CONFIG_INVALID', `${key.name}: expected JSON, got "${raw}"`, {
          path: key.path,
          env: key.name,
        });
      }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] ?? ''] = value;
}

/** Applies every `MYOSCREEN_*` variable that names a key; returns the keys it set. */
export function applyEnvOverrides(
  schema: TSchema,
  target: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const applied: string[] = [];
  for (const key of listEnvKeys(schema)) {
    const raw = env[key.name];
    if (raw === undefined) continue;
    setPath(target, key.path, parseEnvValue(key, raw));
    applied.push(key.path);
  }
  return applied;
}
