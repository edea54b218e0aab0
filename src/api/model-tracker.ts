import type { Static } from '@sinclair/typebox';
import type { BusEvents } from '../core/events.js';
import type { ApiView } from './api-view.js';
import type { ModelSchema } from './schemas.js';
import { modelInfo } from './status-body.js';

export type ModelBody = Static<typeof ModelSchema>;
type HistoryEntry = ModelBody['history'][number];
type ModelState = BusEvents['modelStateChanged'];

const MAX_HISTORY = 50;

/**
 * Follows the model on the bus for `/api/v1/model`: loads and the update agent's phases since start (the fleet keeps
 * the durable history; this is what a technician at the cart wants to see now). Bounded.
 */
export class ModelTracker {
  readonly #view: Pick<ApiView, 'bus' | 'model' | 'modelError'>;
  readonly #history: HistoryEntry[] = [];
  #state: ModelState | null = null;
  #off: (() => void)[] = [];

  constructor(view: Pick<ApiView, 'bus' | 'model' | 'modelError'>) {
    this.#view = view;
  }

  start(): void {
    if (this.#off.length > 0) return;
    const current = this.#view.model();
    if (current) this.#push({ at: new Date().toISOString(), event: 'loaded', model: { id: current.id, version: current.version, sha256: current.sha256 }, detail: `serving on ${current.provider}` });
    this.#off.push(
      this.#view.bus.on('modelLoaded', (e) =>
        this.#push({ at: new Date().toISOString(), event: 'loaded', model: { id: e.id, version: e.version, sha256: e.sha256 }, detail: `loaded on ${e.provider} in ${Math.round(e.loadMs)} ms` }),
      ),
      this.#view.bus.on('modelStateChanged', (e) => {
        const changed = this.#state?.phase !== e.phase;
        this.#state = e;
        if (!changed) return;
        const model = e.candidate ?? e.installed;
        this.#push({
          at: new Date().toISOString(),
          event: e.phase,
          model: model ? { id: model.id, version: model.version, sha256: model.sha256 } : null,
          detail: e.jobId ? `job ${e.jobId}` : '',
        });
      }),
    );
  }

  stop(): void {
    for (const off of this.#off) off();
    this.#off = [];
  }

  #push(entry: HistoryEntry): void {
    this.#history.push(entry);
    if (this.#history.length > MAX_HISTORY) this.#history.shift();
  }

  body(): ModelBody {
    const state = this.#state;
    const candidate = state?.candidate ?? null;
    return {
      active: modelInfo(this.#view.model()),
      error: this.#view.modelError(),
      candidate: candidate ? { id: candidate.id, version: candidate.version, sha256: candidate.sha256 } : null,
      update: { phase: state?.phase ?? 'idle', progress: state?.progress ?? null, jobId: state?.jobId ?? null },
      history: [...this.#history],
    };
  }
}
