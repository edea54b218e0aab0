import type { TSchema } from '@sinclair/typebox';
import { COMMANDS, COMMAND_NAMES, CommandRequestSchema } from './commands.js';
import { EnvelopeSchema } from './envelope.js';
import { MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES } from './hostile-json.js';
import { TOPICS, TOPIC_NAMES, TOPIC_ROOT, type TopicSpec } from './topics.js';

/** The path docs/mqtt-api.md is written to and checked against, relative to the repository root. */
export const MQTT_API_DOC_PATH = 'docs/mqtt-api.md';

const INTRO = `# MQTT API

<!-- Generated from TOPICS by renderMqttApiDoc() (src/telemetry/contract/render-doc.ts). Do not edit by hand:
     change the contract, then run \`npm run build && node dist/src/telemetry/contract/write-doc.js\`. -->

Each cart publishes under \`${TOPIC_ROOT}/{deviceId}/\`; the device id is also its MQTT client id and TLS certificate
name, so a broker ACL can confine a cart to its own subtree. \`v1\` is the contract version: a breaking change gets new
topics, while a field added to a payload is optional so older consumers keep working.

- Every message the cart publishes starts with the **envelope** below. \`messageId\` is stable across the durable
  outbox's retries, so consumers drop duplicates by it; \`session\` grows on each daemon start, so a late last will
  can be told from a fresh \`online\`.
- Commands: publish \`{ "id": "...", "args": { ... } }\` to \`cmd/req/{name}\`; the answer arrives on
  \`cmd/res/{name}\` with the same \`id\`. A request that cannot be read (over ${MAX_PAYLOAD_BYTES / 1024} KiB, not UTF-8
  or JSON, nested deeper than ${MAX_JSON_DEPTH}, carrying \`__proto__\`/\`constructor\`/\`prototype\` keys, failing its
  schema) is answered with \`ok: false\` and \`MYO_ERR_MQTT_PAYLOAD\`; an unknown name with \`MYO_ERR_MQTT_COMMAND_UNKNOWN\`.
  With MQTT 5 the answer goes to the request's response topic, with its correlation data, when it has them.
  - **Idempotent by id**: a request id seen in the last 10 minutes (the newest 1024 ids) is answered with the first
    answer and not run again, so a resent \`restart\` restarts once.
  - **Expiry**: a request whose \`expiresAt\` has passed when it arrives (it sat in the persistent session while the
    cart was off) is not run and is answered with \`MYO_ERR_COMMAND_EXPIRED\`.
  - \`restart\` waits for a running exam to end, then the daemon stops cleanly and exits 75, which the systemd unit
    restarts on. \`selftest\` judges capture, display and broker from the running parts (it does not open the grabber
    or the serial port a second time), loads the model in a fresh worker, checks disk and clock; it is refused with
    \`MYO_ERR_SELFTEST_RUNNING\` while another runs or an exam is under way. \`display/test\` is refused during an exam
    and stops at once if one starts (\`MYO_ERR_COMMAND_BUSY\`). \`log_level/set\` returns to the configured level by
    itself.
- Must-not-lose messages go through the durable outbox; its class decides what it drops first when full.
`;

/** docs/mqtt-api.md, generated from TOPICS and COMMANDS so the document cannot drift from the code. */
export function renderMqttApiDoc(): string {
  const sections = [INTRO, topicTable(), schemaSection('Envelope', 'Fields every outbound payload starts with.', EnvelopeSchema), commandSection(), payloadSection()];
  return sections.join('\n');
}

function fullPattern(spec: TopicSpec): string {
  return spec.scope === 'group' ? `${TOPIC_ROOT}/${spec.pattern}` : spec.pattern;
}

function topicTable(): string {
  const rows = TOPIC_NAMES.map((name) => {
    const spec: TopicSpec = TOPICS[name];
    const expiry = spec.messageExpiryS === null ? '-' : `${spec.messageExpiryS} s`;
    return `| \`${name}\` | \`${fullPattern(spec)}\` | ${spec.direction} | ${spec.retained ? 'yes' : 'no'} | ${spec.qos} | ${expiry} | ${spec.outbox ?? '-'} | ${spec.summary} |`;
  });
  return [
    '## Topics',
    '',
    `Device topics are relative to \`${TOPIC_ROOT}/{deviceId}/\`.`,
    '',
    '| name | topic | dir | retained | QoS | expiry | outbox class | purpose |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function commandSection(): string {
  const rows = COMMAND_NAMES.map((name) => `| \`${name}\` | \`cmd/req/${name}\` | \`cmd/res/${name}\` | ${COMMANDS[name].summary} |`);
  const argSchemas = COMMAND_NAMES.map((name) => schemaSection(`\`${name}\` args`, COMMANDS[name].summary, COMMANDS[name].args, 4));
  return [
    '## Commands',
    '',
    '| command | request topic | response topic | what it does |',
    '|---|---|---|---|',
    ...rows,
    '',
    schemaSection('Request', 'Every request; `args` is then checked against the command\'s own schema.', CommandRequestSchema, 3),
    ...argSchemas,
  ].join('\n');
}

function payloadSection(): string {
  const sections = TOPIC_NAMES.map((name) => {
    const spec: TopicSpec = TOPICS[name];
    const description = typeof spec.schema.description === 'string' ? spec.schema.description : spec.summary;
    return schemaSection(`\`${name}\`: \`${fullPattern(spec)}\``, description, spec.schema, 3);
  });
  return ['## Payloads', '', ...sections].join('\n');
}

function schemaSection(title: string, description: string, schema: TSchema, level = 2): string {
  // JSON.stringify leaves out TypeBox's symbol keys, so this is the plain JSON Schema that other tools read.
  return [`${'#'.repeat(level)} ${title}`, '', description, '', '```json', JSON.stringify(schema, null, 2), '```', ''].join('\n');
}
