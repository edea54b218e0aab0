import { describe, expect, it } from 'vitest';
import { PowerModeProbe, parseNvpmodelQuery } from '../../../src/device/health/power-mode.js';

describe('parseNvpmodelQuery', () => {
  it('reads the mode name and the id on the next line', () => {
    expect(parseNvpmodelQuery('NV Power Mode: 15W\n0\n')).toEqual({ name: '15W', id: 0 });
    expect(parseNvpmodelQuery('NV Power Mode: MAXN_SUPER\n2\n')).toEqual({ name: 'MAXN_SUPER', id: 2 });
  });

  it('finds the mode among warnings and verbose prefixes', () => {
    const verbose = [
      'NVPM WARN: fan mode is not set!',
      'NVPM VERB: Config file: /etc/nvpmodel.conf',
      'NVPM VERB: Current mode: NV Power Mode: 25W',
      '1',
      'NVPM VERB: PARAM CPU_ONLINE: ARG CORE_0: PATH /sys/devices/system/cpu/cpu0/online: REAL_VAL: 1 CONF_VAL: 1',
    ].join('\n');
    expect(parseNvpmodelQuery(verbose)).toEqual({ name: '25W', id: 1 });
  });

  it('gives a null id when the id line is missing or not a number', () => {
    expect(parseNvpmodelQuery('NV Power Mode: 7W')).toEqual({ name: '7W', id: null });
    expect(parseNvpmodelQuery('NV Power Mode: 7W\nNVPM WARN: something\n')).toEqual({ name: '7W', id: null });
  });

  it('returns null without a mode line', () => {
    expect(parseNvpmodelQuery('')).toBeNull();
    expect(parseNvpmodelQuery('nvpmodel: command not found')).toBeNull();
    expect(parseNvpmodelQuery('NV Power Mode:   \n0')).toBeNull();
  });
});

describe('PowerModeProbe', () => {
  it('is known(null) where there is no nvpmodel, and looks it up only once', async () => {
    let lookups = 0;
    const probe = new PowerModeProbe({
      find: () => {
        lookups += 1;
        return Promise.resolve(null);
      },
      run: () => Promise.reject(new Error('must not run')),
    });
    expect(await probe.read()).toEqual({ state: 'known', value: null });
    expect(await probe.read()).toEqual({ state: 'known', value: null });
    expect(lookups).toBe(1);
  });

  it('runs `nvpmodel -q` and parses it', async () => {
    const calls: string[][] = [];
    const probe = new PowerModeProbe({
      find: (name) => Promise.resolve(`/usr/sbin/${name}`),
      run: (file, args) => {
        calls.push([file, ...args]);
        return Promise.resolve('NV Power Mode: 15W\n0\n');
      },
    });
    expect(await probe.read()).toEqual({ state: 'known', value: { name: '15W', id: 0 } });
    expect(calls).toEqual([['/usr/sbin/nvpmodel', '-q']]);
  });

  it('is unknown with the reason when nvpmodel fails or prints nothing useful', async () => {
    const failing = new PowerModeProbe({ find: () => Promise.resolve('/usr/sbin/nvpmodel'), run: () => Promise.reject(new Error('no answer within 3000 ms')) });
    expect(await failing.read()).toEqual({ state: 'unknown', reason: 'nvpmodel -q failed: no answer within 3000 ms' });
    const odd = new PowerModeProbe({ find: () => Promise.resolve('/usr/sbin/nvpmodel'), run: () => Promise.resolve('Segmentation fault\n') });
    expect(await odd.read()).toEqual({ state: 'unknown', reason: 'nvpmodel -q printed no power mode: Segmentation fault' });
  });
});
