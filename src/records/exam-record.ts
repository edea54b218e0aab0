import { randomBytes } from 'node:crypto';
import { Type, type Static, type TLiteral } from '@sinclair/typebox';
import type { Decision, ExamEndCause, ExamStartCause, InconclusiveReason, RejectReason } from '../screening/types.js';
import { encodeCrockfordBase32 } from './crockford-base32.js';

/**
 * What stays of one exam: when it ran, what ended it, how many frames the quality gate let through, and the
 * decision with the model that made it. No patient data, no device name: a record can leave the cart as it is.
 */
export interface ExamRecord {
  /** Opaque: `ex_` and 26 Crockford base32 characters of 16 random bytes (see newExamId). */
  readonly id: string;
  /** ISO 8601 wall time in UTC with milliseconds, as `Date.prototype.toISOString()` writes it. */
  readonly startedAt: string;
  readonly endedAt: string;
  /** Monotonic duration; may differ from endedAt - startedAt when the wall clock was set during the exam. */
  readonly durationMs: number;
  readonly startedBy: ExamStartCause;
  readonly endedBy: ExamEndCause;
  readonly frames: {
    readonly seen: number;
    readonly inferred: number;
    readonly usable: number;
    readonly rejected: Readonly<Record<RejectReason, number>>;
  };
  /** The aggregated probability of invasion, or null when too little was scored to give one. */
  readonly score: number | null;
  readonly decision: Decision;
  /** Why the exam is inconclusive; null exactly when the decision is not 'inconclusive'. */
  readonly reason: InconclusiveReason | null;
  /** One human-readable sentence on how the decision came about. */
  readonly detail: string;
  /** The operating point the score was compared against. */
  readonly threshold: number;
  readonly model: { readonly id: string; readonly version: string; readonly sha256: string };
  /** The execution provider that ran the model (cpu, cuda, ...). */
  readonly provider: string;
  readonly daemonVersion: string;
}

export const DECISIONS = ['refer', 'no_invasion', 'inconclusive'] as const satisfies readonly Decision[];
const START_CAUSES = ['auto', 'operator'] as const satisfies readonly ExamStartCause[];
const END_CAUSES = ['operator', 'idle_timeout', 'signal_lost', 'shutdown'] as const satisfies readonly ExamEndCause[];
const INCONCLUSIVE_REASONS = [
  'signal_lost',
  'too_few_usable_frames',
  'poor_image_quality',
  'out_of_distribution',
  'interrupted',
] as const satisfies readonly InconclusiveReason[];

const ID_PREFIX = 'ex_';
/** 16 bytes need 26 base32 characters; the top two of the 130 bits are zero, so the first one is 0-7. */
export const EXAM_ID_PATTERN = '^ex_[0-7][0-9A-HJKMNP-TV-Z]{25}$';

/**
 * A new random exam id. Nothing in it says when or where the exam ran: ids end up in logs, URLs and fleet
 * reports, and an id that embedded a time or a device would leak more than the record it names.
 */
export function newExamId(): string {
  return ID_PREFIX + encodeCrockfordBase32(randomBytes(16));
}

/** Exactly what toISOString() writes (always UTC, always milliseconds), so the text sorts in time order. */
export const WALL_TIME_PATTERN = '^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][.][0-9]{3}Z$';

const WallTime = Type.String({ pattern: WALL_TIME_PATTERN });
const Count = Type.Integer({ minimum: 0 });
const Probability = Type.Number({ minimum: 0, maximum: 1 });
const ShortText = Type.String({ minLength: 1, maxLength: 128 });

function literals<const T extends readonly string[]>(values: T): { -readonly [K in keyof T]: TLiteral<T[K]> } {
  return values.map((value) => Type.Literal(value)) as { -readonly [K in keyof T]: TLiteral<T[K]> };
}

export const ExamRecordSchema = Type.Object(
  {
    id: Type.String({ pattern: EXAM_ID_PATTERN }),
    startedAt: WallTime,
    endedAt: WallTime,
    durationMs: Type.Number({ minimum: 0 }),
    startedBy: Type.Union(literals(START_CAUSES)),
    endedBy: Type.Union(literals(END_CAUSES)),
    frames: Type.Object(
      {
        seen: Count,
        inferred: Count,
        usable: Count,
        rejected: Type.Object(
          {
            signal_not_live: Count,
            roi_unsettled: Count,
            no_tissue: Count,
            saturated: Count,
            not_ultrasound: Count,
            out_of_distribution: Count,
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    score: Type.Union([Probability, Type.Null()]),
    decision: Type.Union(literals(DECISIONS)),
    reason: Type.Union([...literals(INCONCLUSIVE_REASONS), Type.Null()]),
    detail: Type.String({ maxLength: 2000 }),
    threshold: Probability,
    model: Type.Object(
      { id: ShortText, version: ShortText, sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
      { additionalProperties: false },
    ),
    provider: ShortText,
    daemonVersion: ShortText,
  },
  { additionalProperties: false },
);

/*
 * The schema spells the words out because TypeBox needs literal values, while screening/types.ts owns them. These
 * checks stop the build the moment the two drift apart (a new reject reason, a renamed decision, a missing cause).
 */
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _SchemaMatchesExamRecord = Assert<MutuallyAssignable<Static<typeof ExamRecordSchema>, ExamRecord>>;
type _ListsAreComplete = Assert<
  MutuallyAssignable<
    [(typeof DECISIONS)[number], (typeof START_CAUSES)[number], (typeof END_CAUSES)[number], (typeof INCONCLUSIVE_REASONS)[number]],
    [Decision, ExamStartCause, ExamEndCause, InconclusiveReason]
  >
>;
