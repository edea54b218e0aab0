import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseByteRange } from '../../../src/fleet/server/byte-range.js';
import { PackageServer } from '../../../src/fleet/server/package-server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request, so paths like `/../x` reach the server unnormalised. */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const servers: PackageServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(): Promise<{ url: string; root: string }> {
  const base = mkdtempSync(join(tmpdir(), 'myo-serve-'));
  const root = join(base, 'root');
  mkdirSync(join(root, 'pkg', '1.0.0'), { recursive: true });
  writeFileSync(join(root, 'pkg', '1.0.0', 'model.onnx'), Buffer.from('0123456789'));
  writeFileSync(join(base, 'secret.txt'), 'secret');
  symlinkSync(join(base, 'secret.txt'), join(root, 'pkg', 'link.txt'));
  const server = new PackageServer({ root });
  servers.push(server);
  const { url } = await server.start();
  return { url, root };
}

describe('PackageServer', () => {
  it('serves a whole file and single byte ranges (start-, start-end, suffix)', async () => {
    const { url } = await serve();
    const whole = await get(url, '/pkg/1.0.0/model.onnx');
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.toString()).toBe('0123456789');
    const tail = await get(url, '/pkg/1.0.0/model.onnx', { range: 'bytes=4-' });
    expect([tail.status, tail.headers['content-range'], tail.body.toString()]).toEqual([206, 'bytes 4-9/10', '456789']);
    const middle = await get(url, '/pkg/1.0.0/model.onnx', { range: 'bytes=2-3' });
    expect([middle.status, middle.body.toString()]).toEqual([206, '23']);
    const suffix = await get(url, '/pkg/1.0.0/model.onnx', { range: 'bytes=-3' });
    expect([suffix.status, suffix.body.toString()]).toEqual([206, '789']);
    const beyond = await get(url, '/pkg/1.0.0/model.onnx', { range: 'bytes=10-' });
    expect([beyond.status, beyond.headers['content-range']]).toEqual([416, 'bytes */10']);
    const head = await get(url, '/pkg/1.0.0/model.onnx', {}, 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '10', 0]);
  });

  it.each(['/../secret.txt', '/pkg/..%2F..%2Fsecret.txt', '/%2e%2e/secret.txt', '/pkg/link.txt', '/pkg', '/pkg/1.0.0/.hidden', '/', '/pkg/1.0.0/model.onnx%00'])(
    'never serves outside its root or anything but a regular file: %s',
    async (path) => {
      const { url } = await serve();
      const answer = await get(url, path);
      expect(answer.status).toBe(404);
      expect(answer.body.toString()).not.toContain('secret');
    },
  );

  it('answers only GET and HEAD', async () => {
    const { url } = await serve();
    expect((await get(url, '/pkg/1.0.0/model.onnx', {}, 'PUT')).status).toBe(405);
  });

  it('stop() is idempotent and frees the port', async () => {
    const server = new PackageServer({ root: tmpdir() });
    const { url } = await server.start();
    await server.stop();
    await server.stop();
    await expect(get(url, '/x')).rejects.toThrow();
  });
});

describe('parseByteRange', () => {
  it.each([
    [undefined, { kind: 'whole' }],
    ['bytes=0-', { kind: 'partial', start: 0, end: 9 }],
    ['bytes=5-100', { kind: 'partial', start: 5, end: 9 }],
    ['bytes=-20', { kind: 'partial', start: 0, end: 9 }],
    ['bytes=7-3', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-1,4-5', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
  ])('%s of 10 bytes -> %o', (header, expected) => {
    expect(parseByteRange(header, 10)).toEqual(expected);
  });
});
