/**
 * Reads `signal.aborted` afresh. TypeScript narrows the property after a `while (!signal.aborted)` check and does
 * not see that an await in between may have flipped it.
 */
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
