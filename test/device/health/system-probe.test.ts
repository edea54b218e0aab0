import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SystemProbe, mountContaining, type SystemInformationPort } from '../../../src/device/health/system-probe.js';

const healthy: SystemInformationPort = {
  currentLoad: () => Promise.resolve({ currentLoad: 37.5 }),
  mem: () => Promise.resolve({ total: 8_000, used: 3_000, available: 5_000 }),
  fsSize: () =>
    Promise.resolve([
      { fs: 'overlay', size: 1000, used: 100, available: 900, mount: '/' },
      { fs: '/dev/nvme0n1p2', size: 500, used: 400, available: 60, mount: '/var/lib' },
      { fs: 'tmpfs', size: 10, used: 0, available: 10, mount: '/var/lib/other' },
    ]),
  cpuTemperature: () => Promise.resolve({ main: 41.5, max: 44 }),
};

function probe(overrides: Partial<SystemInformationPort> = {}, timeoutMs = 1000): SystemProbe {
  return new SystemProbe({ si: { ...healthy, ...overrides }, timeoutMs });
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

describe('SystemProbe with a fake systeminformation', () => {
  it('turns the raw figures into readings', async () => {
    const p = probe();
    expect(await p.cpuLoad()).toEqual({ state: 'known', value: { loadRatio: 0.375 } });
    expect(await p.memory()).toEqual({ state: 'known', value: { totalBytes: 8000, usedBytes: 3000, availableBytes: 5000 } });
    expect(await p.cpuTemperature()).toEqual({ state: 'known', value: { mainC: 41.5, maxC: 44 } });
  });

  it('answers unknown with the reason when a call hangs, instead of waiting forever', async () => {
    const p = probe({ mem: never, currentLoad: never }, 50);
    const started = Date.now();
    const [memory, load] = await Promise.all([p.memory(), p.cpuLoad()]);
    expect(memory).toEqual({ state: 'unknown', reason: 'memory gave no answer within 50 ms' });
    expect(load).toEqual({ state: 'unknown', reason: 'CPU load gave no answer within 50 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers unknown with the reason when a call throws or returns nonsense', async () => {
    const p = probe({
      cpuTemperature: () => Promise.reject(Object.assign(new Error('read failed'), { code: 'EIO' })),
      currentLoad: () => Promise.resolve({ currentLoad: Number.NaN }),
      mem: () => Promise.resolve({ total: 0, used: 0, available: 0 }),
    });
    expect(await p.cpuTemperature()).toEqual({ state: 'unknown', reason: 'CPU temperature failed: EIO: read failed' });
    expect(await p.cpuLoad()).toEqual({ state: 'unknown', reason: 'CPU load is not a number (NaN)' });
    expect((await p.memory()).state).toBe('unknown');
  });

  it('maps tegra and systeminformation "no sensor" values to null', async () => {
    expect(await probe({ cpuTemperature: () => Promise.resolve({ main: -256, max: null }) }).cpuTemperature()).toEqual({
      state: 'known',
      value: { mainC: null, maxC: null },
    });
  });

  it('finds the file system holding a folder that does not exist yet through its nearest ancestor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myo-disk-'));
    try {
      const disk = await probe().disk(join(dir, 'state', 'not-yet'));
      expect(disk.state).toBe('known');
      if (disk.state === 'known') expect(disk.value.path).toBe(join(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back to statfs when no listed mount holds the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myo-disk-'));
    try {
      const disk = await probe({ fsSize: () => Promise.resolve([{ fs: 'tmpfs', size: 10, used: 0, available: 10, mount: '/run/none' }]) }).disk(dir);
      expect(disk.state).toBe('known');
      if (disk.state !== 'known') return;
      expect(disk.value.mount).toBeNull();
      expect(disk.value.filesystem).toMatch(/^statfs type 0x[0-9a-f]+$/);
      expect(disk.value.sizeBytes).toBeGreaterThan(10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not trust a listed mount that is another device than the folder (fsSize leaves tmpfs-like ones out)', async () => {
    // /proc is never on the root file system's device: the "/" entry matches by prefix but is the wrong disk. statfs
    // on procfs reports no blocks at all, which the probe refuses rather than calling it a full disk.
    const disk = await probe({ fsSize: () => Promise.resolve([{ fs: '/dev/sda1', size: 1000, used: 0, available: 1000, mount: '/' }]) }).disk('/proc/self');
    expect(disk.state).toBe('unknown');
    if (disk.state === 'unknown') expect(disk.reason).toMatch(/^file system of \/proc\/\d+ reports an implausible size \(0\)$/);
  });

  it('is unknown when the folder cannot be examined at all', async () => {
    const disk = await probe({ fsSize: () => Promise.reject(new Error('df: command not found')) }).disk('/');
    expect(disk).toEqual({ state: 'unknown', reason: 'disk size failed: df: command not found' });
  });
});

describe('mountContaining', () => {
  const mounts = [{ mount: '/' }, { mount: '/var/lib' }, { mount: '/var/lib/other' }, { mount: '/var/li' }, { mount: '/data/' }];
  it.each([
    ['/var/lib/myoscreen', '/var/lib'],
    ['/var/lib', '/var/lib'],
    ['/var/library', '/'],
    ['/var/lib/other/x', '/var/lib/other'],
    ['/data/state', '/data/'],
    ['/home', '/'],
  ])('%s is on %s', (folder, mount) => {
    expect(mountContaining(folder, mounts)?.mount).toBe(mount);
  });

  it('is null without a root mount when nothing matches', () => {
    expect(mountContaining('/home', [{ mount: '/run' }])).toBeNull();
  });
});

describe('SystemProbe against this machine (shapes only)', () => {
  it('reads load, memory, the disk of the temp folder and the temperature without throwing', async () => {
    const p = new SystemProbe({ timeoutMs: 10_000 });
    const [load, memory, disk, temperature] = await Promise.all([p.cpuLoad(), p.memory(), p.disk(tmpdir()), p.cpuTemperature()]);
    for (const reading of [load, memory, disk, temperature]) {
      expect(['known', 'unknown']).toContain(reading.state);
      if (reading.state === 'unknown') expect(reading.reason).toEqual(expect.any(String));
    }
    if (load.state === 'known') {
      expect(load.value.loadRatio).toBeGreaterThanOrEqual(0);
      expect(load.value.loadRatio).toBeLessThanOrEqual(1);
    }
    if (memory.state === 'known') {
      expect(memory.value.totalBytes).toBeGreaterThan(0);
      expect(memory.value.availableBytes).toBeLessThanOrEqual(memory.value.totalBytes);
    }
    if (disk.state === 'known') {
      const { path, mount, filesystem, sizeBytes, usedBytes, freeBytes } = disk.value;
      expect([typeof path, typeof mount, typeof filesystem]).toEqual(['string', 'string', 'string']);
      expect([sizeBytes, usedBytes, freeBytes].every((n) => Number.isFinite(n) && n >= 0)).toBe(true);
      expect(disk.value.freeBytes).toBeLessThanOrEqual(disk.value.sizeBytes);
    }
    if (temperature.state === 'known') {
      for (const value of [temperature.value.mainC, temperature.value.maxC]) expect(value === null || typeof value === 'number').toBe(true);
    }
    // Memory comes from /proc/meminfo on any Linux: that one must work here.
    expect(memory.state).toBe('known');
  });
});
