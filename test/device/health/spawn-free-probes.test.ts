import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuTemperatureFromHwmon, createCpuLoadSampler, fsSizeFromMounts, parseProcStatCpu } from '../../../src/device/health/spawn-free-probes.js';

describe('spawn-free health readings', () => {
  it('lists real file systems from /proc/self/mounts with statfs numbers, skipping pseudo file systems', async () => {
    const proc = mkdtempSync(join(tmpdir(), 'myo-proc-'));
    mkdirSync(join(proc, 'self'));
    const spaced = mkdtempSync(join(tmpdir(), 'myo mount '));
    writeFileSync(
      join(proc, 'self', 'mounts'),
      [
        'proc /proc proc rw 0 0',
        'sysfs /sys sysfs rw 0 0',
        `/dev/root / ext4 rw 0 0`,
        `/dev/sdb1 ${spaced.replace(/ /g, '\\040')} ext4 rw 0 0`,
        '/dev/gone /no/such/mount ext4 rw 0 0',
        '',
      ].join('\n'),
    );
    const mounts = await fsSizeFromMounts(proc);
    expect(mounts.map((m) => m.mount)).toEqual(['/', spaced]);
    for (const m of mounts) {
      expect(m.size).toBeGreaterThan(0);
      expect(m.available).toBeLessThanOrEqual(m.size);
      expect(m.used).toBeGreaterThanOrEqual(0);
    }
  });

  it('reads CPU temperatures from hwmon chips that measure the CPU only', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'myo-sys-'));
    const chip = (n: string, name: string, temps: Record<string, string>): void => {
      const dir = join(sys, 'class', 'hwmon', n);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'name'), `${name}\n`);
      for (const [file, value] of Object.entries(temps)) writeFileSync(join(dir, file), `${value}\n`);
    };
    chip('hwmon0', 'nvme', { temp1_input: '90000' });
    chip('hwmon1', 'coretemp', { temp1_input: '52000', temp2_input: '61500', temp2_label: 'Core 0' });
    expect(await cpuTemperatureFromHwmon(sys)).toEqual({ main: 52, max: 61.5 });
    expect(await cpuTemperatureFromHwmon(join(sys, 'missing'))).toEqual({ main: null, max: null });
  });

  it('reads CPU load from /proc/stat between two calls, without a child process', async () => {
    // A real line layout (Linux 6.1): user nice system idle iowait irq softirq steal guest guest_nice.
    expect(parseProcStatCpu('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n')).toEqual({ busy: 150, total: 1000 });
    expect(parseProcStatCpu('intr 1 2 3\n')).toBeNull();
    expect(parseProcStatCpu('cpu  a b c d\n')).toBeNull();
    const proc = mkdtempSync(join(tmpdir(), 'myo-stat-'));
    const stat = (user: number, idle: number): void => writeFileSync(join(proc, 'stat'), `cpu  ${user} 0 0 ${idle} 0 0 0 0 0 0\nctxt 1\n`);
    const sample = createCpuLoadSampler(proc);
    stat(100, 300);
    expect((await sample()).currentLoad).toBeCloseTo(25); // since boot
    stat(175, 325); // 75 busy of 100 since the last call
    expect((await sample()).currentLoad).toBeCloseTo(75);
    stat(175, 325); // no time passed
    expect((await sample()).currentLoad).toBe(0);
    writeFileSync(join(proc, 'stat'), 'nothing here\n');
    await expect(sample()).rejects.toThrow(/no aggregate cpu line/);
    // And on this machine's real /proc.
    const real = createCpuLoadSampler();
    await real();
    await new Promise((r) => setTimeout(r, 50));
    const load = (await real()).currentLoad;
    expect(load).toBeGreaterThanOrEqual(0);
    expect(load).toBeLessThanOrEqual(100);
  });
});
