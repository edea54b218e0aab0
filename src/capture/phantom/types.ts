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

/**
 * Tissue classes a scene point can belong to. Numeric so renderers can keep per-sample classes in a Uint8Array;
 * the order is part of the contract (masks, diagnostics and the MRI renderer index tables by it).
 */
export const TissueClass = {
  background: 0,
  myometrium: 1,
  endometrium: 2,
  tumour: 3,
  fibroid: 4,
  fluid: 5,
  gas: 6,
  adenomyosis: 7,
} as const;
export type TissueClass = (typeof TissueClass)[keyof typeof TissueClass];
export const TISSUE_CLASS_COUNT = 8;

/**
 * What a renderer learns about one scene point. Mutable on purpose: hot loops pass one object and the sampler fills
 * it, so no per-sample allocation happens.
 */
export interface TissueSample {
  cls: TissueClass;
  /** Mean backscatter amplitude relative to normal myometrium (= 1); includes the local texture. */
  echo: number;
  /** Scatterer density 0..1: 1 gives fully developed (Rayleigh) speckle, lower values sparse, spiky echoes. */
  density: number;
  /** Attenuation in dB/cm/MHz (one way). */
  attenuation: number;
  /** Acoustic impedance in MRayl, for interface reflections. */
  impedance: number;
  /** Slowly varying texture value 0..1 at this point (heterogeneity), for renderers other than B-mode. */
  texture: number;
}

/** A point in the scene frame, cm: x lateral, z depth along the probe axis, origin at the probe's virtual apex. */
export interface ScenePoint {
  readonly x: number;
  readonly z: number;
}

/** One Fourier term of an outline perturbation: amplitude * sin(k * pi * t + phase) over t in [-1, 1]. */
export interface Harmonic {
  readonly k: number;
  readonly amplitude: number;
  readonly phase: number;
}

export type UterusVersion = 'anteverted' | 'retroverted' | 'axial';
export type UterineWall = 'anterior' | 'posterior';

/**
 * The uterus body. Local frame: u along the long axis (cervix -> fundus), v across it (anterior wall at +v). The
 * outline is a superellipse |u/a|^n + |v/b|^n = 1, narrowed toward the cervix, bent by `flexion`, and perturbed.
 */
export interface UterusShape {
  readonly centre: ScenePoint;
  /** Direction of the long axis (cervix -> fundus) in the scene frame, radians from +x toward +z. */
  readonly axisAngle: number;
  /** Half length a (cm). */
  readonly halfLength: number;
  /** Half thickness b (cm), anterior-posterior. */
  readonly halfThickness: number;
  /** Superellipse exponent n (2 = ellipse, larger = boxier). */
  readonly squareness: number;
  /** 0..1: how much the outline narrows toward the cervix. */
  readonly cervixTaper: number;
  /** Bend of the long axis, 1/cm (v shifts by flexion * u^2). */
  readonly flexion: number;
  readonly version: UterusVersion;
  /** Serosal irregularity of the anterior and posterior outlines (relative to the local half thickness). */
  readonly anteriorOutline: readonly Harmonic[];
  readonly posteriorOutline: readonly Harmonic[];
}

/** Fluid inside the endometrial cavity, a thin lens along the cavity centre line (local frame). */
export interface CavityFluid {
  readonly centreU: number;
  readonly halfLength: number;
  /** Maximum thickness (cm). */
  readonly thickness: number;
}

export interface EndometriumShape {
  /** Double-layer thickness (cm) at the thickest part, as measured clinically. */
  readonly thickness: number;
  /** Backscatter relative to myometrium (> 1 is brighter). */
  readonly echogenicity: number;
  /** 0..1: trilaminar pattern (bright basal and central lines around a darker functional layer). */
  readonly layering: number;
  /** Offset of the cavity centre line from the uterine axis (cm, +v anterior). */
  readonly offset: number;
  /** Where the cavity ends toward the fundus, as a fraction of the half length (u = fundalEnd * a). */
  readonly fundalEnd: number;
  /** Internal os position, as a fraction of the half length (negative, toward the cervix). */
  readonly internalOs: number;
  /** Width (cm) of the hypoechoic subendometrial halo (the inner myometrium / junctional zone). */
  readonly haloWidth: number;
  /** 0..1: how much darker the halo is than outer myometrium. */
  readonly haloContrast: number;
  /** Waviness of the endometrial-myometrial junction (relative to the local half thickness). */
  readonly outline: readonly Harmonic[];
  readonly cavityFluid: CavityFluid | null;
}

/**
 * An endometrial carcinoma: fills the endometrium over [centreU - halfLength, centreU + halfLength] and invades the
 * myometrium of `wall` to `depthRatio` (0..1) of the local myometrial thickness at its deepest point, and the
 * opposite wall to `oppositeRatio` (<= depthRatio). The invasion front is irregular (`irregularity`).
 */
export interface TumourShape {
  readonly centreU: number;
  readonly halfLength: number;
  readonly wall: UterineWall;
  readonly depthRatio: number;
  readonly oppositeRatio: number;
  /** Where along the tumour (-1..1) the invasion front is deepest before irregularity. */
  readonly peak: number;
  readonly irregularity: readonly Harmonic[];
  readonly echogenicity: number;
  /** 0..1 echo heterogeneity. */
  readonly heterogeneity: number;
  readonly textureSeed: number;
}

/** A leiomyoma: an ellipse in the scene frame; attenuating (shadowing), calcified ones strongly. */
export interface FibroidShape {
  readonly centre: ScenePoint;
  readonly radiusX: number;
  readonly radiusZ: number;
  readonly angle: number;
  readonly echogenicity: number;
  /** dB/cm/MHz; normal tissue is about 0.5. */
  readonly attenuation: number;
  readonly calcified: boolean;
  readonly textureSeed: number;
}

export type FluidKind = 'bladder' | 'cul-de-sac' | 'cyst';

export interface FluidPocket {
  readonly kind: FluidKind;
  readonly centre: ScenePoint;
  readonly radiusX: number;
  readonly radiusZ: number;
  readonly angle: number;
}

/** A bowel loop's gas: bright surface, dense "dirty" shadow behind it. */
export interface GasPocket {
  readonly centre: ScenePoint;
  readonly radiusX: number;
  readonly radiusZ: number;
  readonly angle: number;
}

/** Adenomyosis-like heterogeneity in one wall (local frame): echogenic islands, small cysts, striated shadowing. */
export interface AdenomyosisRegion {
  readonly centreU: number;
  readonly halfLength: number;
  readonly wall: UterineWall;
  /** 0..1 how heterogeneous. */
  readonly strength: number;
  /** 0..1 how many myometrial cysts. */
  readonly cysts: number;
  readonly textureSeed: number;
}

export interface BackgroundTissue {
  /** Mean backscatter of the surrounding pelvic tissue relative to myometrium. */
  readonly echogenicity: number;
  readonly heterogeneity: number;
  readonly textureSeed: number;
}

/** The anatomy of one case, independent of any imaging modality. */
export interface PhantomScene {
  readonly uterus: UterusShape;
  readonly endometrium: EndometriumShape;
  readonly tumour: TumourShape | null;
  readonly fibroids: readonly FibroidShape[];
  readonly fluid: readonly FluidPocket[];
  readonly gas: readonly GasPocket[];
  readonly adenomyosis: AdenomyosisRegion | null;
  readonly background: BackgroundTissue;
  /** Seed of the myometrium's own texture. */
  readonly textureSeed: number;
}

/** Smooth, periodic probe motion for cine playback, deterministic in the frame number. */
export interface MotionParams {
  /** Amplitude of the slow (breathing) in-plane shift, cm. */
  readonly shiftCm: number;
  /** Amplitude of the probe rocking, degrees. */
  readonly rotationDeg: number;
  /** Periods in frames of the slow and the fast (hand tremor) components. */
  readonly periodFrames: number;
  readonly tremorPeriodFrames: number;
  readonly phase: number;
  readonly tremorPhase: number;
  /** Direction of the slow shift, radians. */
  readonly direction: number;
  /** 0..1: fraction of speckle energy that is new in each frame (partial decorrelation). */
  readonly decorrelation: number;
}

/** How the (virtual) scanner was set for this case. */
export interface Acquisition {
  /** Imaging depth below the probe face, cm. */
  readonly depthCm: number;
  /** Radius of the microconvex face, cm (the fan's virtual apex lies this far behind the face). */
  readonly probeRadiusCm: number;
  /** Full sector angle, whole degrees (scanners offer discrete steps). */
  readonly sectorDeg: number;
  /** In-plane probe tilt, degrees (rotates the field of view about the apex). */
  readonly tiltDeg: number;
  readonly frequencyMHz: number;
  /** Transmit focus depth below the face, cm. */
  readonly focusCm: number;
  readonly gainDb: number;
  /** TGC slider offsets (dB) at evenly spaced depths from the face to the full depth. */
  readonly tgcDb: readonly number[];
  /** Fraction of the nominal soft-tissue attenuation the TGC curve compensates (1 = exact). */
  readonly tgcCompensation: number;
  readonly dynamicRangeDb: number;
  /** Multiplier of the nominal point-spread function (bigger = coarser speckle). */
  readonly speckleSize: number;
  /** Electronic noise level in dB relative to normal myometrium at the face (sets the penetration limit). */
  readonly noiseDb: number;
  /** Post-processing gray map: display = 255 * (level / 255)^gamma (> 1 darkens the mid-tones). */
  readonly grayMapGamma: number;
  readonly motion: MotionParams;
}

/** Why a case has its label: no tumour, tumour confined to the endometrium, superficial or deep invasion. */
export type CaseKind = 'healthy' | 'confined' | 'superficial' | 'deep';

/** One drawn case: the scene, the scanner settings and the ground truth. */
export interface PhantomCase {
  readonly seed: number;
  readonly scene: PhantomScene;
  readonly acquisition: Acquisition;
  /** Depth of myometrial invasion as a fraction of the myometrial thickness (0 without invasion). */
  readonly depthRatio: number;
  readonly label: PhantomLabel;
  /** Depth ratio within BORDERLINE_MARGIN of the threshold. */
  readonly borderline: boolean;
  readonly threshold: number;
  readonly kind: CaseKind;
}
