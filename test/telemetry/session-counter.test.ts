import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextSession } from '../../src/telemetry/session-counter.js';

describe('nextSession', () => {
  it('counts up across starts and survives in its file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'myo-session-')), 'state', 'mqtt-session');
    expect(nextSession(path)).toBe(1);
    expect(nextSession(path)).toBe(2);
    expect(nextSession(path)).toBe(3);
  });

  it('starts again at 1 over a garbled file instead of failing the daemon', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'myo-session-')), 'mqtt-session');
    writeFileSync(path, 'not a number');
    expect(nextSession(path)).toBe(1);
  });
});
