import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findExecutable, runCommand } from '../../../src/device/health/executables.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'myo-exec-'));
  await writeFile(join(dir, 'myo-fake-tool'), '#!/bin/sh\necho "hello $1"\n');
  await chmod(join(dir, 'myo-fake-tool'), 0o755);
  await writeFile(join(dir, 'myo-plain-file'), 'not a program');
  await writeFile(join(dir, 'myo-failing'), '#!/bin/sh\necho "first" >&2\necho "nvpmodel: cannot open /etc/nvpmodel.conf" >&2\nexit 2\n');
  await chmod(join(dir, 'myo-failing'), 0o755);
  await writeFile(join(dir, 'myo-hanging'), '#!/bin/sh\nexec sleep 30\n');
  await chmod(join(dir, 'myo-hanging'), 0o755);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('findExecutable', () => {
  it('finds an executable on the given search path, and not a plain file', async () => {
    expect(await findExecutable('myo-fake-tool', dir)).toBe(join(dir, 'myo-fake-tool'));
    expect(await findExecutable('myo-plain-file', dir)).toBeNull();
    expect(await findExecutable('myo-fake-tool', '')).toBeNull();
  });

  it('checks a path with a slash directly', async () => {
    expect(await findExecutable(join(dir, 'myo-fake-tool'), '')).toBe(join(dir, 'myo-fake-tool'));
    expect(await findExecutable(join(dir, 'missing'), dir)).toBeNull();
  });
});

describe('runCommand', () => {
  it('resolves with stdout', async () => {
    expect(await runCommand(join(dir, 'myo-fake-tool'), ['-q'], 5000)).toBe('hello -q\n');
  });

  it('rejects with the last stderr line on a non-zero exit', async () => {
    await expect(runCommand(join(dir, 'myo-failing'), [], 5000)).rejects.toThrow(/nvpmodel: cannot open \/etc\/nvpmodel.conf$/);
  });

  it('gives up after the timeout', async () => {
    const started = Date.now();
    await expect(runCommand(join(dir, 'myo-hanging'), [], 100)).rejects.toThrow('no answer within 100 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
