import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/event-bus.js';
import { RestartRequests } from '../../src/core/restart-requests.js';
import { silentLogger } from '../helpers/silent-logger.js';

describe('RestartRequests', () => {
  it('asks for the restart after the delay, waits for a running exam to end, and ignores a second request', async () => {
    const bus = new EventBus();
    const asked: string[] = [];
    bus.on('restartRequested', (e) => asked.push(e.reason));
    let exam = true;
    const restarts = new RestartRequests({ bus, clock: new ManualClock(), examRunning: () => exam, logger: silentLogger() });
    const first = restarts.request('new config', 50);
    expect(first).toMatchObject({ accepted: true, waitingForExam: true });
    expect(restarts.request('again', 0)).toMatchObject({ accepted: false, reason: 'new config' });
    await new Promise((r) => setTimeout(r, 700));
    expect(asked).toEqual([]);
    exam = false;
    await expect.poll(() => asked, { timeout: 2000 }).toEqual(['new config']);
    await restarts.stop();
  });

  it('forgets a pending request when stopped', async () => {
    const bus = new EventBus();
    let asked = 0;
    bus.on('restartRequested', () => (asked += 1));
    const restarts = new RestartRequests({ bus, clock: new ManualClock(), examRunning: () => false, logger: silentLogger() });
    restarts.request('x', 100);
    await restarts.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(asked).toBe(0);
  });
});
