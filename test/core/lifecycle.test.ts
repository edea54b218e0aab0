import { describe, expect, it } from 'vitest';
import { LifecycleGroup, type Lifecycle } from '../../src/core/lifecycle.js';

function part(name: string, log: string[], failStart = false): Lifecycle {
  return {
    name,
    start: () => {
      log.push(`start ${name}`);
      return failStart ? Promise.reject(new Error(`${name} broke`)) : Promise.resolve();
    },
    stop: () => {
      log.push(`stop ${name}`);
      return Promise.resolve();
    },
  };
}

describe('LifecycleGroup', () => {
  it('starts in order and stops in reverse, once', async () => {
    const log: string[] = [];
    const group = new LifecycleGroup([part('a', log), part('b', log), part('c', log)]);
    await group.start(new AbortController().signal);
    await group.stop();
    await group.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('stops what already started when a later part fails to start', async () => {
    const log: string[] = [];
    const group = new LifecycleGroup([part('a', log), part('b', log, true), part('c', log)]);
    await expect(group.start(new AbortController().signal)).rejects.toThrow('b broke');
    expect(log).toEqual(['start a', 'start b', 'stop a']);
  });

  it('does not start when already aborted', async () => {
    const log: string[] = [];
    const abort = new AbortController();
    abort.abort(new Error('no'));
    await expect(new LifecycleGroup([part('a', log)]).start(abort.signal)).rejects.toThrow('no');
    expect(log).toEqual([]);
  });

  it('reports a part that fails to stop and still stops the rest', async () => {
    const log: string[] = [];
    const failures: string[] = [];
    const bad: Lifecycle = { name: 'bad', start: () => Promise.resolve(), stop: () => Promise.reject(new Error('x')) };
    const group = new LifecycleGroup([part('a', log), bad], { onStopError: (name) => failures.push(name) });
    await group.start(new AbortController().signal);
    await group.stop();
    expect(failures).toEqual(['bad']);
    expect(log).toContain('stop a');
  });
});
