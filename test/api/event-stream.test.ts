import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { EventStreamHub } from '../../src/api/event-stream.js';
import { LatencyWindow } from '../../src/api/latency-window.js';
import { ModelTracker } from '../../src/api/model-tracker.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { fakeParts, viewOf } from './fake-view.js';

/** A response whose socket never drains: what a frozen browser tab looks like from the server. */
class StuckResponse extends EventEmitter {
  writableLength = 0;
  destroyed = false;
  written = 0;
  writeHead(): this {
    return this;
  }
  write(chunk: string): boolean {
    this.written += 1;
    this.writableLength += Buffer.byteLength(chunk);
    return false;
  }
  end(): void {
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('EventStreamHub', () => {
  it('cuts off a client that stops reading instead of buffering its events for ever', async () => {
    const view = viewOf(fakeParts());
    const hub = new EventStreamHub({ view, latency: new LatencyWindow(), models: new ModelTracker(view), logger: silentLogger() }, { maxClients: 2, statsMs: 1, healthMs: 1000, heartbeatMs: 1000 });
    const stuck = new StuckResponse();
    hub.attach(stuck as unknown as ServerResponse);
    expect(hub.clients).toBe(1);
    await expect.poll(() => stuck.destroyed, { timeout: 10_000, interval: 5 }).toBe(true);
    expect(hub.clients).toBe(0);
    expect(stuck.writableLength).toBeGreaterThan(256 * 1024);
    expect(stuck.writableLength).toBeLessThan(512 * 1024);
    hub.closeAll();
  });
});
