import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DesiredPayloadSchema, JobStatusPayloadSchema, GroupDesiredSchema } from '../telemetry/contract/job-payloads.js';
import { InfoPayloadSchema, ModelStatePayloadSchema, StatusPayloadSchema } from '../telemetry/contract/device-payloads.js';
import { readUntrustedJson } from '../telemetry/contract/hostile-json.js';
import { parseTopic } from '../telemetry/contract/topic-path.js';
import { TOPIC_ROOT } from '../telemetry/contract/topics.js';

/** What `myoscreen fleet status` shows per cart. */
export interface CartRow {
  readonly device: string;
  /** online / stopped / offline (the last will), null until the cart's status is seen. */
  readonly status: string | null;
  /** Installed model as `id version`, from model/state (or info while no model/state was seen). */
  readonly model: string | null;
  readonly version: string | null;
  readonly phase: string | null;
  /** 0..1, null when the phase has no measure. */
  readonly progress: number | null;
  readonly candidate: string | null;
  /** The last job heard of, with its last state (and error code when it failed). */
  readonly job: string | null;
  /** The newest `sentAt` of any message from the cart (its own clock). */
  readonly lastSeen: string | null;
}

/** A group's desired state as published (read without verifying: the operator's view, not a cart's decision). */
export interface GroupRow {
  readonly group: string;
  readonly revision: number;
  readonly target: string | null;
  readonly keyId: string;
  readonly issuedAt: string;
}

/** The topics the table listens to. */
export const FLEET_STATUS_FILTERS = [
  `${TOPIC_ROOT}/+/status`,
  `${TOPIC_ROOT}/+/info`,
  `${TOPIC_ROOT}/+/model/state`,
  `${TOPIC_ROOT}/+/jobs/+/status`,
  `${TOPIC_ROOT}/groups/+/desired`,
] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function readAs(schema: TSchema, payload: Buffer): unknown {
  const read = readUntrustedJson(payload);
  return read.ok && Value.Check(schema, read.value) ? read.value : null;
}

/** Folds the carts' retained and live messages into one row per cart; anything malformed is ignored. */
export class FleetStatusTable {
  readonly #carts = new Map<string, Mutable<CartRow>>();
  readonly #groups = new Map<string, GroupRow>();

  /** Returns whether the message changed the table. */
  ingest(topic: string, payload: Buffer): boolean {
    const device = topic.split('/')[2] ?? '';
    const parsed = parseTopic(device, topic);
    if (parsed === null) return false;
    switch (parsed.name) {
      case 'groupDesired':
        return this.#ingestDesired(payload);
      case 'status': {
        const value = readAs(StatusPayloadSchema, payload) as { state: string; sentAt: string } | null;
        if (!value) return false;
        return this.#update(device, value.sentAt, (row) => (row.status = value.state));
      }
      case 'info': {
        const value = readAs(InfoPayloadSchema, payload) as { sentAt: string; model: { id: string; version: string } | null } | null;
        if (!value) return false;
        return this.#update(device, value.sentAt, (row) => {
          // model/state is the better source; info only fills in until it arrives.
          if (row.phase === null && value.model) {
            row.model = value.model.id;
            row.version = value.model.version;
          }
        });
      }
      case 'modelState': {
        const value = readAs(ModelStatePayloadSchema, payload) as {
          sentAt: string;
          installed: { id: string; version: string } | null;
          candidate: { id: string; version: string } | null;
          phase: string;
          progress: number | null;
          jobId: string | null;
        } | null;
        if (!value) return false;
        return this.#update(device, value.sentAt, (row) => {
          row.model = value.installed?.id ?? null;
          row.version = value.installed?.version ?? null;
          row.candidate = value.candidate ? value.candidate.version : null;
          row.phase = value.phase;
          row.progress = value.progress;
        });
      }
      case 'jobStatus': {
        const value = readAs(JobStatusPayloadSchema, payload) as { sentAt: string; jobId: string; state: string; error?: { code: string } } | null;
        if (!value) return false;
        return this.#update(device, value.sentAt, (row) => {
          row.job = `${value.jobId} ${value.state}${value.error ? ` ${value.error.code}` : ''}`;
        });
      }
      default:
        return false;
    }
  }

  carts(): CartRow[] {
    return [...this.#carts.values()].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0)).map((row) => ({ ...row }));
  }

  groups(): GroupRow[] {
    return [...this.#groups.values()].sort((a, b) => (a.group < b.group ? -1 : 1));
  }

  #update(device: string, sentAt: string, change: (row: Mutable<CartRow>) => void): boolean {
    let row = this.#carts.get(device);
    if (!row) {
      row = { device, status: null, model: null, version: null, phase: null, progress: null, candidate: null, job: null, lastSeen: null };
      this.#carts.set(device, row);
    }
    change(row);
    if (row.lastSeen === null || sentAt > row.lastSeen) row.lastSeen = sentAt;
    return true;
  }

  #ingestDesired(payload: Buffer): boolean {
    const wrapper = readAs(GroupDesiredSchema, payload) as { keyId: string; payload: string } | null;
    if (!wrapper) return false;
    const inner = readAs(DesiredPayloadSchema, Buffer.from(wrapper.payload, 'utf8')) as {
      group: string;
      revision: number;
      target: { id: string; version: string } | null;
      issuedAt: string;
    } | null;
    if (!inner) return false;
    this.#groups.set(inner.group, {
      group: inner.group,
      revision: inner.revision,
      target: inner.target ? `${inner.target.id} ${inner.target.version}` : null,
      keyId: wrapper.keyId,
      issuedAt: inner.issuedAt,
    });
    return true;
  }
}

/** "12s ago" style age of an ISO time, for the text table. */
export function ageOf(iso: string | null, now: Date): string {
  if (iso === null) return '-';
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}
