/**
 * The frame contract shared by capture, inference and screening. Gray 8-bit, tightly packed (stride == width).
 * `seq` increases by one per frame the source produced; a gap seen downstream is a drop.
 */
export interface Frame {
  readonly seq: number;
  /** Monotonic milliseconds (Clock.now()) when the frame was read from the source. */
  readonly capturedAt: number;
  readonly width: number;
  readonly height: number;
  readonly format: 'gray8';
  readonly data: Uint8Array;
}

/** A rectangle in frame pixel coordinates (x, y of the top-left corner). */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Signal states a source can be in. `ok` means live, changing ultrasound content is arriving. */
export type SignalState = 'ok' | 'no_signal' | 'frozen' | 'blank' | 'disconnected';
