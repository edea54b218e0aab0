import { readFileSync } from 'node:fs';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { MyoError } from '../errors.js';
import { applyEnvOverrides } from './env.js';
import { ConfigSchema, type Config } from './schema.js';

export interface ConfigIssue {
  /** Dotted key path (`capture.fps`), or `(root)`. */
  readonly path: string;
  readonly reason: string;
}

export interface LoadConfigOptions {
  /** Config file path; when absent only defaults and the environment apply. */
  readonly file?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig {
  readonly config: Readonly<Config>;
  readonly file: string | undefined;
  readonly envOverrides: readonly string[];
}

function pointerToPath(pointer: string): string {
  if (pointer === '') return '(root)';
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Lists what is wrong with a raw configuration object (after defaults), one issue per key path. */
export function checkConfig(raw: unknown): ConfigIssue[] {
  const candidate = Value.Default(ConfigSchema, structuredClone(raw));
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(ConfigSchema, candidate)) {
    const path = pointerToPath(error.path);
    let reason = error.message;
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      // TypeBox points at the unexpected key itself; the schema is its parent object's.
      const allowed = Object.keys((error.schema as { properties?: Record<string, unknown> }).properties ?? {});
      reason = `unknown key (allowed here: ${allowed.join(', ')})`;
    }
    const id = `${path}\u0000${reason}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push({ path, reason });
  }
  return issues;
}

function configInvalid(issues: ConfigIssue[], file: string | undefined): MyoError {
  const where = file ? ` in ${file}` : '';
  const list = issues.map((issue) => `  ${issue.path}: ${issue.reason}`).join('\n');
  return new MyoError('MYO_ERR_CONFIG_INVALID', `configuration is invalid${where}:\n${list}`, { file, issues });
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MyoError('MYO_ERR_CONFIG_UNREADABLE', `cannot read configuration file ${file}: ${(error as Error).message}`, {
      file,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new MyoError('MYO_ERR_CONFIG_UNREADABLE', `configuration file ${file} is not valid JSON: ${(error as Error).message}`, {
      file,
    });
  }
  if (!isPlainObject(parsed)) {
    throw configInvalid([{ path: '(root)', reason: 'must be a JSON object' }], file);
  }
  return parsed;
}

/**
 * File, then environment overrides, then defaults; validated as a whole and frozen. Cross-key rules that a schema
 * cannot express are checked here too, so `myoscreen config check` and the daemon refuse exactly the same files.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const raw = options.file ? readConfigFile(options.file) : {};
  const envOverrides = applyEnvOverrides(ConfigSchema, raw, options.env ?? {});
  const issues = checkConfig(raw);
  if (issues.length > 0) throw configInvalid(issues, options.file);
  const config = Value.Default(ConfigSchema, structuredClone(raw)) as Config;
  const crossIssues = crossCheck(config);
  if (crossIssues.length > 0) throw configInvalid(crossIssues, options.file);
  return { config: deepFreeze(config), file: options.file, envOverrides };
}

function crossCheck(config: Config): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { capture } = config;
  if (capture.roi.mode === 'manual' && !capture.roi.rect) {
    issues.push({ path: 'capture.roi.rect', reason: 'required when capture.roi.mode is "manual"' });
  }
  if (capture.source === 'file' && capture.file.path === '') {
    issues.push({ path: 'capture.file.path', reason: 'required when capture.source is "file"' });
  }
  if (capture.source === 'v4l2' && capture.v4l2.pipeline === 'custom' && capture.v4l2.command.length === 0) {
    issues.push({ path: 'capture.v4l2.command', reason: 'required when capture.v4l2.pipeline is "custom"' });
  }
  if (capture.v4l2.stride !== 0 && capture.v4l2.stride < capture.v4l2.width) {
    issues.push({ path: 'capture.v4l2.stride', reason: 'must be 0 or at least capture.v4l2.width' });
  }
  if (!config.models.demo && config.models.trustedKeys.length === 0) {
    issues.push({ path: 'models.trustedKeys', reason: 'required when models.demo is false (nothing could be verified)' });
  }
  if (capture.reconnect.maxDelayMs < capture.reconnect.initialDelayMs) {
    issues.push({ path: 'capture.reconnect.maxDelayMs', reason: 'must be >= capture.reconnect.initialDelayMs' });
  }
  return issues;
}
