import { describe, expect, it } from 'vitest';
import { BModeRenderer } from '../../../src/capture/phantom/bmode-renderer.js';
import { createCase } from '../../../src/capture/phantom/sample-case.js';
import { CINE_FRAMES, CineLoop, pingPong } from '../../../src/capture/phantom/screen-cine.js';

describe('pingPong', () => {
  it('plays forward then backward without repeating the ends', () => {
    expect(Array.from({ length: 10 }, (_, i) => pingPong(i, 4))).toEqual([0, 1, 2, 3, 2, 1, 0, 1, 2, 3]);
    expect(pingPong(0, 1)).toBe(0);
    expect(pingPong(7, 1)).toBe(0);
    // Consecutive offsets never show the same frame twice in a row (so a playing cine never looks frozen).
    for (let i = 1; i < 200; i++) expect(pingPong(i, CINE_FRAMES)).not.toBe(pingPong(i - 1, CINE_FRAMES));
  });
});

describe('CineLoop', () => {
  it('renders frames lazily at the render size, scales them to the box and keeps them', () => {
    const loop = new CineLoop(createCase(3), new BModeRenderer(), 96, 150);
    expect(loop.rendered).toBe(0);
    expect(loop.nextMissing()).toBe(0);
    const f0 = loop.frame(0);
    expect(f0.width).toBe(150);
    expect(f0.height).toBe(150);
    expect(loop.frame(0)).toBe(f0);
    expect(loop.rendered).toBe(1);
    expect(loop.has(0)).toBe(true);
    expect(loop.nextMissing()).toBe(1);
    const f1 = loop.frame(1);
    let diff = 0;
    for (let i = 0; i < f0.data.length; i++) diff += Math.abs(f0.data[i]! - f1.data[i]!);
    expect(diff / f0.data.length).toBeGreaterThan(0.5);
    expect(loop.nextMissing(CINE_FRAMES - 1)).toBe(CINE_FRAMES - 1);
  });
});
