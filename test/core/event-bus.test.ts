import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../src/core/event-bus.js';

const roi = { roi: { x: 0, y: 0, width: 10, height: 10 }, method: 'auto' as const, at: 1 };

describe('EventBus', () => {
  it('delivers typed payloads to every listener', () => {
    const bus = new EventBus();
    const a = vi.fn();
    const b = vi.fn();
    bus.on('roiChanged', a);
    bus.on('roiChanged', b);
    bus.emit('roiChanged', roi);
    expect(a).toHaveBeenCalledWith(roi);
    expect(b).toHaveBeenCalledWith(roi);
  });

  it('keeps going when a listener throws, and reports it', () => {
    const errors: unknown[] = [];
    const bus = new EventBus((_event, error) => errors.push(error));
    const after = vi.fn();
    bus.on('roiChanged', () => {
      throw new Error('bad listener');
    });
    bus.on('roiChanged', after);
    expect(() => bus.emit('roiChanged', roi)).not.toThrow();
    expect(after).toHaveBeenCalledOnce();
    expect(errors).toHaveLength(1);
  });

  it('removes a listener by its handle and all of an owner at once', () => {
    const bus = new EventBus();
    const own = vi.fn();
    const other = vi.fn();
    const off = bus.on('roiChanged', own, 'a');
    bus.on('partStarted', own, 'a');
    bus.on('roiChanged', other, 'b');
    off();
    bus.emit('roiChanged', roi);
    expect(own).not.toHaveBeenCalled();
    bus.offOwner('a');
    expect(bus.listenerCount('partStarted')).toBe(0);
    expect(bus.listenerCount('roiChanged')).toBe(1);
  });

  it('once() resolves with the next payload and rejects on abort', async () => {
    const bus = new EventBus();
    const next = bus.once('roiChanged');
    bus.emit('roiChanged', roi);
    await expect(next).resolves.toEqual(roi);
    expect(bus.listenerCount('roiChanged')).toBe(0);
    const abort = new AbortController();
    const pending = bus.once('roiChanged', abort.signal);
    abort.abort(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
    expect(bus.listenerCount('roiChanged')).toBe(0);
  });
});
