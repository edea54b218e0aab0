/**
 * What the API asks the daemon about its own state. The API never reaches into parts directly: the composition root
 * hands it this narrow view, and tests hand it a fake.
 */
export type CheckStatus = 'ok' | 'degraded' | 'failed';

export interface HealthCheck {
  readonly status: CheckStatus;
  readonly reason: string;
  /** Whether this check gates readiness; parts that only degrade (display, MQTT) do not. */
  readonly critical: boolean;
}

export interface HealthView {
  /** Checks by part name (capture, ...). */
  checks(): Readonly<Record<string, HealthCheck>>;
}

export function isReady(checks: Readonly<Record<string, HealthCheck>>): boolean {
  return Object.values(checks).every((check) => !check.critical || check.status !== 'failed');
}
