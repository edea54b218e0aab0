import { randomBytes } from 'node:crypto';
import { encodeCrockfordBase32 } from '../../records/crockford-base32.js';

const TIME_BYTES = 6;
const RANDOM_BYTES = 10;
const RANDOM_LIMIT = 1n << BigInt(RANDOM_BYTES * 8);

export interface MessageIdSources {
  /** Wall-clock epoch ms (default Date.now). */
  readonly now?: (() => number) | undefined;
  /** Random bytes (default crypto.randomBytes). */
  readonly random?: ((size: number) => Uint8Array) | undefined;
}

/**
 * Makes message ids in the ULID layout: 48 bits of epoch ms then 80 random bits, 26 Crockford base32 characters, so
 * they sort by creation time as text. Within one millisecond (or if the wall clock steps back) the random part of
 * the previous id is incremented instead of drawn again, so ids from one generator also sort in creation order.
 * Uniqueness across devices comes from the 80 random bits; nothing else about the cart is in the id.
 */
export function createMessageIdGenerator(sources: MessageIdSources = {}): () => string {
  const now = sources.now ?? Date.now;
  const random = sources.random ?? randomBytes;
  let lastTime = -1;
  let lastRandom = 0n;
  return () => {
    const time = Math.max(0, Math.floor(now()));
    if (time > lastTime) {
      lastTime = time;
      lastRandom = toBigInt(random(RANDOM_BYTES));
    } else {
      lastRandom += 1n;
      // 2^80 ids in one millisecond cannot happen; wrapping would break the order, so move the time on instead.
      if (lastRandom >= RANDOM_LIMIT) {
        lastTime += 1;
        lastRandom = 0n;
      }
    }
    const value = (BigInt(lastTime) << BigInt(RANDOM_BYTES * 8)) | lastRandom;
    return encodeCrockfordBase32(toBytes(value, TIME_BYTES + RANDOM_BYTES));
  };
}

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function toBytes(value: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let rest = value;
  for (let index = length - 1; index >= 0; index -= 1) {
    bytes[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}
