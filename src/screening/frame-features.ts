import { MyoError } from '../core/errors.js';
import type { Rect } from '../core/frame.js';

/**
 * What the quality gate looks at on one frame, measured inside the ROI (the fan). All shares are 0..1, echoes are
 * grey levels 0..255.
 */
export interface FrameFeatures {
  /** Share of samples brighter than the dark level: how much of the fan shows tissue echo. */
  readonly tissueCoverage: number;
  /** Among tissue samples, the share whose right neighbour pixel has exactly the same value (speckle ~0.1, graphics > 0.5). */
  readonly flatFraction: number;
  /** Mean grey level of the central window (x 30-70 %, y 30-75 % of the ROI), where the uterus sits on axis. */
  readonly centreEcho: number;
  /** Share of samples at full white (255). */
  readonly saturatedFraction: number;
  /** Mean grey level of the tissue samples (0 when there are none). */
  readonly meanEcho: number;
}

/**
 * Every 4th pixel in x and y: ~50k samples on a 930x860 fan, about 0.1 ms, and still thousands of speckle grains,
 * so the shares are stable to well under 1 %. The flat test reads the full-resolution right neighbour, because
 * speckle is correlated over a few pixels and a subsampled neighbour would miss flat fills' exact repeats.
 */
const SAMPLE_STEP = 4;

/**
 * Measures the frame features inside `roi` of a gray8 image `imageWidth` pixels wide (tightly packed). Pure and
 * allocation-free apart from the result object: it runs on every captured frame.
 */
export function measureFrame(pixels: Uint8Array, imageWidth: number, roi: Rect, darkLevel: number): FrameFeatures {
  const imageHeight = imageWidth > 0 ? Math.floor(pixels.length / imageWidth) : 0;
  checkRoi(roi, imageWidth, imageHeight);
  const x0 = roi.x;
  const x1 = roi.x + roi.width;
  const y1 = roi.y + roi.height;
  // Integer window bounds: 3*w/10 is exact when it is a whole number, so ceil() never rounds a float error up.
  const centreX0 = x0 + Math.ceil((roi.width * 3) / 10);
  const centreX1 = x0 + Math.ceil((roi.width * 7) / 10);
  const centreY0 = roi.y + Math.ceil((roi.height * 3) / 10);
  const centreY1 = roi.y + Math.ceil((roi.height * 3) / 4);

  let samples = 0;
  let tissue = 0;
  let tissueSum = 0;
  let flatChecked = 0;
  let flat = 0;
  let saturated = 0;
  let centreSamples = 0;
  let centreSum = 0;

  for (let y = roi.y; y < y1; y += SAMPLE_STEP) {
    const row = y * imageWidth;
    const inCentreRows = y >= centreY0 && y < centreY1;
    for (let x = x0; x < x1; x += SAMPLE_STEP) {
      const value = pixels[row + x] ?? 0;
      samples += 1;
      if (value === 255) saturated += 1;
      if (inCentreRows && x >= centreX0 && x < centreX1) {
        centreSamples += 1;
        centreSum += value;
      }
      if (value > darkLevel) {
        tissue += 1;
        tissueSum += value;
        // The neighbour must be inside the ROI: outside it is the scanner's frame, not this image.
        if (x + 1 < x1) {
          flatChecked += 1;
          if (pixels[row + x + 1] === value) flat += 1;
        }
      }
    }
  }

  return {
    tissueCoverage: samples > 0 ? tissue / samples : 0,
    flatFraction: flatChecked > 0 ? flat / flatChecked : 0,
    centreEcho: centreSamples > 0 ? centreSum / centreSamples : 0,
    saturatedFraction: samples > 0 ? saturated / samples : 0,
    meanEcho: tissue > 0 ? tissueSum / tissue : 0,
  };
}

function checkRoi(roi: Rect, width: number, height: number): void {
  const inside =
    Number.isInteger(roi.x) &&
    Number.isInteger(roi.y) &&
    Number.isInteger(roi.width) &&
    Number.isInteger(roi.height) &&
    roi.x >= 0 &&
    roi.y >= 0 &&
    roi.width >= 0 &&
    roi.height >= 0 &&
    roi.x + roi.width <= width &&
    roi.y + roi.height <= height;
  if (!inside) {
    throw new MyoError('MYO_ERR_FRAME_INVALID', `ROI ${roi.width}x${roi.height}+${roi.x}+${roi.y} is not inside the ${width}x${height} frame`, {
      roi,
      width,
      height,
    });
  }
}
