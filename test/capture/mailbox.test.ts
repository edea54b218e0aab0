import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FrameMailbox, isMailboxClosed } from '../../src/capture/mailbox.js';

/** Exposes the collector so a test can prove dropped frames are really released. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('FrameMailbox', () => {
  it('hands a waiting item at once and counts the ones it replaced', async () => {
    const mailbox = new FrameMailbox<number>();
    for (let i = 1; i <= 5; i++) mailbox.put(i);
    expect(mailbox.stats()).toEqual({ put: 5, taken: 0, dropped: 4, waiting: 1 });
    expect(mailbox.peek()).toBe(5);
    await expect(mailbox.take()).resolves.toBe(5);
    expect(mailbox.stats()).toEqual({ put: 5, taken: 1, dropped: 4, waiting: 0 });
  });

  it('resolves a waiting taker with the next item put', async () => {
    const mailbox = new FrameMailbox<string>();
    const taken = mailbox.take();
    mailbox.put('a');
    mailbox.put('b');
    await expect(taken).resolves.toBe('a');
    expect(mailbox.stats()).toEqual({ put: 2, taken: 1, dropped: 0, waiting: 1 });
  });

  it('rejects a waiting taker when its signal aborts, and stays usable', async () => {
    const mailbox = new FrameMailbox<number>();
    const controller = new AbortController();
    const taken = mailbox.take(controller.signal);
    controller.abort(new Error('consumer gone'));
    await expect(taken).rejects.toThrow('consumer gone');
    mailbox.put(1);
    await expect(mailbox.take()).resolves.toBe(1);
    await expect(mailbox.take(AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('refuses a second concurrent taker', async () => {
    const mailbox = new FrameMailbox<number>();
    const first = mailbox.take();
    await expect(mailbox.take()).rejects.toThrow(/already has a taker/);
    mailbox.put(9);
    await expect(first).resolves.toBe(9);
  });

  it('after close, gives the waiting item, then rejects with a closed error; puts are ignored', async () => {
    const mailbox = new FrameMailbox<number>();
    const pending = mailbox.take();
    mailbox.close();
    const error: unknown = await pending.catch((e: unknown) => e);
    expect(isMailboxClosed(error)).toBe(true);
    const other = new FrameMailbox<number>();
    other.put(1);
    other.close();
    other.put(2);
    await expect(other.take()).resolves.toBe(1);
    expect(isMailboxClosed(await other.take().catch((e: unknown) => e))).toBe(true);
    expect(other.stats().put).toBe(1);
  });

  it('under a slow consumer: bounded memory, every replaced 1080p frame released and counted', async () => {
    const gc = collector();
    const mailbox = new FrameMailbox<{ seq: number; data: Uint8Array }>();
    const alive = new Set<number>();
    const registry = new FinalizationRegistry<number>((seq) => alive.delete(seq));
    const frameBytes = 1920 * 1080;
    const total = 240;
    const controller = new AbortController();
    const takenSeqs: number[] = [];
    const consumer = (async () => {
      for (;;) {
        let item: { seq: number; data: Uint8Array };
        try {
          item = await mailbox.take(controller.signal);
        } catch {
          return;
        }
        takenSeqs.push(item.seq);
        await sleep(15); // a slow inference
      }
    })();
    const baseline = process.memoryUsage().arrayBuffers;
    let peakExtra = 0;
    for (let seq = 0; seq < total; seq++) {
      const frame = { seq, data: new Uint8Array(frameBytes).fill(seq & 0xff) };
      alive.add(seq);
      registry.register(frame, seq);
      mailbox.put(frame);
      if (seq % 20 === 19) {
        gc();
        await sleep(1);
        peakExtra = Math.max(peakExtra, process.memoryUsage().arrayBuffers - baseline);
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const stats = mailbox.stats();
    expect(stats.put).toBe(total);
    expect(stats.put).toBe(stats.taken + stats.dropped + stats.waiting);
    expect(stats.taken).toBe(takenSeqs.length);
    expect(stats.dropped).toBeGreaterThan(total / 2);
    // Taken seqs only ever increase: the consumer always got the newest frame, never a stale queued one.
    expect(takenSeqs).toEqual([...takenSeqs].sort((a, b) => a - b));
    controller.abort();
    await consumer;
    for (let i = 0; i < 5 && alive.size > 2; i++) {
      gc();
      await sleep(5);
    }
    // What may still be referenced: the waiting frame and the one the consumer held last.
    expect(alive.size).toBeLessThanOrEqual(2);
    // 240 frames are 500 MB. Right after a collection only a few may be live; the bound leaves room for whatever
    // else the test process allocates meanwhile (the exact check is the count of live frames above).
    expect(peakExtra).toBeLessThan(120 * 1024 * 1024);
  });
});
