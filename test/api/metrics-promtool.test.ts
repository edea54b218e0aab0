import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { PhantomFrameSource } from '../../src/capture/phantom-source.js';
import { deepFreeze } from '../../src/core/config/load.js';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { FakeEngine } from '../../src/infer/engine/fake-engine.js';
import { MemoryExamStore } from '../../src/records/memory-exam-store.js';
import { oneExamScript } from '../helpers/one-exam-script.js';
import { silentLogger } from '../helpers/silent-logger.js';

let daemon: Daemon | null = null;
afterEach(async () => {
  await daemon?.stop();
  daemon = null;
});

/** Debian's promtool: `check metrics` reads the exposition on stdin, prints every problem, exits non-zero on any. */
function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

describe('/metrics on a running daemon', () => {
  it('passes promtool check metrics on a live scrape (after frames and an inference ran)', async () => {
    daemon = createDaemon({
      config: deepFreeze(
        Value.Default(ConfigSchema, {
          state: { dir: mkdtempSync(join(tmpdir(), 'myo-prom-')) },
          api: { port: 0 },
          mqtt: { embedded: { port: 0 } },
          display: { logEmulator: false },
          capture: { phantom: { width: 640, height: 360 } },
        }) as Config,
      ),
      logger: silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.6 }),
      examStore: new MemoryExamStore(),
      createSource: (capture, deps) => new PhantomFrameSource({ config: capture, ...deps, script: oneExamScript(10) }),
    });
    await daemon.start(new AbortController().signal);
    const base = `http://127.0.0.1:${daemon.apiAddress()?.port ?? 0}`;
    await expect.poll(async () => (await fetch(`${base}/metrics`)).text(), { timeout: 15_000, interval: 500 }).toMatch(/myoscreen_pipeline_frames_taken_total\{[^}]*\} [1-9]/);
    const text = await (await fetch(`${base}/metrics`)).text();
    const result = await promtoolCheck(text);
    expect(result.output.trim(), 'promtool findings').toBe('');
    expect(result.code).toBe(0);
  }, 30_000);
});
