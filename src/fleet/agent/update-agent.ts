import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { FleetConfig } from '../../core/config/schema.js';
import { MyoError, toMyoError, type ErrorCode } from '../../core/errors.js';
import type { EventBus } from '../../core/event-bus.js';
import type { BusEvents } from '../../core/events.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';
import type { InferenceEngine, PreparedModel } from '../../infer/engine/engine.js';
import { loadModelPackage } from '../../infer/model-loader.js';
import type { ModelStore, StagedModelInfo } from '../../infer/model-store/model-store.js';
import type { TrustedKeys } from '../../infer/package/keys.js';
import { MANIFEST_FILE, parseManifest, verifyPackage } from '../../infer/package/verify.js';
import type { ModelTarget, VerifiedDesired } from '../documents/types.js';
import type { FetchPackageOptions, FetchPackageResult } from '../download/fetch-package.js';
import { assertCompatible } from './compatibility.js';
import { TERMINAL_PHASES, type JournalEntry, type JournalPhase, type UpdateJournal } from './journal.js';
import { ProbationWindow, type ProbationSample } from './probation.js';
import { pauseForTest } from './test-pause.js';
import { validateCandidate } from './validate-candidate.js';

export type FetchPackage = (target: ModelTarget, stagingDir: string, opts: FetchPackageOptions) => Promise<FetchPackageResult>;

/** A job in hand: from a job document for this cart, or made from the group's desired state. */
export interface UpdateRequest {
  readonly jobId: string;
  readonly origin: 'job' | 'desired';
  readonly target: ModelTarget;
}

/** What `jobs/{jobId}/status` carries (JOB_STATES of the contract). */
export type JobReportState = Exclude<JournalPhase, 'committed'> | 'succeeded';

export interface JobReport {
  readonly jobId: string;
  readonly state: JobReportState;
  readonly progress: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** Where the agent's reports go (telemetry in the daemon; a recorder in tests). Must not throw. */
export interface UpdateReporter {
  jobStatus(report: JobReport): void;
  /** The `model_rolled_back` event (model_activated follows from the bus's modelLoaded). */
  rolledBack(reason: string, data: Readonly<Record<string, string | number | boolean | null>>): void;
}

export interface UpdateAgentDeps {
  readonly config: Pick<FleetConfig, 'download' | 'validation' | 'probation' | 'maxBootAttempts' | 'allowHttpLoopback'>;
  /** The p95 budget for the shadow session's latency, in ms (0: not checked). */
  readonly budgetMs: number;
  readonly store: ModelStore;
  readonly journal: UpdateJournal;
  readonly engine: InferenceEngine;
  /** The keys model packages must be signed with (models.trustedKeys, the dev key in demo mode). */
  readonly trust: () => TrustedKeys;
  readonly fetchPackage: FetchPackage;
  /** True while an exam runs (or its result is on screen): models are never swapped then. */
  readonly examRunning: () => boolean;
  /** False when the inference part's health is `failed` (probation watches it). */
  readonly inferenceHealthy: () => boolean;
  /** The package that ships with the installation (`inference.package`): serves when no slot is active. */
  readonly factoryPackageDir: string;
  readonly reporter: UpdateReporter;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** TEST ONLY (test-pause.ts): stop right after the journal names this phase. Null in production. */
  readonly pauseAt?: string | null;
  /** How often waiting and probation look again, in ms (default 250). */
  readonly pollMs?: number;
}

type ResumePoint = 'downloading' | 'waiting' | 'probation';
type ModelPhase = BusEvents['modelStateChanged']['phase'];

interface FactoryInfo {
  readonly manifestSha256: string;
  readonly securityVersion: number;
  readonly version: string;
}

/** Refusals of the package or the document itself: the fleet must fix the package, retrying will not help. */
const REJECTION_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'MYO_ERR_MODEL_SIGNATURE',
  'MYO_ERR_MODEL_KEY_UNKNOWN',
  'MYO_ERR_MODEL_FILE',
  'MYO_ERR_MODEL_MANIFEST_INVALID',
  'MYO_ERR_MODEL_DOWNGRADE',
  'MYO_ERR_MODEL_INPUT_INCOMPATIBLE',
  'MYO_ERR_MODEL_IO_MISMATCH',
  'MYO_ERR_DOWNLOAD_TOO_LARGE',
  'MYO_ERR_DOWNLOAD_PATH',
  'MYO_ERR_DOWNLOAD_HASH',
  'MYO_ERR_DOWNLOAD_INSECURE_URL',
  'MYO_ERR_DOC_MALFORMED',
  'MYO_ERR_DOC_SIGNATURE',
  'MYO_ERR_DOC_UNKNOWN_KEY',
  'MYO_ERR_DOC_EXPIRED',
  'MYO_ERR_DOC_WRONG_DEVICE',
]);

export function isRejection(code: string): boolean {
  return REJECTION_CODES.has(code as ErrorCode);
}

/** Phases in which the display shows the update page (between exams only: displayStateFor keeps exams on top). */
const SHOWN_PHASES: ReadonlySet<JournalPhase> = new Set(['queued', 'downloading', 'verifying', 'staged', 'waiting', 'validating', 'activating']);

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A job id for the group's desired state: one per revision, so each revision is reported on its own topic. */
export function desiredJobId(doc: Pick<VerifiedDesired, 'group' | 'revision'>): string {
  return `${doc.group.slice(0, 40)}-r${doc.revision}`;
}

/**
 * The model-update agent (ARCHITECTURE section 7): queued -> downloading -> verifying -> staged -> waiting ->
 * validating -> activating -> probation -> committed. The journal names each step before it is taken; a failure
 * before activation leaves the old model serving, a failure in probation (or a model that keeps the daemon from
 * booting) rolls back to the previous slot. `recover()` runs at boot before the inference part loads, so the
 * engine always starts on a model the store and the journal agree on.
 */
export class UpdateAgent implements Lifecycle {
  readonly name = 'fleet-agent';
  readonly #deps: UpdateAgentDeps;
  readonly #abort = new AbortController();
  #factory: FactoryInfo | null = null;
  #entry: JournalEntry | null = null;
  #lastTerminal: JournalEntry | null = null;
  #resume: { request: UpdateRequest; at: ResumePoint; bootAttempts: number } | null = null;
  #queued: UpdateRequest | null = null;
  #current: { request: UpdateRequest; phase: JournalPhase; progress: number | null } | null = null;
  #loop: Promise<void> | null = null;
  #started = false;
  #operatorRollback: string | null = null;
  #rollingBack = false;
  #lastStateAt = 0;

  constructor(deps: UpdateAgentDeps) {
    this.#deps = deps;
  }

  // ---- boot -------------------------------------------------------------------------------------------------

  /**
   * Settles the store against the journal before the engine loads anything: resumes a job cut short before its
   * activation, counts a boot of a model still on probation (too many: roll it back), finishes a commit or a rollback
   * that was journaled but not applied, and rolls back an uncommitted slot that no journal vouches for.
   */
  recover(): void {
    const { store, logger, config } = this.#deps;
    this.#factory = this.#readFactory();
    let entry: JournalEntry | null = null;
    try {
      entry = this.#deps.journal.read();
    } catch (error) {
      logger.error({ err: error }, 'update journal unreadable; the store alone decides what boots');
    }
    this.#entry = entry;
    try {
      const waiting = this.#deps.journal.readWaiting();
      if (waiting && waiting.jobId !== entry?.jobId) this.#queued = { jobId: waiting.jobId, origin: waiting.origin, target: waiting.target };
      else if (waiting) this.#keepWaiting(null);
    } catch (error) {
      logger.error({ err: error }, 'waiting job unreadable; dropped');
      this.#keepWaiting(null);
    }
    const snap = store.snapshot();
    if (entry === null || TERMINAL_PHASES.has(entry.phase)) {
      this.#lastTerminal = entry;
      if (!snap.committed) {
        if (entry?.phase === 'committed' && snap.active?.manifestSha256 === entry.target.manifestSha256) {
          store.commit({ allowDowngrade: entry.target.allowDowngrade });
          logger.info({ jobId: entry.jobId }, 'finished a commit cut short by a restart');
        } else {
          const back = store.rollback();
          logger.warn({ now: back?.version ?? 'factory' }, 'rolled back an uncommitted model that no journal vouches for');
        }
      }
      return;
    }
    const request: UpdateRequest = { jobId: entry.jobId, origin: entry.origin, target: entry.target };
    const target = entry.target.manifestSha256;
    const swapped = !snap.committed && snap.active?.manifestSha256 === target;
    if (swapped) {
      const attempts = entry.bootAttempts + 1;
      if (attempts > config.maxBootAttempts) {
        const error = new MyoError('MYO_ERR_UPDATE_CRASH_LOOP', `${entry.target.id} ${entry.target.version} did not survive ${entry.bootAttempts} start(s) on probation`, {
          bootAttempts: entry.bootAttempts,
        });
        this.#lastTerminal = this.#writeJournal(request, 'rolled_back', { bootAttempts: entry.bootAttempts, error });
        const back = store.rollback();
        logger.error({ jobId: entry.jobId, bootAttempts: entry.bootAttempts, now: back?.version ?? 'factory' }, 'update rolled back: crash loop');
        this.#bootReport = { request, error };
        return;
      }
      this.#writeJournal(request, entry.phase, { bootAttempts: attempts });
      this.#resume = { request, at: 'probation', bootAttempts: attempts };
      logger.warn({ jobId: entry.jobId, bootAttempts: attempts, max: config.maxBootAttempts }, 'booting a model still on probation');
      return;
    }
    if (!snap.committed) {
      // An uncommitted slot that is not this job's target: nothing vouches for it.
      store.rollback();
    }
    const candidateReady = snap.candidate?.manifestSha256 === target;
    this.#resume = { request, at: candidateReady && entry.phase !== 'queued' && entry.phase !== 'downloading' && entry.phase !== 'verifying' ? 'waiting' : 'downloading', bootAttempts: 0 };
    logger.info({ jobId: entry.jobId, phase: entry.phase, resumeAt: this.#resume.at }, 'resuming an update cut short by a restart');
  }

  #bootReport: { request: UpdateRequest; error: MyoError } | null = null;

  /** The package the inference part loads at boot: the active slot, or the factory package. */
  bootPackageDir(): string {
    return this.#deps.store.snapshot().active?.dir ?? this.#deps.factoryPackageDir;
  }

  #readFactory(): FactoryInfo | null {
    try {
      const bytes = readFileSync(join(this.#deps.factoryPackageDir, MANIFEST_FILE));
      const manifest = parseManifest(bytes);
      return { manifestSha256: sha256(bytes), securityVersion: manifest.securityVersion, version: manifest.version };
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'factory package manifest unreadable');
      return null;
    }
  }

  async start(): Promise<void> {
    this.#started = true;
    const { store, engine, logger } = this.#deps;
    if (this.#bootReport) {
      const { request, error } = this.#bootReport;
      this.#bootReport = null;
      this.#report(request, 'rolled_back', null, error);
      this.#deps.reporter.rolledBack(error.message, { jobId: request.jobId, code: error.code, version: request.target.version });
      this.#emitState('rolled_back', request, null);
    }
    // The slot's model did not load (its files changed on disk, a provider vanished): go back to what served before.
    const resume = this.#resume;
    if (engine.active() === null && resume?.at === 'probation') {
      // The model on probation did not even load: that is its verdict.
      this.#resume = null;
      const error = new MyoError('MYO_ERR_UPDATE_PROBATION', `${resume.request.target.id} ${resume.request.target.version} did not load at boot`);
      await this.#fail(resume.request, error, { staged: true, activated: true });
    } else if (engine.active() === null && store.snapshot().active !== null) {
      const from = store.snapshot().active;
      try {
        store.rollback();
        await this.#loadServing();
        logger.error({ from: from?.version }, 'active model did not load at boot; rolled back to the previous one');
        this.#deps.reporter.rolledBack('the active model did not load at boot', { version: from?.version ?? null });
        this.#resume = null;
      } catch (error) {
        logger.error({ err: error }, 'active model did not load at boot and there is nothing to roll back to');
      }
    }
    if (!this.#resume) this.#emitState(this.#lastTerminal?.phase === 'rolled_back' ? 'rolled_back' : this.#lastTerminal?.phase === 'committed' ? 'committed' : 'idle', null, null);
    this.#kick();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop?.catch(() => undefined);
  }

  // ---- requests ---------------------------------------------------------------------------------------------

  /** Accepts a job; a job already in hand or queued under the same id is ignored. */
  submit(request: UpdateRequest): 'accepted' | 'duplicate' | 'installed' {
    if (this.#current?.request.jobId === request.jobId || this.#queued?.jobId === request.jobId || this.#resume?.request.jobId === request.jobId) return 'duplicate';
    const snap = this.#deps.store.snapshot();
    if (snap.committed && this.#servingManifestSha256() === request.target.manifestSha256) {
      this.#report(request, 'succeeded', 1, null);
      return 'installed';
    }
    if (this.#queued) {
      this.#report(this.#queued, 'failed', null, new MyoError('MYO_ERR_UPDATE_SUPERSEDED', `job ${this.#queued.jobId} was replaced by ${request.jobId} before it started`));
    }
    this.#queued = request;
    this.#keepWaiting(request);
    // Waiting behind another job: say so now; otherwise the journal's own `queued` step reports it in a moment.
    if (this.#loop || this.#rollingBack) this.#report(request, 'queued', null, null);
    this.#kick();
    return 'accepted';
  }

  /** Turns the group's desired state into a job when it differs from what this cart runs or is already doing. */
  reconcile(doc: VerifiedDesired): 'accepted' | 'duplicate' | 'installed' | 'ignored' {
    const target = doc.target;
    if (target === null) return 'ignored';
    const sha = target.manifestSha256;
    if (this.#current?.request.target.manifestSha256 === sha || this.#queued?.target.manifestSha256 === sha || this.#resume?.request.target.manifestSha256 === sha) return 'duplicate';
    if (this.#servingManifestSha256() === sha) return 'installed';
    const last = this.#lastTerminal;
    if (last && last.target.manifestSha256 === sha && last.phase !== 'committed') {
      // The same package failed here already; trying it again on every retained redelivery would loop.
      this.#deps.logger.info({ jobId: last.jobId, phase: last.phase }, 'desired model already failed on this cart; not retried');
      return 'ignored';
    }
    return this.submit({ jobId: desiredJobId(doc), origin: 'desired', target });
  }

  /** A job MQTT has acknowledged must survive a crash before the journal takes it: kept in the waiting file. */
  #keepWaiting(request: UpdateRequest | null): void {
    try {
      this.#deps.journal.writeWaiting(request);
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'waiting job not kept on disk; a crash now would lose it');
    }
  }

  #servingManifestSha256(): string | null {
    return this.#deps.store.snapshot().active?.manifestSha256 ?? this.#factory?.manifestSha256 ?? null;
  }

  #servingSecurityVersion(): number {
    return this.#deps.store.snapshot().active?.securityVersion ?? this.#factory?.securityVersion ?? 0;
  }

  #kick(): void {
    if (!this.#started || this.#loop || this.#rollingBack || this.#abort.signal.aborted) return;
    if (!this.#resume && !this.#queued) return;
    this.#loop = this.#drain().finally(() => {
      this.#loop = null;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (!this.#abort.signal.aborted && !this.#rollingBack) {
      if (this.#resume) {
        const { request, at, bootAttempts } = this.#resume;
        this.#resume = null;
        await this.#process(request, at, bootAttempts);
        continue;
      }
      const next = this.#queued;
      if (!next) return;
      this.#queued = null;
      // The journal names it (queued) as the first step of #process; only then may the waiting file forget it.
      await this.#process(next, 'downloading', 0, true);
    }
  }

  // ---- the state machine ------------------------------------------------------------------------------------

  async #process(request: UpdateRequest, at: ResumePoint, bootAttempts: number, fresh = false): Promise<void> {
    const { store, logger } = this.#deps;
    const signal = this.#abort.signal;
    let staged = at !== 'downloading';
    let activated = at === 'probation';
    try {
      if (at === 'downloading') {
        if (fresh) await this.#enter(request, 'queued');
        const stagingDir = await this.#download(request);
        const info = await this.#verify(request, stagingDir);
        await this.#enter(request, 'staged');
        store.stage(stagingDir, info);
        staged = true;
      }
      if (!activated) {
        const model = await this.#waitAndValidate(request);
        await this.#enter(request, 'activating', { bootAttempts: 1 });
        try {
          store.activate();
          activated = true;
          await this.#deps.engine.activate(model);
        } catch (error) {
          await this.#deps.engine.discard(model).catch(() => undefined);
          throw error;
        }
        this.#announceLoaded(model);
        bootAttempts = 1;
      }
      await this.#probation(request, bootAttempts);
      await this.#enter(request, 'committed', { bootAttempts });
      store.commit({ allowDowngrade: request.target.allowDowngrade });
      store.clearStaging();
      this.#lastTerminal = this.#entry;
      this.#current = null;
      logger.info({ jobId: request.jobId, version: request.target.version }, `update ${request.jobId} committed: ${request.target.id} ${request.target.version}`);
    } catch (error) {
      if (signal.aborted) return;
      await this.#fail(request, toMyoError(error), { staged, activated });
    }
  }

  async #download(request: UpdateRequest): Promise<string> {
    const { store, config } = this.#deps;
    await this.#enter(request, 'downloading', { progress: 0 });
    const stagingDir = store.stagingDir(request.target.manifestSha256.slice(0, 32));
    const result = await this.#deps.fetchPackage(request.target, stagingDir, {
      signal: this.#abort.signal,
      maxBytes: config.download.maxBytes,
      timeoutMs: config.download.timeoutMs,
      allowHttpLoopback: config.allowHttpLoopback,
      attempts: config.download.attempts,
      onProgress: (bytes, total) => this.#progress(request, total > 0 ? bytes / total : null),
    });
    this.#deps.logger.info({ jobId: request.jobId, bytes: result.bytes, resumedBytes: result.resumedBytes }, 'package downloaded');
    return stagingDir;
  }

  /** Signature and hashes, the document's promise, anti-rollback and fit with this daemon. */
  async #verify(request: UpdateRequest, dir: string): Promise<StagedModelInfo> {
    await this.#enter(request, 'verifying');
    const pkg = await verifyPackage(dir, this.#deps.trust());
    const { manifest } = pkg;
    const t = request.target;
    if (sha256(pkg.manifestBytes) !== t.manifestSha256 || manifest.id !== t.id || manifest.version !== t.version || manifest.securityVersion !== t.securityVersion) {
      throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', `the package is ${manifest.id} ${manifest.version} (security ${manifest.securityVersion}); the document names ${t.id} ${t.version} (security ${t.securityVersion})`);
    }
    const floor = Math.max(this.#deps.store.snapshot().securityFloor, this.#servingSecurityVersion());
    if (manifest.securityVersion < floor && !t.allowDowngrade) {
      throw new MyoError('MYO_ERR_MODEL_DOWNGRADE', `${manifest.id} ${manifest.version} has security version ${manifest.securityVersion}, lower than ${floor} here`, {
        securityVersion: manifest.securityVersion,
        floor,
      });
    }
    assertCompatible(manifest);
    const modelSha = manifest.files[manifest.model]?.sha256 ?? '';
    return { id: manifest.id, version: manifest.version, securityVersion: manifest.securityVersion, sha256: modelSha, manifestSha256: t.manifestSha256 };
  }

  async #waitAndValidate(request: UpdateRequest): Promise<PreparedModel> {
    const candidate = this.#deps.store.snapshot().candidate;
    if (!candidate || candidate.manifestSha256 !== request.target.manifestSha256) throw new MyoError('MYO_ERR_MODEL_STORE', 'the staged candidate is gone');
    await this.#enter(request, 'waiting');
    await this.#waitForNoExam();
    await this.#enter(request, 'validating', { progress: 0 });
    const { config, engine, budgetMs, logger } = this.#deps;
    const validated = await validateCandidate(candidate.dir, {
      engine,
      trust: this.#deps.trust(),
      runs: config.validation.latencyRuns,
      budgetMs,
      signal: this.#abort.signal,
      onProgress: (fraction) => this.#progress(request, fraction),
    });
    logger.info(
      { jobId: request.jobId, p95Ms: Math.round(validated.p95Ms * 100) / 100, budgetMs, golden: validated.golden.cases, provider: validated.model.provider },
      'candidate validated on this device',
    );
    try {
      // An exam may have started while the shadow session was checked: the swap still waits for it to end.
      await this.#waitForNoExam();
    } catch (error) {
      await engine.discard(validated.model).catch(() => undefined);
      throw error;
    }
    return validated.model;
  }

  async #waitForNoExam(): Promise<void> {
    while (this.#deps.examRunning()) await this.#sleep(this.#deps.pollMs ?? 250);
  }

  async #probation(request: UpdateRequest, bootAttempts: number): Promise<void> {
    await this.#enter(request, 'probation', { bootAttempts, progress: 0 });
    const { config } = this.#deps;
    const window = new ProbationWindow(this.#sample(), config.probation);
    for (;;) {
      if (this.#operatorRollback !== null) throw new MyoError('MYO_ERR_UPDATE_PROBATION', `operator rollback: ${this.#operatorRollback}`);
      const sample = this.#sample();
      const verdict = window.judge(sample);
      if (verdict.verdict === 'failed') throw new MyoError('MYO_ERR_UPDATE_PROBATION', verdict.reason);
      if (verdict.verdict === 'passed') {
        this.#deps.logger.info({ jobId: request.jobId, reason: verdict.reason }, 'probation passed');
        return;
      }
      this.#progress(request, window.progress(sample));
      await this.#sleep(this.#deps.pollMs ?? 250);
    }
  }

  #sample(): ProbationSample {
    const stats = this.#deps.engine.stats();
    return { at: this.#deps.clock.now(), runs: stats.runs, failures: stats.failures, restarts: stats.restarts, healthy: this.#deps.inferenceHealthy() };
  }

  async #fail(request: UpdateRequest, error: MyoError, how: { staged: boolean; activated: boolean }): Promise<void> {
    const { store, logger } = this.#deps;
    try {
      if (how.activated) {
        await this.#enter(request, 'rolled_back', { error });
        store.rollback();
        await this.#loadServing();
        this.#emitState('rolled_back', null, null);
        this.#deps.reporter.rolledBack(error.message, { jobId: request.jobId, code: error.code, version: request.target.version });
        logger.error({ jobId: request.jobId, code: error.code, err: error }, `update ${request.jobId} rolled back: ${error.message}`);
      } else {
        const phase = isRejection(error.code) ? 'rejected' : 'failed';
        await this.#enter(request, phase, { error, modelPhase: how.staged ? 'rolled_back' : 'idle' });
        if (how.staged) store.discardCandidate();
        if (phase === 'rejected') store.clearStaging();
        logger.error({ jobId: request.jobId, code: error.code, err: error }, `update ${request.jobId} ${phase}: ${error.message}`);
      }
    } catch (failure) {
      logger.error({ err: failure, jobId: request.jobId }, 'update could not be wound back cleanly');
    } finally {
      this.#lastTerminal = this.#entry;
      this.#current = null;
      this.#operatorRollback = null;
    }
  }

  /** Loads what the store says serves now (after a rollback) through the full gate, and swaps it in. */
  async #loadServing(): Promise<void> {
    const dir = this.bootPackageDir();
    const loaded = await loadModelPackage(dir, { engine: this.#deps.engine, trust: this.#deps.trust() });
    this.#announceLoaded(loaded.model);
  }

  #announceLoaded(model: PreparedModel): void {
    this.#deps.bus.emit('modelLoaded', { id: model.id, version: model.version, sha256: model.sha256, provider: model.provider, loadMs: model.loadMs, at: this.#deps.clock.now() });
  }

  // ---- operator rollback ------------------------------------------------------------------------------------

  /**
   * The `model/rollback` command: back to the model that served before (or `toVersion`, when that is the one kept).
   * A model on probation is failed and rolled back; otherwise the previous one is loaded through the full gate,
   * the swap waits for the running exam to end, and it is refused below the security floor.
   */
  async rollback(args: { reason?: string; toVersion?: string }): Promise<{ active: { id: string; version: string } | null; from: string | null }> {
    const reason = args.reason ?? 'operator rollback';
    const { store, engine, logger } = this.#deps;
    if (this.#current?.phase === 'probation' && this.#loop) {
      this.#operatorRollback = reason;
      await this.#loop;
      const m = engine.active();
      return { active: m ? { id: m.id, version: m.version } : null, from: this.#lastTerminal?.target.version ?? null };
    }
    if (this.#current || this.#rollingBack) throw new MyoError('MYO_ERR_COMMAND_BUSY', `an update is in progress (${this.#current?.phase ?? 'rollback'}); try again when it ends`);
    const snap = store.snapshot();
    const previous = snap.previous;
    if (previous === null) throw new MyoError('MYO_ERR_ROLLBACK_UNAVAILABLE', 'no previous model is kept on this device');
    const prev = previous === 'factory' ? this.#factory : previous;
    if (!prev) throw new MyoError('MYO_ERR_ROLLBACK_UNAVAILABLE', 'the factory package cannot be read');
    if (args.toVersion !== undefined && args.toVersion !== prev.version) {
      throw new MyoError('MYO_ERR_ROLLBACK_UNAVAILABLE', `version ${args.toVersion} is not kept on this device (the previous one is ${prev.version})`);
    }
    if (prev.securityVersion < snap.securityFloor) {
      throw new MyoError('MYO_ERR_MODEL_DOWNGRADE', `the previous model ${prev.version} has security version ${prev.securityVersion}, below ${snap.securityFloor} here`);
    }
    this.#rollingBack = true;
    try {
      const dir = previous === 'factory' ? this.#deps.factoryPackageDir : previous.dir;
      const loaded = await loadModelPackage(dir, { engine, trust: this.#deps.trust(), activate: false });
      try {
        await this.#waitForNoExam();
        const from = snap.active?.version ?? null;
        store.rollback();
        await engine.activate(loaded.model);
        this.#announceLoaded(loaded.model);
        this.#deps.reporter.rolledBack(reason, { from, to: prev.version, operator: true });
        this.#emitState('rolled_back', null, null);
        logger.warn({ from, to: prev.version, reason }, 'operator rolled the model back');
        return { active: { id: loaded.model.id, version: loaded.model.version }, from };
      } catch (error) {
        await engine.discard(loaded.model).catch(() => undefined);
        throw error;
      }
    } finally {
      this.#rollingBack = false;
      this.#kick();
    }
  }

  // ---- journal, reports, state ------------------------------------------------------------------------------

  #writeJournal(request: UpdateRequest, phase: JournalPhase, extra: { bootAttempts?: number; error?: MyoError | null } = {}): JournalEntry {
    const entry: JournalEntry = {
      v: 1,
      jobId: request.jobId,
      origin: request.origin,
      target: { ...request.target },
      phase,
      bootAttempts: extra.bootAttempts ?? 0,
      error: extra.error ? { code: extra.error.code, message: extra.error.message.slice(0, 1000) } : null,
      updatedAt: new Date(this.#deps.clock.wallNow()).toISOString(),
    };
    this.#deps.journal.write(entry);
    this.#entry = entry;
    return entry;
  }

  /** One transition: journal first (durable), then the test hook, the log line, the report and the bus. */
  async #enter(
    request: UpdateRequest,
    phase: JournalPhase,
    extra: { bootAttempts?: number; error?: MyoError; progress?: number; modelPhase?: ModelPhase } = {},
  ): Promise<void> {
    this.#writeJournal(request, phase, extra);
    // The journal holds the job now; the waiting file may forget it (unless another job arrived meanwhile).
    if (phase === 'queued' && this.#queued === null) this.#keepWaiting(null);
    const progress = extra.progress ?? null;
    this.#current = TERMINAL_PHASES.has(phase) ? null : { request, phase, progress };
    this.#deps.logger.info({ jobId: request.jobId, phase, version: request.target.version, ...(extra.error ? { code: extra.error.code } : {}) }, `update ${request.jobId}: ${phase}`);
    this.#report(request, phase === 'committed' ? 'succeeded' : phase, phase === 'committed' ? 1 : progress, extra.error ?? null);
    this.#emitState(extra.modelPhase ?? (phase === 'failed' || phase === 'rejected' ? 'idle' : phase), request, progress, { candidate: !TERMINAL_PHASES.has(phase) });
    await pauseForTest(this.#deps.pauseAt ?? null, phase, this.#deps.logger, this.#abort.signal);
  }

  #report(request: UpdateRequest, state: JobReportState, progress: number | null, error: MyoError | null): void {
    try {
      this.#deps.reporter.jobStatus({ jobId: request.jobId, state, progress, error: error ? { code: error.code, message: error.message.slice(0, 1000) } : null });
    } catch (failure) {
      this.#deps.logger.error({ err: failure, jobId: request.jobId }, 'job status could not be reported');
    }
  }

  /** Progress within the current phase: the bus at most every 250 ms, the job topic at every tenth. */
  #progress(request: UpdateRequest, fraction: number | null): void {
    const current = this.#current;
    if (!current || current.request.jobId !== request.jobId) return;
    const value = fraction === null ? null : Math.max(0, Math.min(1, fraction));
    const before = current.progress;
    current.progress = value;
    const now = this.#deps.clock.now();
    if (value !== null && (before === null || Math.floor(value * 10) !== Math.floor(before * 10))) this.#report(request, current.phase as JobReportState, value, null);
    if (now - this.#lastStateAt >= 250 || value === 1) this.#emitState(current.phase as ModelPhase, request, value);
  }

  /** model/state on the bus; after a job ends its id stays (so the fleet sees which job left the cart as it is). */
  #emitState(phase: ModelPhase, request: UpdateRequest | null, progress: number | null, options: { candidate?: boolean } = {}): void {
    this.#lastStateAt = this.#deps.clock.now();
    const m = this.#deps.engine.active();
    const candidate = this.#deps.store.snapshot().candidate;
    const t = (options.candidate ?? true) ? (request?.target ?? null) : null;
    this.#deps.bus.emit('modelStateChanged', {
      installed: m ? { id: m.id, version: m.version, sha256: m.sha256, securityVersion: m.manifest.securityVersion } : null,
      candidate: t
        ? { id: t.id, version: t.version, sha256: candidate?.manifestSha256 === t.manifestSha256 ? candidate.sha256 : t.manifestSha256, securityVersion: t.securityVersion }
        : null,
      phase,
      progress,
      jobId: request?.jobId ?? null,
      at: this.#deps.clock.now(),
    });
  }

  /** For the display's update page: null when no update step is worth showing. */
  updateProgress(): { version: string; step: string; percent: number } | null {
    const current = this.#current;
    if (!current || !SHOWN_PHASES.has(current.phase)) return null;
    return { version: current.request.target.version, step: current.phase, percent: Math.round((current.progress ?? 0) * 100) };
  }

  /** The job in hand and its phase, for status and tests. */
  status(): { jobId: string; phase: JournalPhase; progress: number | null } | null {
    const c = this.#current;
    return c ? { jobId: c.request.jobId, phase: c.phase, progress: c.progress } : null;
  }

  /** Resolves when no job is in hand or queued (tests). */
  async idle(): Promise<void> {
    while (this.#loop) await this.#loop;
  }

  async #sleep(ms: number): Promise<void> {
    const signal = this.#abort.signal;
    if (signal.aborted) throw new MyoError('MYO_ERR_ABORTED', 'update agent stopping');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
    if (this.#stopping()) throw new MyoError('MYO_ERR_ABORTED', 'update agent stopping');
  }

  #stopping(): boolean {
    return this.#abort.signal.aborted;
  }
}
