/** One gray 8-bit image as a parser hands it out: tightly packed (stride == width), before it gets a seq and stamp. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** An incremental parser of a byte stream of frames: push chunks as they arrive, get whole frames back. */
export interface FrameStreamParser {
  /** Consumes `chunk` (split anywhere) and returns the frames it completed, oldest first. */
  push(chunk: Uint8Array): GrayImage[];
  /** Bytes of a frame (or header line) begun but not completed. */
  readonly pendingBytes: number;
}

/** Printable excerpt of raw bytes for error messages (a malformed stream may be binary). */
export function describeBytes(bytes: Uint8Array, max = 40): string {
  let text = '';
  for (const byte of bytes.subarray(0, max)) {
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${text}...` : text;
}
