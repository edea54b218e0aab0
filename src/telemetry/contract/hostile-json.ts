/**
 * JSON from the network, read defensively: every check runs before the next, cheaper ones first, so a hostile
 * payload costs at most one linear scan of 64 KiB. Nothing here throws; a failure is a readable reason.
 */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
export const MAX_JSON_DEPTH = 16;
/** Keys that reach into prototypes when a consumer later merges or spreads the object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonReadResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

export function readUntrustedJson(bytes: Uint8Array): JsonReadResult {
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload is ${bytes.byteLength} bytes, over ${MAX_PAYLOAD_BYTES}` };
  let text: string;
  try {
    // `fatal`: a broken sequence is refused rather than turned into U+FFFD and passed on.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'payload is not valid UTF-8' };
  }
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) return { ok: false, reason: `payload nests deeper than ${MAX_JSON_DEPTH} levels` };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  const key = findForbiddenKey(value, 0);
  if (key !== null) return { ok: false, reason: `payload contains the forbidden key ${JSON.stringify(key)}` };
  return { ok: true, value };
}

/** The deepest bracket nesting outside strings, found without parsing, so JSON.parse never sees a deep payload. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > MAX_JSON_DEPTH) return deepest;
    } else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  return deepest;
}

/** Depth is already bounded by nestingDepth, so the recursion is too. */
function findForbiddenKey(value: unknown, depth: number): string | null {
  if (typeof value !== 'object' || value === null || depth > MAX_JSON_DEPTH) return null;
  if (!Array.isArray(value)) {
    for (const key of Object.keys(value)) if (FORBIDDEN_KEYS.has(key)) return key;
  }
  for (const child of Object.values(value)) {
    const found = findForbiddenKey(child, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
