/** Number formats for reasons a technician reads: stable, short, and in the units the thresholds use. */

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (Math.abs(mib) >= 1024) return `${(mib / 1024).toFixed(1)} GiB`;
  return `${mib.toFixed(0)} MiB`;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

export function formatCelsius(celsius: number): string {
  return `${celsius.toFixed(1)} C`;
}

export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

export function formatMhz(khz: number): string {
  return `${Math.round(khz / 1000)} MHz`;
}
