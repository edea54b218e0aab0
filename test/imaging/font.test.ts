import { describe, expect, it } from 'vitest';
import { CHAR_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns, glyphPixel, measureText } from '../../src/imaging/font.js';

/** The glyph as 8 strings of 5 characters, '#' for a set pixel, top row first. */
function rows(char: string): string[] {
  const out: string[] = [];
  for (let row = 0; row < GLYPH_HEIGHT; row++) {
    let line = '';
    for (let col = 0; col < GLYPH_WIDTH; col++) line += glyphPixel(char, col, row) ? '#' : '.';
    out.push(line);
  }
  return out;
}

describe('font', () => {
  it('draws known glyphs bit for bit', () => {
    expect(rows('A')).toEqual(['.###.', '#...#', '#...#', '#...#', '#####', '#...#', '#...#', '.....']);
    expect(rows('1')).toEqual(['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.', '.....']);
    expect(rows('T')).toEqual(['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..', '.....']);
    expect(rows(':')).toEqual(['.....', '.##..', '.##..', '.....', '.##..', '.##..', '.....', '.....']);
    expect(rows(' ')).toEqual(Array.from({ length: 8 }, () => '.....'));
  });

  it('uses the eighth row only for descenders', () => {
    const lastRowSet = (c: string): boolean => [0, 1, 2, 3, 4].some((col) => glyphPixel(c, col, 7));
    for (const c of 'gjpqy') expect(lastRowSet(c), c).toBe(true);
    for (const c of 'ABCXYZ0123456789abcdefhiklmnorstuvwxz') expect(lastRowSet(c), c).toBe(false);
  });

  it('gives every printable character its own glyph', () => {
    const seen = new Map<string, string>();
    for (let code = 33; code <= 126; code++) {
      const char = String.fromCharCode(code);
      const key = [...glyphColumns(char)].join(',');
      expect(key, `glyph of ${char} is empty`).not.toBe('0,0,0,0,0');
      const clash = seen.get(key);
      // 'l' and '1'-like pairs are allowed to differ only; identical bitmaps would make text ambiguous.
      expect(clash, `${char} has the same bitmap as ${clash ?? ''}`).toBeUndefined();
      seen.set(key, char);
    }
  });

  it('draws characters outside printable ASCII as ?', () => {
    expect(rows('\u00e9')).toEqual(rows('?'));
    expect(rows('\t')).toEqual(rows('?'));
    expect(glyphPixel('A', 5, 0)).toBe(false);
    expect(glyphPixel('A', 0, -1)).toBe(false);
  });

  it('measures text', () => {
    expect(measureText('')).toEqual({ width: 0, height: 0 });
    expect(measureText('A')).toEqual({ width: GLYPH_WIDTH, height: GLYPH_HEIGHT });
    expect(measureText('12:34', 3)).toEqual({ width: (5 * CHAR_ADVANCE - 1) * 3, height: GLYPH_HEIGHT * 3 });
  });
});
