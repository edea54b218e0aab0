import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxMessage } from '../src/telemetry/outbox/outbox.js';
import { SqliteOutbox } from '../src/telemetry/outbox/sqlite-outbox.js';
import type { BenchModule } from './types.js';

const PAYLOAD_BYTES = 300;
const BATCH_SIZE = 100;
const DRAIN_PEEK = 100;

/** A 300-byte JSON payload, about the size of an event or exam summary. */
function message(index: number): OutboxMessage {
  const head = JSON.stringify({ index, type: 'signal_lost', at: '2026-01-01T00:00:00.000Z' });
  return { topic: 'myoscreen/v1/bench-cart/evt/signal_lost', payload: head.padEnd(PAYLOAD_BYTES, ' '), qos: 1, retain: false, class: 'event' };
}

function timed(work: () => void): number {
  const t0 = performance.now();
  work();
  return performance.now() - t0;
}

/**
 * The durable outbox on the real file system of this machine (a temporary folder): how many messages per second
 * enqueue() makes durable when each is its own fsynced commit (the way publishers use it), the same with 100 messages
 * per commit, and how long draining 10,000 queued messages takes when each markInFlight and ack is its own commit, as
 * in the publish loop without the network. Numbers depend mostly on the disk's fsync latency.
 */
export const run: BenchModule = async ({ quick }) => {
  const singles = quick ? 200 : 2000;
  const batched = quick ? 2000 : 20_000;
  const drainCount = quick ? 2000 : 10_000;
  const root = mkdtempSync(join(tmpdir(), 'myo-bench-outbox-'));
  try {
    const outbox = SqliteOutbox.open(join(root, 'outbox.sqlite'), { maxMessages: 1_000_000 });
    try {
      const singleMs = timed(() => {
        for (let index = 0; index < singles; index += 1) outbox.enqueue(message(index));
      });
      const batchMs = timed(() => {
        for (let start = 0; start < batched; start += BATCH_SIZE) {
          outbox.enqueueMany(Array.from({ length: BATCH_SIZE }, (_unused, offset) => message(start + offset)));
        }
      });
      // Empty it, then queue exactly drainCount messages to drain.
      for (let page = outbox.peek(10_000); page.length > 0; page = outbox.peek(10_000)) for (const entry of page) outbox.ack(entry.seq);
      for (let start = 0; start < drainCount; start += BATCH_SIZE) {
        outbox.enqueueMany(Array.from({ length: Math.min(BATCH_SIZE, drainCount - start) }, (_unused, offset) => message(start + offset)));
      }
      let drained = 0;
      const drainMs = timed(() => {
        for (let page = outbox.peek(DRAIN_PEEK); page.length > 0; page = outbox.peek(DRAIN_PEEK)) {
          for (const entry of page) {
            outbox.markInFlight(entry.seq);
            outbox.ack(entry.seq);
            drained += 1;
          }
        }
      });
      if (drained !== drainCount || outbox.size() !== 0) throw new Error(`drained ${drained} of ${drainCount}, ${outbox.size()} left`);
      return {
        name: 'outbox',
        description: `SQLite outbox (WAL, synchronous=FULL), ${PAYLOAD_BYTES}-byte payloads, on ${tmpdir()}`,
        metrics: {
          durable_enqueue_messages_per_s: (singles * 1000) / singleMs,
          durable_enqueue_ms_per_message: singleMs / singles,
          batched_enqueue_messages_per_s: (batched * 1000) / batchMs,
          batch_size: BATCH_SIZE,
          drain_messages: drainCount,
          drain_ms: drainMs,
          drain_messages_per_s: (drainCount * 1000) / drainMs,
        },
      };
    } finally {
      outbox.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};
