import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ffmpegV4l2Pipeline, gstreamerV4l2Pipeline, withDvTimingsQuery } from '../../src/capture/capture-pipelines.js';
import { v4l2Pipeline } from '../../src/capture/v4l2-source.js';
import { captureConfig } from './helpers.js';

const UYVY = { device: '/dev/video0', inputFormat: 'uyvy' as const, width: 1920, height: 1080, fps: 60 };

describe('UYVY capture (the TC358743 bridge)', () => {
  it('GStreamer takes raw UYVY and converts with nvvidconv on a Jetson', () => {
    const { argv, output } = gstreamerV4l2Pipeline({ ...UYVY, decoder: 'nvv4l2decoder' });
    expect(argv.join(' ')).toBe(
      'gst-launch-1.0 -q v4l2src device=/dev/video0 do-timestamp=true ! video/x-raw,format=UYVY,width=1920,height=1080,framerate=60/1 ! ' +
        'nvvidconv ! video/x-raw,format=GRAY8 ! fdsink fd=1 sync=false',
    );
    expect(output).toEqual({ format: 'raw', width: 1920, height: 1080, stride: 1920 });
  });

  it('ffmpeg asks V4L2 for uyvy422', () => {
    expect(ffmpegV4l2Pipeline(UYVY).argv).toContain('uyvy422');
  });

  it('config bridge=tc358743 forces UYVY and queries the DV timings before each attempt', () => {
    const config = captureConfig({ v4l2: { device: '/dev/myoscreen-capture', pipeline: 'gstreamer', bridge: 'tc358743', inputFormat: 'mjpeg' } });
    const { argv } = v4l2Pipeline(config, true);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).toContain('--set-dv-bt-timings query');
    expect(argv.slice(3, 6)).toEqual(['tc358743-capture', '/dev/myoscreen-capture', 'gst-launch-1.0']);
    expect(argv.join(' ')).toContain('video/x-raw,format=UYVY');
    expect(argv.join(' ')).not.toContain('jpeg');
    // a USB grabber is launched directly, without the wrapper
    expect(v4l2Pipeline(captureConfig({ v4l2: { pipeline: 'gstreamer' } }), true).argv[0]).toBe('gst-launch-1.0');
  });
});

describe('withDvTimingsQuery (run through sh with a stand-in v4l2-ctl)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function fakeV4l2Ctl(exitCode: number): { bin: string; log: string } {
    const bin = mkdtempSync(join(tmpdir(), 'myo-v4l2ctl-'));
    dirs.push(bin);
    const log = join(bin, 'calls.log');
    writeFileSync(join(bin, 'v4l2-ctl'), `#!/bin/sh\necho "$@" >> "${log}"\necho "BT timings set"\n${exitCode === 0 ? '' : 'echo "VIDIOC_QUERY_DV_TIMINGS: failed: Link has been severed" >&2\n'}exit ${exitCode}\n`);
    chmodSync(join(bin, 'v4l2-ctl'), 0o755);
    return { bin, log };
  }

  const produce = { argv: ['printf', 'FRAMEBYTES'], output: { format: 'y4m' as const } };

  it('applies the timings, keeps v4l2-ctl chatter off stdout, then execs the capture command', () => {
    const { bin, log } = fakeV4l2Ctl(0);
    const { argv } = withDvTimingsQuery('/dev/video0', produce);
    const result = spawnSync(argv[0] ?? '', argv.slice(1), { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('FRAMEBYTES');
    expect(result.stderr).toContain('BT timings set');
    expect(readFileSync(log, 'utf8').trim()).toBe('--device=/dev/video0 --set-dv-bt-timings query');
  });

  it('exits non-zero without capturing when there is no signal (ENOLINK), so the source backs off', () => {
    const { bin } = fakeV4l2Ctl(1);
    const { argv } = withDvTimingsQuery('/dev/video0', produce);
    const result = spawnSync(argv[0] ?? '', argv.slice(1), { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Link has been severed');
  });
});
