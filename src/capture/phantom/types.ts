/**
 * The contract between the phantom's scene model, its renderers and its users (data-set export, the phantom scanner
 * screen, later the MRI renderer). The scene is anatomy only, in physical units; a renderer turns a scene plus an
 * acquisition into pixels. Keep them apart: the T2-weighted MRI renderer will render the same scenes.
 */

/** Ground-truth label: 1 = deep myometrial invasion (depth ratio >= threshold, FIGO IB), 0 = none or superficial. */
export type PhantomLabel = 0 | 1;

/** Options for drawing one case from the scene distribution. Everything not given is drawn from the seed. */
export interface CaseOptions {
  /** Force the class; undefined draws it with `positiveFraction`. */
  readonly label?: PhantomLabel | undefined;
  /** Probability of a positive case when `label` is not forced (default 0.5). */
  readonly positiveFraction?: number | undefined;
  /** Depth ratio at and above which a case is positive (default 0.5). */
  readonly threshold?: number | undefined;
  /** Fraction of cases drawn close to the threshold so the task is not trivial (default 0.25). */
  readonly borderlineFraction?: number | undefined;
}

/** Per-image masks, each width*height, 255 inside, 0 outside. */
export interface PhantomMasks {
  readonly endometrium: Uint8Array;
  readonly myometrium: Uint8Array;
  readonly tumour: Uint8Array;
}

export interface RenderedImage {
  readonly width: number;
  readonly height: number;
  /** Gray 8-bit, tightly packed; 0 outside the fan. */
  readonly pixels: Uint8Array;
  /** 255 inside the fan (the imaged sector), 0 outside. */
  readonly fanMask: Uint8Array;
  readonly masks: PhantomMasks;
}
