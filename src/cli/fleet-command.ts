import { createPublicKey } from 'node:crypto';
import { parseArgs } from 'node:util';
import { MyoError } from '../core/errors.js';
import { readDesiredDocument, readJobDocument } from '../fleet/documents/read-documents.js';
import { MemoryReplayGuard } from '../fleet/documents/replay-guard.js';
import { signDesiredDocument, signJobDocument, targetFromPackage } from '../fleet/documents/sign-documents.js';
import type { DocumentSigningKey, ModelTarget } from '../fleet/documents/types.js';
import { PackageServer } from '../fleet/server/package-server.js';
import { readPrivateKey, trustedKeys } from '../infer/package/keys.js';
import { TOPIC_LEVEL_PATTERN } from '../telemetry/contract/common-schemas.js';
import { topicFor } from '../telemetry/contract/topic-path.js';
import { connectOperator, publishConfirmed, type OperatorBrokerOptions } from './fleet-mqtt.js';
import { FLEET_STATUS_FILTERS, FleetStatusTable, ageOf, type CartRow, type GroupRow } from './fleet-status-table.js';
import { modelCommand } from './model-command.js';
import { formatTable, printJson, type CliIo } from './output.js';

const USAGE = `usage:
  myoscreen fleet publish --group G (--package DIR (--base-url URL | --serve [--listen HOST:PORT]) | --clear)
        --key FILE --key-id ID --broker URL [--revision N] [--expires-in S] [--allow-downgrade] [--json]
        sign the desired state of group G and publish it retained on myoscreen/v1/groups/G/desired;
        --serve serves the package folder itself (plain http: loopback carts only) until interrupted
  myoscreen fleet job --device ID (--package DIR (--base-url URL | --serve [--listen HOST:PORT])) --key FILE --key-id ID
        --broker URL [--job-id ID] [--expires-in S] [--allow-downgrade] [--json]
        sign a model update job for one cart and publish it on myoscreen/v1/ID/jobs/JOB_ID
  myoscreen fleet status --broker URL [--once] [--wait-ms N] [--json]
        table of carts (device, status, model version, phase, progress, job, last seen) and of group desired states;
        live until interrupted, or --once: print after --wait-ms (default 2000) and exit
  myoscreen fleet keygen --key-id ID --out-dir DIR
        make an ed25519 key pair for signing fleet documents (the public half goes into fleet.trustedKeys)
broker options: --mqtt-protocol 4|5 (default 5), --username U (password from MYOSCREEN_FLEET_PASSWORD),
        --tls-ca FILE, --tls-cert FILE, --tls-key FILE, --timeout-ms N (default 5000)`;

const OPTIONS = {
  group: { type: 'string' },
  device: { type: 'string' },
  'job-id': { type: 'string' },
  package: { type: 'string' },
  'base-url': { type: 'string' },
  serve: { type: 'boolean', default: false },
  listen: { type: 'string' },
  clear: { type: 'boolean', default: false },
  key: { type: 'string' },
  'key-id': { type: 'string' },
  'out-dir': { type: 'string' },
  broker: { type: 'string' },
  revision: { type: 'string' },
  'expires-in': { type: 'string' },
  'allow-downgrade': { type: 'boolean', default: false },
  once: { type: 'boolean', default: false },
  'wait-ms': { type: 'string' },
  json: { type: 'boolean', default: false },
  'mqtt-protocol': { type: 'string' },
  username: { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: false }>>['values'];

/**
 * `myoscreen fleet ...`: the operator's side of fleet updates (docs/fleet.md). `signal` stops a serving publish or a
 * live status table (tests); without it, SIGINT/SIGTERM do.
 */
export async function fleetCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false });
  switch (sub) {
    case 'publish':
      return publish(values, io, signal);
    case 'job':
      return publishJob(values, io, signal);
    case 'status':
      return status(values, io, signal);
    case 'keygen':
      return modelCommand(['keygen', '--key-id', values['key-id'] ?? '', '--out-dir', values['out-dir'] ?? ''], io);
    default:
      throw new MyoError('MYO_ERR_USAGE', `unknown fleet subcommand "${sub ?? ''}"\n${USAGE}`);
  }
}

function required(values: Values, name: 'group' | 'device' | 'key' | 'key-id' | 'broker' | 'package'): string {
  const value = values[name];
  if (value === undefined || value === '') throw new MyoError('MYO_ERR_USAGE', `--${name} is required\n${USAGE}`);
  return value;
}

const TOPIC_LEVEL = new RegExp(TOPIC_LEVEL_PATTERN);

/** A group, device or job id: it becomes a topic level, so it must be one. */
function topicLevel(values: Values, name: 'group' | 'device'): string {
  const value = required(values, name);
  if (!TOPIC_LEVEL.test(value)) throw new MyoError('MYO_ERR_USAGE', `--${name} must be letters, digits, _ and - (at most 64), got "${value}"`);
  return value;
}

function positiveInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new MyoError('MYO_ERR_USAGE', `--${name} must be a positive integer, got "${text}"`);
  return value;
}

function brokerOptions(values: Values, io: CliIo): OperatorBrokerOptions {
  const protocol = values['mqtt-protocol'] ?? '5';
  if (protocol !== '4' && protocol !== '5') throw new MyoError('MYO_ERR_USAGE', '--mqtt-protocol is 4 or 5');
  const password = io.env.MYOSCREEN_FLEET_PASSWORD;
  return {
    url: required(values, 'broker'),
    protocol: protocol === '4' ? 4 : 5,
    timeoutMs: positiveInteger(values['timeout-ms'], 'timeout-ms', 5000),
    ...(values.username !== undefined ? { username: values.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(values['tls-ca'] !== undefined ? { caFile: values['tls-ca'] } : {}),
    ...(values['tls-cert'] !== undefined ? { certFile: values['tls-cert'] } : {}),
    ...(values['tls-key'] !== undefined ? { keyFile: values['tls-key'] } : {}),
  };
}

function signingKey(values: Values): DocumentSigningKey {
  const id = required(values, 'key-id');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new MyoError('MYO_ERR_USAGE', '--key-id: letters, digits, . _ - only (at most 64)');
  return { id, privateKey: readPrivateKey(required(values, 'key')) };
}

function expiresAt(values: Values, now: Date): string | null {
  const text = values['expires-in'];
  if (text === undefined) return null;
  return new Date(now.getTime() + positiveInteger(text, 'expires-in', 1) * 1000).toISOString();
}

function parseListen(text: string | undefined): { host: string; port: number } {
  if (text === undefined) return { host: '127.0.0.1', port: 0 };
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65_535) throw new MyoError('MYO_ERR_USAGE', `--listen takes HOST:PORT, got "${text}"`);
  return { host: text.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port };
}

/** Resolves on `signal`, SIGINT or SIGTERM, whichever comes first. */
function untilInterrupted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    if (signal?.aborted) {
      resolve();
      return;
    }
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The package target, served by a local PackageServer when --serve is given (the caller stops it). */
async function packageTarget(values: Values): Promise<{ target: ModelTarget; server: PackageServer | null; servedAt: string | null }> {
  const dir = required(values, 'package');
  const baseUrl = values['base-url'];
  if (!values.serve && baseUrl === undefined) throw new MyoError('MYO_ERR_USAGE', `--base-url URL or --serve is required\n${USAGE}`);
  let server: PackageServer | null = null;
  let servedAt: string | null = null;
  if (values.serve) {
    server = new PackageServer({ root: dir, ...parseListen(values.listen) });
    servedAt = (await server.start()).url;
  }
  try {
    const target = await targetFromPackage(dir, baseUrl ?? servedAt ?? '', { allowDowngrade: values['allow-downgrade'] });
    return { target, server, servedAt };
  } catch (error) {
    await server?.stop();
    throw error;
  }
}

async function publish(values: Values, io: CliIo, signal: AbortSignal | undefined): Promise<number> {
  const group = topicLevel(values, 'group');
  const key = signingKey(values);
  const broker = brokerOptions(values, io);
  if (values.clear && values.package !== undefined) throw new MyoError('MYO_ERR_USAGE', '--clear publishes no package: drop --package');
  const now = new Date();
  const { target, server, servedAt } = values.clear ? { target: null, server: null, servedAt: null } : await packageTarget(values);
  try {
    // Milliseconds since the epoch grow with every publication from a machine with a sane clock; --revision overrides.
    const revision = positiveInteger(values.revision, 'revision', now.getTime());
    const document = { group, revision, target, issuedAt: now.toISOString(), expiresAt: expiresAt(values, now) };
    const bytes = signDesiredDocument(document, key);
    // Read back as a cart of the group would, so a document the carts would refuse is never published.
    readDesiredDocument(bytes, { trusted: trustedKeys([{ id: key.id, key: createPublicKey(key.privateKey) }]), now, group, replay: new MemoryReplayGuard() });
    const topic = topicFor('', 'groupDesired', { group });
    await publishOnce(broker, 'publish', topic, bytes, true);
    if (values.json) printJson(io, { published: true, topic, group, revision, keyId: key.id, target, servedAt });
    else {
      const what = target ? `${target.id} ${target.version} (security version ${target.securityVersion}, ${target.totalBytes} bytes) from ${target.baseUrl}` : 'no model change (cleared)';
      io.stdout(`published desired state of group ${group}, revision ${revision}, signed by ${key.id}: ${what}\n`);
    }
    if (server && servedAt !== null) await serveUntilInterrupted(values, servedAt, io, signal);
    return 0;
  } finally {
    await server?.stop();
  }
}

async function publishJob(values: Values, io: CliIo, signal: AbortSignal | undefined): Promise<number> {
  const device = topicLevel(values, 'device');
  const key = signingKey(values);
  const broker = brokerOptions(values, io);
  const now = new Date();
  const jobId = values['job-id'] ?? `job-${now.getTime().toString(36)}`;
  if (!TOPIC_LEVEL.test(jobId)) throw new MyoError('MYO_ERR_USAGE', `--job-id must be letters, digits, _ and - (at most 64), got "${jobId}"`);
  const { target, server, servedAt } = await packageTarget(values);
  try {
    const bytes = signJobDocument({ jobId, deviceId: device, target, issuedAt: now.toISOString(), expiresAt: expiresAt(values, now) }, key);
    readJobDocument(bytes, { trusted: trustedKeys([{ id: key.id, key: createPublicKey(key.privateKey) }]), now, deviceId: device, replay: new MemoryReplayGuard() });
    const topic = topicFor(device, 'job', { jobId });
    // Not retained: a job is for one delivery; a cart that was offline gets it from its persistent session.
    await publishOnce(broker, 'job', topic, bytes, false);
    if (values.json) printJson(io, { published: true, topic, jobId, device, keyId: key.id, target, servedAt });
    else io.stdout(`published job ${jobId} for ${device}: ${target.id} ${target.version} from ${target.baseUrl}\n`);
    if (server && servedAt !== null) await serveUntilInterrupted(values, servedAt, io, signal);
    return 0;
  } finally {
    await server?.stop();
  }
}

/** Connects as the operator, publishes one document confirmed by the broker (QoS 1), and disconnects. */
async function publishOnce(broker: Parameters<typeof connectOperator>[0], purpose: Parameters<typeof connectOperator>[1], topic: string, bytes: Buffer, retain: boolean): Promise<void> {
  const client = await connectOperator(broker, purpose);
  try {
    await publishConfirmed(client, topic, bytes, retain);
  } finally {
    await client.endAsync();
  }
}

/** With --serve, the package stays served until the operator interrupts (carts may still be downloading). */
async function serveUntilInterrupted(values: Values, servedAt: string, io: CliIo, signal: AbortSignal | undefined): Promise<void> {
  io.stderr(`serving ${values.package ?? ''} at ${servedAt} until interrupted (Ctrl-C)\n`);
  await untilInterrupted(signal);
}

function renderTables(carts: readonly CartRow[], groups: readonly GroupRow[], now: Date): string {
  const cartTable = formatTable(
    ['DEVICE', 'STATUS', 'MODEL', 'VERSION', 'PHASE', 'PROGRESS', 'CANDIDATE', 'JOB', 'LAST SEEN'],
    carts.map((row) => [
      row.device,
      row.status ?? '-',
      row.model ?? '-',
      row.version ?? '-',
      row.phase ?? '-',
      row.progress === null ? '-' : `${Math.round(row.progress * 100)}%`,
      row.candidate ?? '-',
      row.job ?? '-',
      ageOf(row.lastSeen, now),
    ]),
  );
  const groupTable = formatTable(
    ['GROUP', 'REVISION', 'DESIRED', 'SIGNED BY', 'ISSUED'],
    groups.map((row) => [row.group, String(row.revision), row.target ?? '(none)', row.keyId, row.issuedAt]),
  );
  return `${cartTable}\n${groupTable}`;
}

async function status(values: Values, io: CliIo, signal: AbortSignal | undefined): Promise<number> {
  const broker = brokerOptions(values, io);
  const waitMs = positiveInteger(values['wait-ms'], 'wait-ms', 2000);
  const table = new FleetStatusTable();
  const client = await connectOperator(broker, 'status');
  let dirty = false;
  client.on('message', (topic, payload) => {
    if (table.ingest(topic, payload)) dirty = true;
  });
  const print = (): void => {
    const now = new Date();
    if (values.json) printJson(io, { at: now.toISOString(), carts: table.carts(), groups: table.groups() });
    else io.stdout(renderTables(table.carts(), table.groups(), now));
  };
  try {
    try {
      await client.subscribeAsync([...FLEET_STATUS_FILTERS], { qos: 1 });
    } catch (error) {
      throw new MyoError('MYO_ERR_FLEET_BROKER', `cannot subscribe on ${broker.url}`, {}, { cause: error });
    }
    if (values.once) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      print();
      return 0;
    }
    // Live: redraw at most once a second, only after a change.
    const timer = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      if (!values.json) io.stdout(`\n${new Date().toISOString()}\n`);
      print();
    }, 1000);
    try {
      await untilInterrupted(signal);
    } finally {
      clearInterval(timer);
    }
    return 0;
  } finally {
    await client.endAsync();
  }
}
