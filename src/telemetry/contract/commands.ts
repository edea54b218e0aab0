import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IsoTimeSchema, OpaqueIdSchema, ReasonTextSchema, SemVerSchema, WireErrorSchema, literalUnion } from './common-schemas.js';
import { enveloped } from './envelope.js';

/**
 * Remote commands: the fleet publishes `cmd/req/{name}`, the daemon answers on `cmd/res/{name}` echoing the request's
 * `id`. Every command's arguments are a closed object, so a typo is an error response rather than an ignored field.
 */
const NoArgs = Type.Object({}, { additionalProperties: false });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Retained topics a `republish` may ask for. */
export const REPUBLISHABLE = ['status', 'info', 'health', 'model/state'] as const;

export const COMMANDS = {
  health_check: { summary: 'Run the health checks now and answer with the result.', args: NoArgs },
  republish: {
    summary: 'Publish the retained topics again (all of them when `topics` is absent).',
    args: Type.Object({ topics: Type.Optional(Type.Array(literalUnion(REPUBLISHABLE), { minItems: 1, maxItems: 4, uniqueItems: true })) }, { additionalProperties: false }),
  },
  restart: {
    summary: 'Restart the daemon once no exam is running; the response is sent before it goes.',
    args: Type.Object(
      { reason: Type.Optional(ReasonTextSchema), delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })) },
      { additionalProperties: false },
    ),
  },
  'log_level/set': {
    summary: 'Change the log level; it returns to the configured level after `durationS` (one hour when absent).',
    args: Type.Object(
      { level: literalUnion(LOG_LEVELS), durationS: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })) },
      { additionalProperties: false },
    ),
  },
  'display/test': {
    summary: 'Show the test pattern on the cart display for `durationMs` (3 s when absent).',
    args: Type.Object({ durationMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000 })) }, { additionalProperties: false }),
  },
  selftest: {
    summary: 'Run the self-test checks (all of them when `checks` is absent) and answer with the report.',
    args: Type.Object(
      { checks: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$' }), { minItems: 1, maxItems: 32, uniqueItems: true })) },
      { additionalProperties: false },
    ),
  },
  'config/get': {
    summary: 'Answer with the effective configuration, secrets redacted; `path` narrows it to one section.',
    args: Type.Object({ path: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,63}(?:[.][A-Za-z][A-Za-z0-9]{0,63}){0,7}$' })) }, { additionalProperties: false }),
  },
  'model/rollback': {
    summary: 'Go back to the previous committed model (or `toVersion` when it is still on the device).',
    args: Type.Object({ reason: Type.Optional(ReasonTextSchema), toVersion: Type.Optional(SemVerSchema) }, { additionalProperties: false }),
  },
} as const satisfies Record<string, { summary: string; args: TSchema }>;

export type CommandName = keyof typeof COMMANDS;
export type CommandArgs<N extends CommandName> = Static<(typeof COMMANDS)[N]['args']>;
export const COMMAND_NAMES = Object.keys(COMMANDS) as readonly CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** The request as the fleet sends it (inbound: no envelope). `args` may be left out when a command needs none. */
export const CommandRequestSchema = Type.Object(
  {
    id: OpaqueIdSchema,
    /** The daemon drops a request that arrives after this (it sat in a persistent session while the cart was off). */
    expiresAt: Type.Optional(IsoTimeSchema),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false, description: 'A command request; `args` is checked against the command\'s own schema.' },
);

/** A request once decoded: `args` checked against its command's schema and defaulted to `{}`. */
export type CommandRequest<N extends CommandName = CommandName> = N extends CommandName
  ? { readonly id: string; readonly expiresAt?: string; readonly args: CommandArgs<N> }
  : never;

export const CommandResponseSchema = Type.Union(
  [
    enveloped({ id: OpaqueIdSchema, ok: Type.Literal(true), result: Type.Optional(Type.Unknown()) }),
    enveloped({ id: OpaqueIdSchema, ok: Type.Literal(false), error: WireErrorSchema }),
  ],
  { description: 'The answer to a request, echoing its `id`. Requests that cannot be read get `ok: false` with a code.' },
);

/** Whether a request has outlived its `expiresAt`; requests without one never expire. */
export function isRequestExpired(request: { readonly expiresAt?: string }, now: Date): boolean {
  return request.expiresAt !== undefined && Date.parse(request.expiresAt) <= now.getTime();
}
