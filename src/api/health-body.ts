import { isReady, type CheckStatus, type HealthCheck } from './health.js';

/** The verbose health document: `/healthz` and the MQTT `health` message carry the same shape. */
export interface HealthBody {
  readonly status: CheckStatus;
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, HealthCheck>>;
}

/** Longest reason kept, so one runaway message cannot bloat a health document. */
export const MAX_REASON_LENGTH = 500;

/**
 * Overall status is the worst check (failed > degraded > ok); ready follows the critical checks only. Pure, so the
 * API and telemetry build the same body from the same checks.
 */
export function healthBody(checks: Readonly<Record<string, HealthCheck>>): HealthBody {
  const out: Record<string, HealthCheck> = {};
  let status: CheckStatus = 'ok';
  for (const [part, check] of Object.entries(checks)) {
    out[part] = { status: check.status, reason: check.reason.slice(0, MAX_REASON_LENGTH), critical: check.critical };
    if (check.status === 'failed') status = 'failed';
    else if (check.status === 'degraded' && status === 'ok') status = 'degraded';
  }
  return { status, ready: isReady(checks), checks: out };
}
