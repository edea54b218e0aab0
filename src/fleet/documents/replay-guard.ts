import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { writeFileAtomic } from '../../storage/atomic-file.js';
import { MyoError } from '../../core/errors.js';
import { canonicalJson } from '../../records/canonical-json.js';
import type { VerifiedDesired, VerifiedDocument } from './types.js';

/**
 * Refuses a signed document the cart has already acted on. Jobs: a job id is used once. Desired states: the
 * revision of a group never goes down; the same revision is accepted again only with the same content, because a
 * retained message is delivered again on every reconnect and must not look like an attack.
 *
 * `check` is called by the readers; `remember` by the agent once it has accepted a document (after its journal).
 */
export interface ReplayGuard {
  check(doc: VerifiedDocument): void;
  remember(doc: VerifiedDocument): void;
}

/** How many job ids are kept; older ones are folded into a floor: a job issued before it is refused. */
export const MAX_REMEMBERED_JOBS = 1000;

const ReplayStateSchema = Type.Object(
  {
    v: Type.Literal(1),
    jobs: Type.Array(Type.Object({ jobId: Type.String(), issuedAt: Type.String() }, { additionalProperties: false })),
    /** Every forgotten job was issued at or before this; null while nothing was forgotten. */
    jobFloor: Type.Union([Type.String(), Type.Null()]),
    groups: Type.Record(Type.String(), Type.Object({ revision: Type.Integer(), digest: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
type ReplayState = Static<typeof ReplayStateSchema>;

function emptyState(): ReplayState {
  return { v: 1, jobs: [], jobFloor: null, groups: {} };
}

/** What identifies a desired state's content, whatever order its fields were built in. */
function desiredDigest(doc: VerifiedDesired): string {
  return canonicalJson({ group: doc.group, revision: doc.revision, target: doc.target, issuedAt: doc.issuedAt, expiresAt: doc.expiresAt });
}

function replayed(message: string, details: Record<string, unknown>): MyoError {
  return new MyoError('MYO_ERR_DOC_REPLAYED', message, details);
}

/** The guard's rules over an in-memory state; the file-backed guard persists the same state after each change. */
export class MemoryReplayGuard implements ReplayGuard {
  protected state: ReplayState;

  constructor(initial: ReplayState = emptyState()) {
    this.state = initial;
  }

  check(doc: VerifiedDocument): void {
    if (doc.kind === 'job') {
      if (this.state.jobs.some((job) => job.jobId === doc.jobId)) {
        throw replayed(`job ${doc.jobId} was already received`, { jobId: doc.jobId });
      }
      if (this.state.jobFloor !== null && doc.issuedAt <= this.state.jobFloor) {
        throw replayed(`job ${doc.jobId} was issued at ${doc.issuedAt}, before jobs this cart no longer remembers`, { jobId: doc.jobId });
      }
      return;
    }
    const last = this.state.groups[doc.group];
    if (!last) return;
    if (doc.revision < last.revision) {
      throw replayed(`desired state of ${doc.group} has revision ${doc.revision}, older than ${last.revision}`, { group: doc.group, revision: doc.revision, last: last.revision });
    }
    if (doc.revision === last.revision && desiredDigest(doc) !== last.digest) {
      throw replayed(`desired state of ${doc.group} reuses revision ${doc.revision} with different content`, { group: doc.group, revision: doc.revision });
    }
  }

  remember(doc: VerifiedDocument): void {
    const next: ReplayState = { ...this.state, jobs: [...this.state.jobs], groups: { ...this.state.groups } };
    if (doc.kind === 'job') {
      if (!next.jobs.some((job) => job.jobId === doc.jobId)) next.jobs.push({ jobId: doc.jobId, issuedAt: doc.issuedAt });
      next.jobs.sort((a, b) => (a.issuedAt < b.issuedAt ? -1 : a.issuedAt > b.issuedAt ? 1 : 0));
      while (next.jobs.length > MAX_REMEMBERED_JOBS) {
        const forgotten = next.jobs.shift();
        if (forgotten && (next.jobFloor === null || forgotten.issuedAt > next.jobFloor)) next.jobFloor = forgotten.issuedAt;
      }
    } else {
      const last = next.groups[doc.group];
      if (!last || doc.revision >= last.revision) next.groups[doc.group] = { revision: doc.revision, digest: desiredDigest(doc) };
    }
    this.commit(next);
  }

  protected commit(next: ReplayState): void {
    this.state = next;
  }
}

/** The guard kept in one small JSON file, replaced atomically (write, fsync, rename) on every change. */
export class FileReplayGuard extends MemoryReplayGuard {
  readonly #path: string;

  private constructor(path: string, initial: ReplayState) {
    super(initial);
    this.#path = path;
  }

  /**
   * Opens (or starts) the guard file. A file that cannot be read is refused rather than treated as empty: forgetting
   * what was seen would let every old document be replayed.
   */
  static open(path: string): FileReplayGuard {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new FileReplayGuard(path, emptyState());
      throw new MyoError('MYO_ERR_IO', `cannot read the replay guard ${path}`, { path }, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (error) {
      throw new MyoError('MYO_ERR_IO', `replay guard ${path} is not JSON`, { path }, { cause: error });
    }
    if (!Value.Check(ReplayStateSchema, parsed)) throw new MyoError('MYO_ERR_IO', `replay guard ${path} is malformed`, { path });
    return new FileReplayGuard(path, parsed);
  }

  protected override commit(next: ReplayState): void {
    writeFileAtomically(this.#path, `${JSON.stringify(next)}\n`);
    super.commit(next);
  }
}

function writeFileAtomically(path: string, text: string): void {
  try {
    writeFileAtomic(path, text, 0o600);
  } catch (error) {
    throw new MyoError('MYO_ERR_IO', `cannot write the replay guard ${path}`, { path }, { cause: error });
  }
}
