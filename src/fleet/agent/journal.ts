import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { MyoError } from '../../core/errors.js';
import { writeFileAtomic } from '../../storage/atomic-file.js';
import { ModelTargetSchema } from '../../telemetry/contract/job-payloads.js';

/**
 * The update journal (ARCHITECTURE section 7): one small JSON file naming the job in hand, the step it is about to
 * take and what that step needs after a restart. It is written (write, fsync, rename, fsync folder) before every
 * transition, so whatever instant power is cut, the next boot knows whether to resume the job or roll it back.
 */
export const JOURNAL_PHASES = [
  'queued',
  'downloading',
  'verifying',
  'staged',
  'waiting',
  'validating',
  'activating',
  'probation',
  'committed',
  'failed',
  'rejected',
  'rolled_back',
] as const;
export type JournalPhase = (typeof JOURNAL_PHASES)[number];

export const TERMINAL_PHASES: ReadonlySet<JournalPhase> = new Set(['committed', 'failed', 'rejected', 'rolled_back']);

/** The target as the signed document gave it (the contract's schema: the journal keeps what was verified). */
export const JournalTargetSchema = ModelTargetSchema;

export const JournalEntrySchema = Type.Object(
  {
    v: Type.Literal(1),
    jobId: Type.String({ minLength: 1, maxLength: 64 }),
    /** Where the job came from: a job document for this cart, or the group's desired state. */
    origin: Type.Union([Type.Literal('job'), Type.Literal('desired')]),
    target: JournalTargetSchema,
    phase: Type.Union(JOURNAL_PHASES.map((p) => Type.Literal(p))),
    /** Starts of a freshly activated model before its commit (ARCHITECTURE: the crash-loop guard). */
    bootAttempts: Type.Integer({ minimum: 0 }),
    error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }), Type.Null()]),
    updatedAt: Type.String(),
  },
  { additionalProperties: false },
);

export type JournalEntry = Static<typeof JournalEntrySchema>;

/** A job accepted while another one runs: kept on disk so a crash does not lose it (MQTT already acknowledged it). */
export const WaitingJobSchema = Type.Object(
  {
    v: Type.Literal(1),
    jobId: Type.String({ minLength: 1, maxLength: 64 }),
    origin: Type.Union([Type.Literal('job'), Type.Literal('desired')]),
    target: JournalTargetSchema,
  },
  { additionalProperties: false },
);
export type WaitingJob = Static<typeof WaitingJobSchema>;
export type JournalTarget = Static<typeof JournalTargetSchema>;

export class UpdateJournal {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** The entry on disk; null when there is none. A damaged file is a coded error (the caller falls back safely). */
  read(): JournalEntry | null {
    if (!existsSync(this.path)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
    } catch (error) {
      throw new MyoError('MYO_ERR_MODEL_STORE', `update journal ${this.path} is not JSON`, { path: this.path }, { cause: error });
    }
    const first = Value.Errors(JournalEntrySchema, parsed).First();
    if (first) throw new MyoError('MYO_ERR_MODEL_STORE', `update journal ${this.path}: ${first.path || '(root)'}: ${first.message}`, { path: this.path });
    return parsed as JournalEntry;
  }

  /** Where the job waiting behind the current one is kept: beside the journal. */
  get waitingPath(): string {
    return join(dirname(this.path), 'waiting-job.json');
  }

  /** The job waiting behind the current one, or null. A damaged file is dropped with a coded error for the log. */
  readWaiting(): WaitingJob | null {
    if (!existsSync(this.waitingPath)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.waitingPath, 'utf8')) as unknown;
    } catch (error) {
      throw new MyoError('MYO_ERR_MODEL_STORE', `waiting job ${this.waitingPath} is not JSON`, { path: this.waitingPath }, { cause: error });
    }
    if (!Value.Check(WaitingJobSchema, parsed)) throw new MyoError('MYO_ERR_MODEL_STORE', `waiting job ${this.waitingPath} is malformed`, { path: this.waitingPath });
    return parsed;
  }

  /** Keeps (or, with null, forgets) the waiting job, atomically. */
  writeWaiting(job: Omit<WaitingJob, 'v'> | null): void {
    try {
      if (job === null) rmSync(this.waitingPath, { force: true });
      else writeFileAtomic(this.waitingPath, `${JSON.stringify({ v: 1, ...job })}\n`);
    } catch (error) {
      throw new MyoError('MYO_ERR_MODEL_STORE', `waiting job ${this.waitingPath} cannot be written`, { path: this.waitingPath }, { cause: error });
    }
  }

  write(entry: JournalEntry): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileAtomic(this.path, `${JSON.stringify(entry)}\n`);
    } catch (error) {
      throw new MyoError('MYO_ERR_MODEL_STORE', `update journal ${this.path} cannot be written`, { path: this.path }, { cause: error });
    }
  }
}
