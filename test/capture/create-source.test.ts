import { describe, expect, it } from 'vitest';
import { createFrameSource } from '../../src/capture/create-source.js';
import { FileFrameSource } from '../../src/capture/file-source.js';
import { PhantomFrameSource } from '../../src/capture/phantom-source.js';
import { V4l2FrameSource } from '../../src/capture/v4l2-source.js';
import { ManualClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/event-bus.js';
import { captureConfig, silentLogger } from './helpers.js';

describe('createFrameSource', () => {
  const deps = { bus: new EventBus(), clock: new ManualClock(), logger: silentLogger() };

  it('builds the source capture.source names', () => {
    const phantom = createFrameSource(captureConfig({ source: 'phantom' }), deps);
    const file = createFrameSource(captureConfig({ source: 'file', file: { path: '/data/exam.y4m' } }), deps);
    const v4l2 = createFrameSource(captureConfig({ source: 'v4l2' }), deps);
    expect(phantom).toBeInstanceOf(PhantomFrameSource);
    expect(file).toBeInstanceOf(FileFrameSource);
    expect(v4l2).toBeInstanceOf(V4l2FrameSource);
    expect([phantom.name, file.name, v4l2.name]).toEqual(['phantom', 'file', 'v4l2']);
    for (const source of [phantom, file, v4l2]) {
      expect(source.stats()).toEqual({ produced: 0, dropped: 0, connects: 0, connected: false });
    }
  });
});
