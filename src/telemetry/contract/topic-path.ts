import { MyoError } from '../../core/errors.js';
import { TOPIC_LEVEL_PATTERN } from './common-schemas.js';
import { hasControlCharacter } from './text-guards.js';
import { TOPICS, TOPIC_NAMES, TOPIC_ROOT, type TopicName, type TopicParams, type TopicSpec } from './topics.js';

/** Building topic strings from TOPICS and reading them back, refusing anything a hostile publisher could slip in. */

export type ParsedTopic = { [N in TopicName]: { readonly name: N; readonly params: TopicParams<N> } }[TopicName];

/** Longer topics are refused before they are split, so a hostile one costs nothing. */
export const MAX_TOPIC_LENGTH = 512;
export const MAX_LEVEL_LENGTH = 64;

const LEVEL = new RegExp(TOPIC_LEVEL_PATTERN);
const ROOT_LEVELS = TOPIC_ROOT.split('/');

/** The full topic for `name`, e.g. `myoscreen/v1/cart-7/evt/signal_lost`. MYO_ERR_MQTT_TOPIC for a bad id or value. */
export function topicFor<N extends TopicName>(deviceId: string, name: N, params: TopicParams<N>): string {
  const spec: TopicSpec = TOPICS[name];
  const values = params as Readonly<Record<string, string>>;
  const levels = spec.pattern.split('/').map((level, index, all) => {
    const placeholder = placeholderName(level);
    if (placeholder === null) return level;
    const value = values[placeholder];
    if (value === undefined || !isValidParam(spec, placeholder, value, index === all.length - 1)) {
      throw new MyoError('MYO_ERR_MQTT_TOPIC', `topic ${name}: {${placeholder}} cannot be ${JSON.stringify(value)}`, { name, placeholder });
    }
    return value;
  });
  if (spec.scope === 'group') return [TOPIC_ROOT, ...levels].join('/');
  if (!LEVEL.test(deviceId)) {
    throw new MyoError('MYO_ERR_MQTT_TOPIC', `device id ${JSON.stringify(deviceId)} cannot be a topic level`, { name });
  }
  return [TOPIC_ROOT, deviceId, ...levels].join('/');
}

/**
 * Which contract topic `topic` is, for this device (or any group), or null when it is none: wildcards, `..`, empty
 * or over-long levels, another device's subtree and unknown paths are all null.
 */
export function parseTopic(deviceId: string, topic: string): ParsedTopic | null {
  if (topic.length > MAX_TOPIC_LENGTH) return null;
  const levels = topic.split('/');
  if (!levels.every(isSafeLevel)) return null;
  if (ROOT_LEVELS.some((level, index) => levels[index] !== level)) return null;
  const rest = levels.slice(ROOT_LEVELS.length);
  for (const name of TOPIC_NAMES) {
    const spec: TopicSpec = TOPICS[name];
    let below: string[] | null;
    if (spec.scope === 'group') below = rest;
    else below = rest[0] === deviceId ? rest.slice(1) : null;
    const params = below === null ? null : matchPattern(spec, below);
    if (params !== null) return { name, params } as ParsedTopic;
  }
  return null;
}

function isSafeLevel(level: string): boolean {
  return level.length > 0 && level.length <= MAX_LEVEL_LENGTH && level !== '.' && level !== '..' && !level.includes('+') && !level.includes('#') && !hasControlCharacter(level);
}

function placeholderName(level: string): string | null {
  return level.startsWith('{') && level.endsWith('}') ? level.slice(1, -1) : null;
}

function isValidParam(spec: TopicSpec, placeholder: string, value: string, isLast: boolean): boolean {
  const levels = value.split('/');
  const maxLevels = isLast ? (spec.tailLevels ?? 1) : 1;
  if (levels.length > maxLevels || !levels.every((level) => LEVEL.test(level))) return false;
  const allowed = spec.paramValues?.[placeholder];
  return allowed === undefined || allowed.includes(value);
}

function matchPattern(spec: TopicSpec, levels: readonly string[]): Record<string, string> | null {
  const pattern = spec.pattern.split('/');
  const params: Record<string, string> = {};
  for (const [index, expected] of pattern.entries()) {
    const placeholder = placeholderName(expected);
    const isLast = index === pattern.length - 1;
    if (placeholder === null) {
      if (levels[index] !== expected) return null;
      continue;
    }
    // Only the last placeholder may take the remaining levels; elsewhere it is exactly one level.
    const value = isLast ? levels.slice(index).join('/') : levels[index];
    if (value === undefined || value === '' || !isValidParam(spec, placeholder, value, isLast)) return null;
    params[placeholder] = value;
  }
  const consumed = placeholderName(pattern.at(-1) ?? '') === null ? pattern.length : levels.length;
  return consumed === levels.length && levels.length >= pattern.length ? params : null;
}
