/** Crockford's base32 alphabet: digits and upper-case letters without I, L, O and U, so ids read aloud unambiguously. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Encodes bytes as one big-endian number in Crockford base32, left-padded with zeros to the length that holds every
 * bit (16 bytes = 128 bits -> 26 characters, the top two bits always zero, as in ULID).
 */
export function encodeCrockfordBase32(bytes: Uint8Array): string {
  const length = Math.ceil((bytes.length * 8) / 5);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let text = '';
  for (let index = 0; index < length; index += 1) {
    text = ALPHABET.charAt(Number(value & 31n)) + text;
    value >>= 5n;
  }
  return text;
}
