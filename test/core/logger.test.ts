import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createRootLogger } from '../../src/core/logger.js';

function collector(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('writes JSON lines with the device, the component and a level name', () => {
    const out = collector();
    const root = createRootLogger({ level: 'info', deviceId: 'cart-3', destination: out.stream });
    componentLogger(root, 'capture').info({ fps: 30 }, 'hello');
    componentLogger(root, 'capture').debug('not at info');
    const [line] = out.lines();
    expect(out.lines()).toHaveLength(1);
    expect(line).toMatchObject({ level: 'info', device: 'cart-3', component: 'capture', fps: 30, msg: 'hello' });
  });

  it('redacts secrets wherever the declared paths say', () => {
    const out = collector();
    const root = createRootLogger({ level: 'info', deviceId: 'cart-3', destination: out.stream });
    root.info({ mqtt: { password: 'hunter2' }, headers: { authorization: 'Bearer abc' }, token: 't' }, 'connecting');
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('Bearer abc');
    expect(text).toContain('[redacted]');
  });
});
