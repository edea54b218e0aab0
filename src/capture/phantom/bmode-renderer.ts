import { MyoError } from '../../core/errors.js';
import { fanLayout, probePose, sceneToPixel } from './fan-geometry.js';
import type { FanLayout, ProbePose } from './fan-geometry.js';
import { hashSeeded, mix32, seedToUint32 } from './rng.js';
import { MaskRegion, SceneSampler } from './scene.js';
import type { PhantomCase, RenderedImage, TissueSample } from './types.js';
import { TissueClass } from './types.js';

/**
 * Transvaginal B-mode from a phantom case. The pipeline follows the physics of a scanner, cheaply:
 *   scene sampled along each beam (range x angle) -> complex (IQ) scatterer field, tissue-fixed so small probe
 *   motion decorrelates speckle only partly -> separable point-spread blur (baseband, so the axial RF modulation is
 *   already removed; lateral width grows away from the focus) -> attenuation accumulated along each beam (shadows
 *   behind gas and fibroids, enhancement behind fluid) plus electronic noise -> TGC and gain -> log compression to
 *   the dynamic range -> bilinear scan conversion into the fan. Masks come from the scene at output resolution.
 */

export interface BModeOptions {
  readonly width: number;
  readonly height: number;
  /** Cine frame number (default 0): probe motion and speckle decorrelation are deterministic in (seed, frame). */
  readonly frame?: number | undefined;
  /** Also return the polar intermediate data (for tests and tuning). */
  readonly diagnostics?: boolean | undefined;
}

/** The polar (range x beam) intermediate image, beam-major: index = beam * ranges + range. */
export interface PolarDiagnostics {
  readonly ranges: number;
  readonly beams: number;
  readonly rangeStepCm: number;
  readonly beamStepRad: number;
  /** Tissue class of each sample. */
  readonly tissue: Uint8Array;
  /** Envelope after attenuation, noise, TGC and gain, before log compression (linear amplitude). */
  readonly envelope: Float32Array;
  /** Display level 0..255 after log compression, before the gray map and scan conversion. */
  readonly gray: Float32Array;
  /** Samples past the last one visible in the image are not computed; beamEnd[b] is that limit. */
  readonly beamEnd: Int32Array;
}

export interface BModeImage extends RenderedImage {
  readonly layout: FanLayout;
  readonly pose: ProbePose;
  readonly polar?: PolarDiagnostics;
}

/** Beams per pixel of arc at the full radius, within the line counts real transvaginal probes fire. */
const BEAM_DENSITY = 0.4;
const MIN_BEAMS = 64;
const MAX_BEAMS = 320;
/** Nominal PSF (cm) at 7 MHz and speckleSize 1: axial sigma, lateral sigma at the focus. */
const AXIAL_SIGMA_CM = 0.018;
const LATERAL_SIGMA_CM = 0.032;
/** Rayleigh range of the lateral beam profile (cm): how fast the beam widens away from the focus. */
const FOCAL_RANGE_CM = 2.2;
/** Nominal attenuation the TGC curve is built for (dB/cm/MHz). */
const NOMINAL_ATTENUATION = 0.55;
/** Amplitude of an interface echo per unit reflection coefficient (speckle rms is 1 for myometrium). */
const SPECULAR_GAIN = 14;
/** Fraction of the dynamic range above the mean myometrium level (0 dB maps to 1 - this of full white). */
const HEADROOM = 0.4;
/** Reverberation leaks some energy past even a gas interface, so its shadow is "dirty" rather than perfectly black. */
const TRANSMISSION_FLOOR = 0.05;
/** Sum of two uniform bytes has variance 10922.5; this scales each IQ component to variance 1/2. */
const TRI_SCALE = Math.sqrt(0.5 / 10922.5);
const DB_PER_NEPER_POWER = 10 / Math.LN10;
const MAX_GRIDS = 4;

interface PixelGrid {
  readonly rho: Float32Array;
  readonly phi: Float32Array;
}

/** Renders cases; keeps scratch buffers and per-size pixel grids between calls, so reuse one per thread. */
export class BModeRenderer {
  readonly #grids = new Map<string, PixelGrid>();
  #capacity = 0;
  #re = new Float32Array(0);
  #im = new Float32Array(0);
  #re2 = new Float32Array(0);
  #im2 = new Float32Array(0);
  #att = new Float32Array(0);
  #gray = new Float32Array(0);
  #tissue = new Uint8Array(0);
  #lastSampler: SceneSampler | null = null;
  readonly #sample: TissueSample = { cls: 0, echo: 0, density: 1, attenuation: 0, impedance: 0, texture: 0 };

  render(c: PhantomCase, options: BModeOptions): BModeImage {
    const { width, height } = options;
    const frame = options.frame ?? 0;
    const sizeOk = (v: number): boolean => Number.isInteger(v) && v >= 16 && v <= 4096;
    if (!sizeOk(width) || !sizeOk(height)) {
      throw new MyoError('MYO_ERR_PHANTOM_PARAMS', `image size must be 16..4096 pixels, got ${width}x${height}`, {
        width,
        height,
      });
    }
    if (!Number.isInteger(frame) || frame < 0) {
      throw new MyoError('MYO_ERR_PHANTOM_PARAMS', `frame must be a non-negative integer, got ${frame}`, { frame });
    }
    const acq = c.acquisition;
    const layout = fanLayout(acq, width, height);
    const pose = probePose(acq, frame);
    const sampler = this.#samplerFor(c);

    // Polar grid: about one range sample per output pixel of radius, beams by arc length at the full radius.
    const ranges = Math.max(48, Math.round(layout.outerRadiusPx - layout.innerRadiusPx) + 1);
    const arcBeams = Math.round(2 * layout.halfAngle * layout.outerRadiusPx * BEAM_DENSITY);
    const beams = Math.min(MAX_BEAMS, Math.max(MIN_BEAMS, arcBeams));
    const drCm = acq.depthCm / (ranges - 1);
    const drPx = (layout.outerRadiusPx - layout.innerRadiusPx) / (ranges - 1);
    const dTheta = (2 * layout.halfAngle) / (beams - 1);
    this.#ensure(ranges * beams);

    const psfScale = (acq.speckleSize * 7) / acq.frequencyMHz;
    const axialSigma = Math.max(0.7, (AXIAL_SIGMA_CM * psfScale) / drCm);
    const axial = gaussianKernel(axialSigma, 8);
    const lateral = lateralKernels(ranges, drCm, acq, dTheta, psfScale);

    const beamEnd = this.#visibleExtent(layout, beams, ranges, drPx, dTheta, (axial.length - 1) / 2);
    this.#sampleBeams(c, sampler, layout, pose, frame, ranges, beams, drCm, dTheta, beamEnd);
    convolveAxial(this.#re, this.#im, this.#re2, this.#im2, ranges, beams, axial, beamEnd);
    convolveLateral(this.#re2, this.#im2, this.#re, this.#im, ranges, beams, lateral, beamEnd);
    const envelope = options.diagnostics === true ? new Float32Array(ranges * beams) : null;
    this.#compress(c, frame, ranges, beams, drCm, beamEnd, envelope);

    const pixels = new Uint8Array(width * height);
    const fanMask = new Uint8Array(width * height);
    this.#scanConvert(layout, ranges, beams, drPx, dTheta, grayMap(acq.grayMapGamma), pixels, fanMask);
    const masks = buildMasks(sampler, layout, pose, fanMask);

    const image: BModeImage = { width, height, pixels, fanMask, masks, layout, pose };
    if (envelope === null) return image;
    return {
      ...image,
      polar: {
        ranges,
        beams,
        rangeStepCm: drCm,
        beamStepRad: dTheta,
        tissue: this.#tissue.slice(0, ranges * beams),
        envelope,
        gray: this.#gray.slice(0, ranges * beams),
        beamEnd,
      },
    };
  }

  /** Cine frames of one case share its sampler (building the tables and textures is not free). */
  #samplerFor(c: PhantomCase): SceneSampler {
    const last = this.#lastSampler;
    if (last?.scene === c.scene) return last;
    const sampler = new SceneSampler(c.scene);
    this.#lastSampler = sampler;
    return sampler;
  }

  #ensure(n: number): void {
    if (n <= this.#capacity) return;
    this.#capacity = n;
    this.#re = new Float32Array(n);
    this.#im = new Float32Array(n);
    this.#re2 = new Float32Array(n);
    this.#im2 = new Float32Array(n);
    this.#att = new Float32Array(n);
    this.#gray = new Float32Array(n);
    this.#tissue = new Uint8Array(n);
  }

  /** Per beam, the number of range samples needed to cover the part of it that lands inside the image. */
  #visibleExtent(
    layout: FanLayout,
    beams: number,
    ranges: number,
    drPx: number,
    dTheta: number,
    margin: number,
  ): Int32Array {
    const end = new Int32Array(beams);
    for (let b = 0; b < beams; b++) {
      const phi = -layout.halfAngle + b * dTheta;
      const s = Math.abs(Math.sin(phi));
      const c = Math.cos(phi);
      let rhoMax = layout.outerRadiusPx;
      if (s > 1e-9) rhoMax = Math.min(rhoMax, (layout.width / 2 + 1) / s);
      if (c > 1e-9) rhoMax = Math.min(rhoMax, (layout.height - layout.apexY + 1) / c);
      const k = Math.ceil((rhoMax - layout.innerRadiusPx) / drPx) + 2 + Math.ceil(margin);
      end[b] = Math.max(0, Math.min(ranges, k));
    }
    return end;
  }

  #sampleBeams(
    c: PhantomCase,
    sampler: SceneSampler,
    layout: FanLayout,
    pose: ProbePose,
    frame: number,
    ranges: number,
    beams: number,
    drCm: number,
    dTheta: number,
    beamEnd: Int32Array,
  ): void {
    const acq = c.acquisition;
    const re = this.#re;
    const im = this.#im;
    const att = this.#att;
    const tissue = this.#tissue;
    const s = this.#sample;
    const seed = seedToUint32(c.seed);
    const scatterSeed = mix32(seed ^ 0x1b873593);
    const freshSeed = mix32(mix32(seed ^ 0x68e31da4) + frame);
    const keep = Math.sqrt(1 - acq.motion.decorrelation);
    const renew = Math.sqrt(acq.motion.decorrelation);
    // Scatterer lattice slightly finer than the range sampling (interpolation smooths it a little).
    const invLattice = 1 / (0.6 * drCm);
    const stepNepers = (2 * acq.frequencyMHz * drCm) / (20 / Math.LN10);
    const r0 = layout.probeRadiusCm;

    for (let b = 0; b < beams; b++) {
      const phi = -layout.halfAngle + b * dTheta + pose.angle;
      const dx = Math.sin(phi);
      const dz = Math.cos(phi);
      const base = b * ranges;
      const kEnd = beamEnd[b] ?? 0;
      let gain = 1;
      let prevCls: number = TissueClass.background;
      let prevZ = 1.45;
      let lastAlpha = -1;
      let lastFactor = 1;
      for (let k = 0; k < kEnd; k++) {
        const rho = r0 + k * drCm;
        const x = pose.tx + rho * dx;
        const z = pose.tz + rho * dz;
        sampler.sample(x, z, s);
        const idx = base + k;
        tissue[idx] = s.cls;
        // Scatterer field fixed in tissue: bilinear between lattice nodes (renormalised so its variance stays
        // uniform), so a small probe motion changes the speckle only a little.
        const fx = x * invLattice;
        const fz = z * invLattice;
        const ix = Math.floor(fx);
        const iz = Math.floor(fz);
        const tx = fx - ix;
        const tz = fz - iz;
        const w00 = (1 - tx) * (1 - tz);
        const w10 = tx * (1 - tz);
        const w01 = (1 - tx) * tz;
        const w11 = tx * tz;
        const h00 = hashSeeded(ix, iz, scatterSeed);
        const h10 = hashSeeded(ix + 1, iz, scatterSeed);
        const h01 = hashSeeded(ix, iz + 1, scatterSeed);
        const h11 = hashSeeded(ix + 1, iz + 1, scatterSeed);
        let fr =
          w00 * ((h00 & 0xff) + ((h00 >>> 8) & 0xff) - 255) +
          w10 * ((h10 & 0xff) + ((h10 >>> 8) & 0xff) - 255) +
          w01 * ((h01 & 0xff) + ((h01 >>> 8) & 0xff) - 255) +
          w11 * ((h11 & 0xff) + ((h11 >>> 8) & 0xff) - 255);
        let fi =
          w00 * (((h00 >>> 16) & 0xff) + (h00 >>> 24) - 255) +
          w10 * (((h10 >>> 16) & 0xff) + (h10 >>> 24) - 255) +
          w01 * (((h01 >>> 16) & 0xff) + (h01 >>> 24) - 255) +
          w11 * (((h11 >>> 16) & 0xff) + (h11 >>> 24) - 255);
        const norm = 1 / Math.sqrt(w00 * w00 + w10 * w10 + w01 * w01 + w11 * w11);
        fr *= norm;
        fi *= norm;
        let a = s.echo;
        if (s.density < 1) {
          // Sparse scatterers (fluid, gas): most cells empty, the rest stronger, so the mean intensity is kept.
          a = (mix32(h00 ^ 0x7f4a7c15) >>> 0) / 4294967296 < s.density ? a / Math.sqrt(s.density) : 0;
        }
        const hf = hashSeeded(k, b, freshSeed);
        let vr = fr * keep + ((hf & 0xff) + ((hf >>> 8) & 0xff) - 255) * renew;
        let vi = fi * keep + (((hf >>> 16) & 0xff) + (hf >>> 24) - 255) * renew;
        vr *= a * TRI_SCALE;
        vi *= a * TRI_SCALE;
        if (s.cls !== prevCls) {
          // Specular echo at a tissue interface; what is reflected is lost to everything behind it.
          const r = (s.impedance - prevZ) / (s.impedance + prevZ);
          vr += SPECULAR_GAIN * r;
          const t = 1 - r * r;
          gain *= t > TRANSMISSION_FLOOR ? t : TRANSMISSION_FLOOR;
          prevCls = s.cls;
          prevZ = s.impedance;
        }
        re[idx] = vr;
        im[idx] = vi;
        att[idx] = gain;
        if (s.attenuation !== lastAlpha) {
          lastAlpha = s.attenuation;
          lastFactor = Math.exp(-lastAlpha * stepNepers);
        }
        gain *= lastFactor;
      }
      for (let k = kEnd; k < ranges; k++) {
        const idx = base + k;
        re[idx] = 0;
        im[idx] = 0;
        att[idx] = 0;
        tissue[idx] = TissueClass.background;
      }
    }
  }

  /** Envelope, attenuation, noise, TGC, gain and log compression into #gray (0..255). */
  #compress(
    c: PhantomCase,
    frame: number,
    ranges: number,
    beams: number,
    drCm: number,
    beamEnd: Int32Array,
    envelope: Float32Array | null,
  ): void {
    const acq = c.acquisition;
    const tgc = tgcCurve(acq, ranges, drCm);
    const re = this.#re;
    const im = this.#im;
    const att = this.#att;
    const gray = this.#gray;
    const noiseSeed = mix32(mix32(seedToUint32(c.seed) ^ 0x2f1e9c4b) + frame);
    const noisePower = Math.pow(10, acq.noiseDb / 10);
    const noiseScale = TRI_SCALE * TRI_SCALE * noisePower;
    const dr = acq.dynamicRangeDb;
    const floorDb = -(1 - HEADROOM) * dr;
    const toGray = 255 / dr;
    for (let b = 0; b < beams; b++) {
      const base = b * ranges;
      const kEnd = beamEnd[b] ?? 0;
      for (let k = 0; k < kEnd; k++) {
        const idx = base + k;
        const g = att[idx] ?? 0;
        const r = re[idx] ?? 0;
        const i = im[idx] ?? 0;
        const hn = hashSeeded(k, b, noiseSeed);
        const nr = (hn & 0xff) + ((hn >>> 8) & 0xff) - 255;
        const ni = ((hn >>> 16) & 0xff) + (hn >>> 24) - 255;
        const power = (r * r + i * i) * g * g + (nr * nr + ni * ni) * noiseScale + 1e-30;
        const db = DB_PER_NEPER_POWER * Math.log(power) + (tgc[k] ?? 0);
        if (envelope !== null) envelope[idx] = Math.exp(db / (2 * DB_PER_NEPER_POWER));
        const v = (db - floorDb) * toGray;
        gray[idx] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
      for (let k = kEnd; k < ranges; k++) gray[base + k] = 0;
    }
  }

  #scanConvert(
    layout: FanLayout,
    ranges: number,
    beams: number,
    drPx: number,
    dTheta: number,
    lut: Uint8Array,
    pixels: Uint8Array,
    fanMask: Uint8Array,
  ): void {
    const grid = this.#grid(layout);
    const { rho, phi } = grid;
    const gray = this.#gray;
    const inner = layout.innerRadiusPx;
    const outer = layout.outerRadiusPx;
    const half = layout.halfAngle;
    const invDr = 1 / drPx;
    const invDt = 1 / dTheta;
    const kMax = ranges - 1;
    const bMax = beams - 1;
    const n = layout.width * layout.height;
    for (let p = 0; p < n; p++) {
      const r = rho[p] ?? 0;
      const a = phi[p] ?? 0;
      if (r < inner || r > outer || a < -half || a > half) continue;
      fanMask[p] = 255;
      let fk = (r - inner) * invDr;
      let fb = (a + half) * invDt;
      if (fk > kMax) fk = kMax;
      if (fb > bMax) fb = bMax;
      let k0 = fk | 0;
      let b0 = fb | 0;
      if (k0 >= kMax) k0 = kMax - 1;
      if (b0 >= bMax) b0 = bMax - 1;
      const tk = fk - k0;
      const tb = fb - b0;
      const i00 = b0 * ranges + k0;
      const i10 = i00 + ranges;
      const g0 = (gray[i00] ?? 0) + ((gray[i00 + 1] ?? 0) - (gray[i00] ?? 0)) * tk;
      const g1 = (gray[i10] ?? 0) + ((gray[i10 + 1] ?? 0) - (gray[i10] ?? 0)) * tk;
      pixels[p] = lut[Math.round(g0 + (g1 - g0) * tb)] ?? 0;
    }
  }

  #grid(layout: FanLayout): PixelGrid {
    const key = `${layout.width}x${layout.height}`;
    const cached = this.#grids.get(key);
    if (cached !== undefined) return cached;
    const n = layout.width * layout.height;
    const rho = new Float32Array(n);
    const phi = new Float32Array(n);
    for (let y = 0; y < layout.height; y++) {
      const dy = y + 0.5 - layout.apexY;
      for (let x = 0; x < layout.width; x++) {
        const dx = x + 0.5 - layout.apexX;
        const p = y * layout.width + x;
        rho[p] = Math.sqrt(dx * dx + dy * dy);
        phi[p] = Math.atan2(dx, dy);
      }
    }
    const grid = { rho, phi };
    if (this.#grids.size >= MAX_GRIDS) {
      const oldest = this.#grids.keys().next();
      if (oldest.done !== true) this.#grids.delete(oldest.value);
    }
    this.#grids.set(key, grid);
    return grid;
  }
}

/** Renders one image with a throwaway renderer; prefer one BModeRenderer per thread for repeated frames. */
export function renderBMode(c: PhantomCase, options: BModeOptions): BModeImage {
  return new BModeRenderer().render(c, options);
}

/** The scanner's post-processing curve as a lookup table over display levels. */
function grayMap(gamma: number): Uint8Array {
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.round(255 * Math.pow(v / 255, gamma));
  return lut;
}

/** Gaussian kernel normalised to unit energy (sum of squares), so speckle intensity is preserved by the blur. */
function gaussianKernel(sigma: number, maxRadius: number): Float32Array {
  const radius = Math.min(maxRadius, Math.max(1, Math.ceil(2.5 * sigma)));
  const k = new Float32Array(2 * radius + 1);
  let energy = 0;
  for (let j = -radius; j <= radius; j++) {
    const w = Math.exp((-0.5 * j * j) / (sigma * sigma));
    k[j + radius] = w;
    energy += w * w;
  }
  const norm = 1 / Math.sqrt(energy);
  for (let j = 0; j < k.length; j++) k[j] = (k[j] ?? 0) * norm;
  return k;
}

interface LateralKernels {
  readonly radius: number;
  /** weights[(j + radius) * ranges + k]: tap j at range k (wider away from the focus), 0 past that row's radius. */
  readonly weights: Float32Array;
  /** reach[|j|]: tap j is non-zero only for k < reach[|j|]. */
  readonly reach: Int32Array;
}

function lateralKernels(
  ranges: number,
  drCm: number,
  acq: PhantomCase['acquisition'],
  dTheta: number,
  psfScale: number,
): LateralKernels {
  const sigmas = new Float32Array(ranges);
  let maxSigma = 0;
  for (let k = 0; k < ranges; k++) {
    const depth = k * drCm;
    const off = (depth - acq.focusCm) / FOCAL_RANGE_CM;
    const sigmaCm = LATERAL_SIGMA_CM * psfScale * Math.sqrt(1 + off * off);
    const arc = (acq.probeRadiusCm + depth) * dTheta;
    // Near the apex beams crowd together; capping the blur there costs nothing visible (few pixels).
    const sigma = Math.min(2.2, Math.max(0.6, sigmaCm / arc));
    sigmas[k] = sigma;
    maxSigma = Math.max(maxSigma, sigma);
  }
  const radius = Math.max(1, Math.ceil(2.5 * maxSigma));
  const weights = new Float32Array((2 * radius + 1) * ranges);
  const reach = new Int32Array(radius + 1);
  for (let k = 0; k < ranges; k++) {
    const sigma = sigmas[k] ?? 1;
    const r = Math.max(1, Math.ceil(2.5 * sigma));
    let energy = 0;
    for (let j = -r; j <= r; j++) {
      const w = Math.exp((-0.5 * j * j) / (sigma * sigma));
      weights[(j + radius) * ranges + k] = w;
      energy += w * w;
    }
    const norm = 1 / Math.sqrt(energy);
    for (let j = -r; j <= r; j++) {
      const idx = (j + radius) * ranges + k;
      weights[idx] = (weights[idx] ?? 0) * norm;
    }
    for (let j = 0; j <= r; j++) reach[j] = k + 1;
  }
  return { radius, weights, reach };
}

/** Convolution of the IQ pair along each beam (contiguous in the beam-major layout), up to each beam's end. */
function convolveAxial(
  re: Float32Array,
  im: Float32Array,
  outRe: Float32Array,
  outIm: Float32Array,
  ranges: number,
  beams: number,
  kernel: Float32Array,
  beamEnd: Int32Array,
): void {
  const radius = (kernel.length - 1) / 2;
  for (let b = 0; b < beams; b++) {
    const base = b * ranges;
    const kEnd = beamEnd[b] ?? 0;
    for (let k = 0; k < kEnd; k++) {
      const jLo = k - radius < 0 ? radius - k : 0;
      const jHi = k + radius >= kEnd ? radius + (kEnd - 1 - k) : 2 * radius;
      let accRe = 0;
      let accIm = 0;
      const off = base + k - radius;
      for (let j = jLo; j <= jHi; j++) {
        const w = kernel[j] ?? 0;
        accRe += w * (re[off + j] ?? 0);
        accIm += w * (im[off + j] ?? 0);
      }
      outRe[base + k] = accRe;
      outIm[base + k] = accIm;
    }
    // The lateral pass reads neighbouring beams past this one's end: they must be zero, not stale.
    outRe.fill(0, base + kEnd, base + ranges);
    outIm.fill(0, base + kEnd, base + ranges);
  }
}

/**
 * Convolution of the IQ pair across beams with a depth-dependent kernel; the inner loop runs along range for
 * contiguity, and stops at the output beam's visible end.
 */
function convolveLateral(
  re: Float32Array,
  im: Float32Array,
  outRe: Float32Array,
  outIm: Float32Array,
  ranges: number,
  beams: number,
  kernels: LateralKernels,
  beamEnd: Int32Array,
): void {
  const { radius, weights, reach } = kernels;
  outRe.fill(0, 0, ranges * beams);
  outIm.fill(0, 0, ranges * beams);
  for (let b = 0; b < beams; b++) {
    const out = b * ranges;
    const kEnd = beamEnd[b] ?? 0;
    const jLo = Math.max(-radius, -b);
    const jHi = Math.min(radius, beams - 1 - b);
    for (let j = jLo; j <= jHi; j++) {
      const inp = (b + j) * ranges;
      const wBase = (j + radius) * ranges;
      const kStop = Math.min(kEnd, reach[j < 0 ? -j : j] ?? 0);
      for (let k = 0; k < kStop; k++) {
        const w = weights[wBase + k] ?? 0;
        outRe[out + k] = (outRe[out + k] ?? 0) + w * (re[inp + k] ?? 0);
        outIm[out + k] = (outIm[out + k] ?? 0) + w * (im[inp + k] ?? 0);
      }
    }
  }
}

/** TGC plus gain in dB per range sample: nominal attenuation compensation and the slider offsets. */
function tgcCurve(acq: PhantomCase['acquisition'], ranges: number, drCm: number): Float32Array {
  const out = new Float32Array(ranges);
  const sliders = acq.tgcDb;
  const n = sliders.length;
  for (let k = 0; k < ranges; k++) {
    const depth = k * drCm;
    const comp = 2 * NOMINAL_ATTENUATION * acq.frequencyMHz * depth * acq.tgcCompensation;
    let slider = 0;
    if (n === 1) slider = sliders[0] ?? 0;
    else if (n > 1) {
      const f = (depth / acq.depthCm) * (n - 1);
      const i = Math.min(n - 2, Math.floor(f));
      const t = f - i;
      slider = (sliders[i] ?? 0) + ((sliders[i + 1] ?? 0) - (sliders[i] ?? 0)) * t;
    }
    out[k] = comp + slider + acq.gainDb;
  }
  return out;
}

/** Endometrium / myometrium / tumour masks at output resolution, from the scene under each fan pixel. */
function buildMasks(
  sampler: SceneSampler,
  layout: FanLayout,
  pose: ProbePose,
  fanMask: Uint8Array,
): RenderedImage['masks'] {
  const { width, height } = layout;
  const n = width * height;
  const endometrium = new Uint8Array(n);
  const myometrium = new Uint8Array(n);
  const tumour = new Uint8Array(n);
  // Every mask lies inside the uterus: only its bounding box (in pixels, with a margin) needs classifying.
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (const p of sampler.outline(96)) {
    const q = sceneToPixel(layout, pose, p.x, p.z);
    x0 = Math.min(x0, q.px);
    y0 = Math.min(y0, q.py);
    x1 = Math.max(x1, q.px);
    y1 = Math.max(y1, q.py);
  }
  const xa = Math.max(0, Math.floor(x0) - 2);
  const xb = Math.min(width - 1, Math.ceil(x1) + 2);
  const ya = Math.max(0, Math.floor(y0) - 2);
  const yb = Math.min(height - 1, Math.ceil(y1) + 2);
  const c = Math.cos(pose.angle);
  const s = Math.sin(pose.angle);
  const cm = layout.cmPerPx;
  for (let y = ya; y <= yb; y++) {
    const pz = (y + 0.5 - layout.apexY) * cm;
    for (let x = xa; x <= xb; x++) {
      const p = y * width + x;
      if (fanMask[p] !== 255) continue;
      const px = (x + 0.5 - layout.apexX) * cm;
      const region = sampler.maskRegion(pose.tx + px * c + pz * s, pose.tz - px * s + pz * c);
      if (region === MaskRegion.endometrium) endometrium[p] = 255;
      else if (region === MaskRegion.myometrium) myometrium[p] = 255;
      else if (region === MaskRegion.tumour) tumour[p] = 255;
    }
  }
  return { endometrium, myometrium, tumour };
}
