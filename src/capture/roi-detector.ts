import { MyoError } from '../core/errors.js';
import type { Rect } from '../core/frame.js';
import { largestComponent, type CellComponent } from './cell-grid.js';
import type { GrayImage } from './gray-frame.js';
import { fullFrame, padAndClamp, rectIoU, rectProblem } from './rect.js';

export type RoiMethod = 'configured' | 'auto' | 'full-frame';

export interface RoiDetectorOptions {
  readonly mode: 'auto' | 'manual' | 'full';
  /** The configured rectangle (manual mode). */
  readonly rect?: Rect | undefined;
  /** Frames per learning window (auto). */
  readonly learnFrames: number;
  /** Frames between re-checks once settled (auto). */
  readonly recheckEveryFrames: number;
  /** Side of the square cells motion is judged in, px (default 16). */
  readonly cellSize?: number;
  /** Sample every n-th pixel inside a cell (default 4). */
  readonly sampleStep?: number;
  /** Mean absolute difference of a cell between two frames above which it changed, gray levels (default 4). */
  readonly cellChangeThreshold?: number;
  /** Absolute difference of one sample between two frames above which it changed, for the edges (default 6). */
  readonly sampleChangeThreshold?: number;
  /** Fraction of frame pairs in which a cell must change to count as moving (default 0.3): a ticking clock fails. */
  readonly movingFraction?: number;
  /** Smallest region accepted as the fan, as a fraction of the frame (default 0.02). */
  readonly minAreaFraction?: number;
  /** Pixels added around the found region (default 4: one sample step, the edge's uncertainty). */
  readonly padding?: number;
  /** Cell mean above which a cell counts as lit in the single-frame fallback (default 24). */
  readonly litThreshold?: number;
  /** IoU with the current ROI below which a re-check moves it (default 0.85). */
  readonly moveBelowIoU?: number;
}

export interface RoiUpdate {
  /** The ROI to use for this frame; the whole frame while auto detection is still learning. */
  readonly roi: Rect;
  readonly method: RoiMethod;
  /** False while auto detection has not found a region yet. */
  readonly settled: boolean;
  /** True when the ROI differs from the one reported before (found, moved, size change). */
  readonly changed: boolean;
  /** Set when the configured rectangle does not fit the frame and the whole frame is used instead. */
  readonly problem?: string;
}

interface Grid {
  readonly width: number;
  readonly height: number;
  readonly cell: number;
  readonly cols: number;
  readonly rows: number;
  /** Cell index of every sample point, row-major over sample points. */
  readonly sampleCell: Int32Array;
  readonly samplesPerCell: Float64Array;
  readonly sampleCols: number;
  readonly sampleRows: number;
}

/**
 * Finds the ultrasound fan on a scanner screen. Auto mode watches `learnFrames` frames on a coarse grid, marks cells
 * that change in most frame pairs (speckle moves every frame; a clock changes once a second, static text never),
 * and takes the padded bounding box of the largest connected moving region. With nothing moving (frozen at start) it
 * settles provisionally on the largest lit region of one frame and keeps learning. It re-checks every
 * `recheckEveryFrames` and relearns on a resolution change.
 */
export class RoiDetector {
  readonly #o: Required<Omit<RoiDetectorOptions, 'rect'>> & { rect: Rect | undefined };
  #grid: Grid | null = null;
  #current: { roi: Rect; method: RoiMethod; problem?: string } | null = null;
  #provisional = false;
  #learning = false;
  #framesSinceSettle = 0;
  #pairs = 0;
  #previous: Uint8Array | null = null;
  #lastSamples: Uint8Array | null = null;
  #changed: Uint16Array = new Uint16Array(0);
  #sampleChanged: Uint16Array = new Uint16Array(0);
  #cellDiff: Float64Array = new Float64Array(0);
  #cellSum: Float64Array = new Float64Array(0);

  constructor(options: RoiDetectorOptions) {
    this.#o = {
      cellSize: 16,
      sampleStep: 4,
      cellChangeThreshold: 4,
      sampleChangeThreshold: 6,
      movingFraction: 0.3,
      minAreaFraction: 0.02,
      padding: 4,
      litThreshold: 24,
      moveBelowIoU: 0.85,
      ...options,
      rect: options.rect,
    };
  }

  /** The ROI in force, or null before the first frame. */
  get current(): { readonly roi: Rect; readonly method: RoiMethod } | null {
    return this.#current;
  }

  observe(frame: GrayImage): RoiUpdate {
    const resized = this.#grid?.width !== frame.width || this.#grid.height !== frame.height;
    if (resized) this.#reset(frame.width, frame.height);
    if (this.#o.mode === 'full') return this.#fixed(fullFrame(frame.width, frame.height), 'full-frame', resized);
    if (this.#o.mode === 'manual') return this.#manual(frame, resized);
    return this.#auto(frame);
  }

  #fixed(roi: Rect, method: RoiMethod, changed: boolean, problem?: string): RoiUpdate {
    if (changed) this.#current = problem === undefined ? { roi, method } : { roi, method, problem };
    const current = this.#current ?? { roi, method };
    return {
      roi: current.roi,
      method: current.method,
      settled: true,
      changed,
      ...(current.problem === undefined ? {} : { problem: current.problem }),
    };
  }

  #manual(frame: GrayImage, resized: boolean): RoiUpdate {
    if (!resized) return this.#fixed(fullFrame(frame.width, frame.height), 'configured', false);
    const rect = this.#o.rect;
    const problem = rect ? rectProblem(rect, frame.width, frame.height) : 'is not set';
    if (problem !== null || !rect) {
      return this.#fixed(fullFrame(frame.width, frame.height), 'full-frame', true, `capture.roi.rect ${problem ?? ''}`);
    }
    return this.#fixed({ ...rect }, 'configured', true);
  }

  #auto(frame: GrayImage): RoiUpdate {
    const grid = this.#grid;
    if (!grid) throw new MyoError('MYO_ERR_INTERNAL', 'ROI grid missing: it is set on the first frame');
    if (!this.#learning) {
      this.#framesSinceSettle += 1;
      if (this.#provisional || this.#framesSinceSettle >= this.#o.recheckEveryFrames) this.#startLearning();
    }
    let changed = false;
    if (this.#learning) {
      this.#accumulate(frame, grid);
      if (this.#pairs + 1 >= this.#o.learnFrames) changed = this.#conclude(frame, grid);
    }
    const current = this.#current;
    if (!current) return { roi: fullFrame(frame.width, frame.height), method: 'full-frame', settled: false, changed };
    return { roi: current.roi, method: current.method, settled: true, changed };
  }

  #reset(width: number, height: number): void {
    const cell = Math.max(4, Math.floor(this.#o.cellSize));
    const step = Math.max(1, Math.min(cell, Math.floor(this.#o.sampleStep)));
    const cols = Math.ceil(width / cell);
    const rows = Math.ceil(height / cell);
    const sampleCols = Math.ceil(width / step);
    const sampleRows = Math.ceil(height / step);
    const sampleCell = new Int32Array(sampleCols * sampleRows);
    const samplesPerCell = new Float64Array(cols * rows);
    for (let sy = 0; sy < sampleRows; sy++) {
      const cellRow = Math.floor((sy * step) / cell);
      for (let sx = 0; sx < sampleCols; sx++) {
        const index = cellRow * cols + Math.floor((sx * step) / cell);
        sampleCell[sy * sampleCols + sx] = index;
        samplesPerCell[index] = (samplesPerCell[index] ?? 0) + 1;
      }
    }
    this.#grid = { width, height, cell, cols, rows, sampleCell, samplesPerCell, sampleCols, sampleRows };
    this.#current = null;
    this.#provisional = false;
    this.#changed = new Uint16Array(cols * rows);
    this.#sampleChanged = new Uint16Array(sampleCols * sampleRows);
    this.#cellDiff = new Float64Array(cols * rows);
    this.#cellSum = new Float64Array(cols * rows);
    this.#startLearning();
  }

  #startLearning(): void {
    this.#learning = true;
    this.#pairs = 0;
    this.#previous = null;
    this.#changed.fill(0);
    this.#sampleChanged.fill(0);
  }

  /** Samples the frame on the grid and counts, per cell, whether it changed since the previous frame. */
  #accumulate(frame: GrayImage, grid: Grid): void {
    const step = Math.max(1, Math.min(grid.cell, Math.floor(this.#o.sampleStep)));
    const previous = this.#previous;
    const samples = new Uint8Array(grid.sampleCols * grid.sampleRows);
    const cellDiff = this.#cellDiff;
    const cellSum = this.#cellSum;
    cellDiff.fill(0);
    cellSum.fill(0);
    const data = frame.data;
    const sampleThreshold = this.#o.sampleChangeThreshold;
    const sampleChanged = this.#sampleChanged;
    let k = 0;
    for (let sy = 0; sy < grid.sampleRows; sy++) {
      const row = sy * step * frame.width;
      for (let sx = 0; sx < grid.sampleCols; sx++) {
        const v = data[row + sx * step] as number;
        const cell = grid.sampleCell[k] as number;
        samples[k] = v;
        cellSum[cell] = (cellSum[cell] as number) + v;
        if (previous) {
          const d = v - (previous[k] as number);
          const a = d < 0 ? -d : d;
          cellDiff[cell] = (cellDiff[cell] as number) + a;
          if (a > sampleThreshold) sampleChanged[k] = (sampleChanged[k] as number) + 1;
        }
        k += 1;
      }
    }
    if (previous) {
      const threshold = this.#o.cellChangeThreshold;
      for (let c = 0; c < cellDiff.length; c++) {
        if ((cellDiff[c] ?? 0) / (grid.samplesPerCell[c] ?? 1) > threshold) this.#changed[c] = (this.#changed[c] ?? 0) + 1;
      }
      this.#pairs += 1;
    }
    this.#previous = samples;
    this.#lastSamples = samples;
  }

  /** Ends a learning window; returns whether the ROI changed. */
  #conclude(frame: GrayImage, grid: Grid): boolean {
    this.#learning = false;
    this.#framesSinceSettle = 0;
    this.#previous = null;
    const cells = grid.cols * grid.rows;
    const minCells = Math.max(1, Math.ceil(this.#o.minAreaFraction * cells));
    const needed = Math.max(1, Math.ceil(this.#o.movingFraction * this.#pairs));
    const moving = new Uint8Array(cells);
    for (let c = 0; c < cells; c++) moving[c] = (this.#changed[c] ?? 0) >= needed ? 1 : 0;
    const motion = largestComponent(moving, grid.cols, grid.rows);
    if (motion && motion.cells >= minCells) {
      this.#provisional = false;
      const changed = this.#sampleChanged;
      return this.#adopt(this.#refine(motion, grid, frame, (k) => (changed[k] as number) >= needed));
    }
    // Nothing moves: keep a motion-based ROI we already have; otherwise settle on the largest lit region for now.
    if (this.#current && !this.#provisional) return false;
    const lit = new Uint8Array(cells);
    for (let c = 0; c < cells; c++) {
      lit[c] = (this.#cellSum[c] ?? 0) / (grid.samplesPerCell[c] ?? 1) > this.#o.litThreshold ? 1 : 0;
    }
    const region = largestComponent(lit, grid.cols, grid.rows);
    this.#provisional = true;
    if (!region || region.cells < minCells) return false;
    const last = this.#lastSamples;
    const litThreshold = this.#o.litThreshold;
    return this.#adopt(this.#refine(region, grid, frame, (k) => (last?.[k] ?? 0) > litThreshold));
  }

  #adopt(roi: Rect): boolean {
    const current = this.#current;
    if (current && rectIoU(current.roi, roi) >= this.#o.moveBelowIoU) return false;
    this.#current = { roi, method: 'auto' };
    return true;
  }

  /**
   * The padded bounding box of the samples that pass `keep` inside the component's cells (grown by one cell), so
   * the edges are found to a sample step rather than to a whole cell.
   */
  #refine(component: CellComponent, grid: Grid, frame: GrayImage, keep: (sample: number) => boolean): Rect {
    const step = Math.max(1, Math.min(grid.cell, Math.floor(this.#o.sampleStep)));
    const sx0 = Math.max(0, Math.floor(((component.col0 - 1) * grid.cell) / step));
    const sy0 = Math.max(0, Math.floor(((component.row0 - 1) * grid.cell) / step));
    const sx1 = Math.min(grid.sampleCols, Math.ceil(((component.col1 + 1) * grid.cell) / step));
    const sy1 = Math.min(grid.sampleRows, Math.ceil(((component.row1 + 1) * grid.cell) / step));
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let sy = sy0; sy < sy1; sy++) {
      for (let sx = sx0; sx < sx1; sx++) {
        if (!keep(sy * grid.sampleCols + sx)) continue;
        if (sx < minX) minX = sx;
        if (sx > maxX) maxX = sx;
        if (sy < minY) minY = sy;
        if (sy > maxY) maxY = sy;
      }
    }
    const box: Rect =
      minX <= maxX
        ? { x: minX * step, y: minY * step, width: (maxX - minX + 1) * step, height: (maxY - minY + 1) * step }
        : {
            x: component.col0 * grid.cell,
            y: component.row0 * grid.cell,
            width: (component.col1 - component.col0) * grid.cell,
            height: (component.row1 - component.row0) * grid.cell,
          };
    return padAndClamp(box, this.#o.padding, frame.width, frame.height);
  }
}
