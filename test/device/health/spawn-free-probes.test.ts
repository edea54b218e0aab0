import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuTemperatureFromHwmon, fsSizeFromMounts } from '../../../src/device/health/spawn-free-probes.js';

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
});
