import { Value } from '@sinclair/typebox/value';
import { MyoError } from '../../core/errors.js';
import type { TrustedKeys } from '../../infer/package/keys.js';
import { DesiredPayloadSchema, JobPayloadSchema } from '../../telemetry/contract/job-payloads.js';
import type { ReplayGuard } from './replay-guard.js';
import { openSignedDocument, schemaProblem } from './signed-document.js';
import type { ModelTarget, VerifiedDesired, VerifiedJob } from './types.js';

export interface JobReadContext {
  readonly trusted: TrustedKeys;
  readonly now: Date;
  readonly deviceId: string;
  readonly replay: ReplayGuard;
  /** The `{jobId}` level of the topic it came on; when given, the signed job id must be the same. */
  readonly topicJobId?: string;
}

export interface DesiredReadContext {
  readonly trusted: TrustedKeys;
  readonly now: Date;
  readonly group: string;
  readonly replay: ReplayGuard;
}

function checkTimes(issuedAt: string, expiresAt: string | null, now: Date, what: string): void {
  if (expiresAt === null) return;
  if (expiresAt <= issuedAt) throw new MyoError('MYO_ERR_DOC_MALFORMED', `${what} expires (${expiresAt}) before it was issued (${issuedAt})`);
  if (Date.parse(expiresAt) <= now.getTime()) {
    throw new MyoError('MYO_ERR_DOC_EXPIRED', `${what} expired at ${expiresAt}`, { expiresAt, now: now.toISOString() });
  }
}

function targetOf(target: ModelTarget): ModelTarget {
  return Object.freeze({ ...target });
}

/**
 * Reads a job document from `jobs/{jobId}`: signature by a trusted key, payload schema, addressed to this cart, not
 * expired, not seen before. Throws MyoError MYO_ERR_DOC_* (MALFORMED, UNKNOWN_KEY, SIGNATURE, WRONG_DEVICE, EXPIRED,
 * REPLAYED). It does not `remember` the job: the agent does once it has accepted it.
 */
export function readJobDocument(bytes: Buffer, ctx: JobReadContext): VerifiedJob {
  const { value, keyId } = openSignedDocument(bytes, ctx.trusted, 'job document');
  if (!Value.Check(JobPayloadSchema, value)) {
    throw new MyoError('MYO_ERR_DOC_MALFORMED', `job document payload: ${schemaProblem(Value.Errors(JobPayloadSchema, value))}`);
  }
  if (ctx.topicJobId !== undefined && ctx.topicJobId !== value.jobId) {
    throw new MyoError('MYO_ERR_DOC_MALFORMED', `job ${value.jobId} arrived on the topic of job ${ctx.topicJobId}`, { jobId: value.jobId });
  }
  if (value.deviceId !== ctx.deviceId) {
    throw new MyoError('MYO_ERR_DOC_WRONG_DEVICE', `job ${value.jobId} is for ${value.deviceId}, not ${ctx.deviceId}`, { jobId: value.jobId, deviceId: value.deviceId });
  }
  checkTimes(value.issuedAt, value.expiresAt, ctx.now, `job ${value.jobId}`);
  const job: VerifiedJob = Object.freeze({
    kind: 'job',
    jobId: value.jobId,
    deviceId: value.deviceId,
    target: targetOf(value.target),
    issuedAt: value.issuedAt,
    expiresAt: value.expiresAt,
    keyId,
  });
  ctx.replay.check(job);
  return job;
}

/**
 * Reads the retained desired state of `groups/{group}/desired`: signature, schema, this cart's group, not expired,
 * revision not lower than the one remembered (the same revision again is fine when the content is the same).
 */
export function readDesiredDocument(bytes: Buffer, ctx: DesiredReadContext): VerifiedDesired {
  const { value, keyId } = openSignedDocument(bytes, ctx.trusted, 'desired state');
  if (!Value.Check(DesiredPayloadSchema, value)) {
    throw new MyoError('MYO_ERR_DOC_MALFORMED', `desired state payload: ${schemaProblem(Value.Errors(DesiredPayloadSchema, value))}`);
  }
  if (value.group !== ctx.group) {
    throw new MyoError('MYO_ERR_DOC_WRONG_DEVICE', `desired state is for group ${value.group}, this cart is in ${ctx.group}`, { group: value.group });
  }
  checkTimes(value.issuedAt, value.expiresAt, ctx.now, `desired state of ${value.group} revision ${value.revision}`);
  const desired: VerifiedDesired = Object.freeze({
    kind: 'desired',
    group: value.group,
    revision: value.revision,
    target: value.target === null ? null : targetOf(value.target),
    issuedAt: value.issuedAt,
    expiresAt: value.expiresAt,
    keyId,
  });
  ctx.replay.check(desired);
  return desired;
}
