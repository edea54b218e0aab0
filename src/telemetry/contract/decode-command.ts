import type { ErrorCode } from '../../core/errors.js';
import { COMMANDS, CommandRequestSchema, isCommandName, type CommandName, type CommandRequest } from './commands.js';
import { OPAQUE_ID_PATTERN } from './common-schemas.js';
import { readUntrustedJson } from './hostile-json.js';
import { firstSchemaProblem } from './schema-problem.js';
import { TOPIC_ROOT } from './topics.js';
import { printable } from './text-guards.js';
import { parseTopic } from './topic-path.js';

export type DecodedCommand = { [N in CommandName]: { readonly ok: true; readonly name: N; readonly request: CommandRequest<N> } }[CommandName];

export interface CommandDecodeFailure {
  readonly ok: false;
  readonly error: { readonly code: ErrorCode; readonly message: string };
  /** The request's `id` when one could be read, so the error response can echo it. */
  readonly correlationId?: string;
  /** The command name from the topic when it had one (even unknown), so the response goes to `cmd/res/{name}`. */
  readonly name?: string;
}

export type CommandDecodeResult = DecodedCommand | CommandDecodeFailure;

const CORRELATION_ID = new RegExp(OPAQUE_ID_PATTERN);
const ROOT_LEVEL_COUNT = TOPIC_ROOT.split('/').length;

/**
 * Reads a message from `cmd/req/{name}`. Built for hostile input: it never throws, and every failure carries a stable
 * code (MYO_ERR_MQTT_TOPIC, MYO_ERR_MQTT_PAYLOAD, MYO_ERR_MQTT_COMMAND_UNKNOWN). Pass `deviceId` to refuse other
 * devices' topics; without it the device level is only checked for shape (the broker ACL confines the cart).
 */
export function decodeCommand(topic: string, bytes: Uint8Array, options: { readonly deviceId?: string } = {}): CommandDecodeResult {
  const deviceId = options.deviceId ?? topic.split('/', ROOT_LEVEL_COUNT + 1)[ROOT_LEVEL_COUNT] ?? '';
  const parsed = parseTopic(deviceId, topic);
  if (parsed?.name !== 'commandRequest') {
    return failure('MYO_ERR_MQTT_TOPIC', `not a command request topic: ${printable(topic)}`, {});
  }
  const name = parsed.params.name;
  const json = readUntrustedJson(bytes);
  if (!json.ok) return failure('MYO_ERR_MQTT_PAYLOAD', json.reason, { name });
  const context = { name, correlationId: correlationIdOf(json.value) };
  if (!isCommandName(name)) return failure('MYO_ERR_MQTT_COMMAND_UNKNOWN', `unknown command ${name}`, context);
  const requestProblem = firstSchemaProblem(CommandRequestSchema, json.value);
  if (requestProblem !== null) return failure('MYO_ERR_MQTT_PAYLOAD', `request ${requestProblem}`, context);
  const request = json.value as { id: string; expiresAt?: string; args?: Record<string, unknown> };
  const args = request.args ?? {};
  const argsProblem = firstSchemaProblem(COMMANDS[name].args, args);
  if (argsProblem !== null) return failure('MYO_ERR_MQTT_PAYLOAD', `${name} args ${argsProblem}`, context);
  const decoded = { id: request.id, args, ...(request.expiresAt === undefined ? {} : { expiresAt: request.expiresAt }) };
  return { ok: true, name, request: decoded } as DecodedCommand;
}

function correlationIdOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, 'id')) return undefined;
  const id = (value as { id: unknown }).id;
  return typeof id === 'string' && CORRELATION_ID.test(id) ? id : undefined;
}

function failure(code: ErrorCode, message: string, context: { name?: string; correlationId?: string | undefined }): CommandDecodeFailure {
  return {
    ok: false,
    error: { code, message },
    ...(context.correlationId === undefined ? {} : { correlationId: context.correlationId }),
    ...(context.name === undefined ? {} : { name: context.name }),
  };
}
