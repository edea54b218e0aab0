/** A bounding box and size of one connected group of cells. */
export interface CellComponent {
  readonly cells: number;
  readonly col0: number;
  readonly row0: number;
  /** Exclusive. */
  readonly col1: number;
  readonly row1: number;
}

/**
 * The largest 8-connected component of set cells in a cols x rows grid, or null when none is set. Iterative flood
 * fill with one reusable stack, so a full 1080p grid (120 x 68 cells) costs well under a millisecond.
 */
export function largestComponent(mask: Uint8Array, cols: number, rows: number): CellComponent | null {
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best: CellComponent | null = null;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let cells = 0;
    let col0 = cols;
    let row0 = rows;
    let col1 = 0;
    let row1 = 0;
    while (top > 0) {
      const index = stack[--top] ?? 0;
      const row = Math.floor(index / cols);
      const col = index - row * cols;
      cells += 1;
      if (col < col0) col0 = col;
      if (row < row0) row0 = row;
      if (col + 1 > col1) col1 = col + 1;
      if (row + 1 > row1) row1 = row + 1;
      for (let dy = -1; dy <= 1; dy++) {
        const r = row + dy;
        if (r < 0 || r >= rows) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const c = col + dx;
          if (c < 0 || c >= cols) continue;
          const n = r * cols + c;
          if (mask[n] && !seen[n]) {
            seen[n] = 1;
            stack[top++] = n;
          }
        }
      }
    }
    if (!best || cells > best.cells) best = { cells, col0, row0, col1, row1 };
  }
  return best;
}
