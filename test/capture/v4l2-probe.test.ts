import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inputFormatOf, parseListDevices, parseListFormatsExt, probeV4l2Devices, type CommandRunner } from '../../src/capture/v4l2-probe.js';
import { runCli } from '../../src/cli/index.js';
import { captureCommand } from '../../src/cli/capture-command.js';
import type { CliIo } from '../../src/cli/output.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/v4l2/${name}`, import.meta.url), 'utf8');

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env: {}, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

/** A stand-in for v4l2-ctl answering from the fixtures: two grabbers, each with a capture and a metadata node. */
const fakeV4l2Ctl: CommandRunner = (argv) => {
  const key = argv.join(' ');
  if (key === 'v4l2-ctl --list-devices') return Promise.resolve({ code: 0, stdout: fixture('list-devices-two-hdmi-grabbers.txt'), stderr: '' });
  const device = argv[2];
  if (device === '/dev/video0' || device === '/dev/video2') return Promise.resolve({ code: 0, stdout: fixture('formats-ms2109-modern.txt'), stderr: '' });
  if (device === '/dev/video1') return Promise.resolve({ code: 0, stdout: fixture('formats-metadata-node.txt'), stderr: '' });
  return Promise.resolve({ code: 255, stdout: '', stderr: `Cannot open device ${device ?? ''}, exiting.` });
};

describe('parseListDevices', () => {
  it('reads each card with its bus and nodes', () => {
    expect(parseListDevices(fixture('list-devices-two-hdmi-grabbers.txt'))).toEqual([
      { name: 'USB3.0 HD VIDEO: USB3.0 HD VIDE', bus: 'usb-0000:00:14.0-3', nodes: ['/dev/video0', '/dev/video1', '/dev/media0'] },
      { name: 'USB Video: USB Video', bus: 'usb-0000:00:14.0-4', nodes: ['/dev/video2', '/dev/video3', '/dev/media1'] },
    ]);
  });

  it('keeps a card name that itself contains parentheses, and a card without a bus', () => {
    const text = 'UVC Camera (046d:0825) (usb-0000:00:14.0-5):\n\t/dev/video0\n\nvi-output, tc358743 9-000f:\n\t/dev/video0\n';
    expect(parseListDevices(text)).toEqual([
      { name: 'UVC Camera (046d:0825)', bus: 'usb-0000:00:14.0-5', nodes: ['/dev/video0'] },
      { name: 'vi-output, tc358743 9-000f', bus: null, nodes: ['/dev/video0'] },
    ]);
  });
});

describe('parseListFormatsExt', () => {
  it('reads the modern layout: fourcc, compression, discrete sizes and their rates', () => {
    const formats = parseListFormatsExt(fixture('formats-ms2109-modern.txt'));
    expect(formats.map((f) => [f.fourcc, f.description, f.compressed, f.sizes.length])).toEqual([
      ['MJPG', 'Motion-JPEG', true, 7],
      ['YUYV', 'YUYV 4:2:2', false, 2],
    ]);
    expect(formats[0]?.sizes[3]).toEqual({ kind: 'discrete', width: 1920, height: 1080, fps: [30, 25] });
    expect(formats[1]?.sizes[0]).toEqual({ kind: 'discrete', width: 1920, height: 1080, fps: [5] });
  });

  it('reads the legacy layout, including a stepwise size', () => {
    const formats = parseListFormatsExt(fixture('formats-legacy-layout.txt'));
    expect(formats.map((f) => [f.fourcc, f.description, f.compressed])).toEqual([
      ['YUYV', 'YUV 4:2:2 (YUYV)', false],
      ['MJPG', 'Motion-JPEG', true],
      ['YU12', 'Planar YUV 4:2:0', false],
    ]);
    expect(formats[1]?.sizes[1]).toEqual({ kind: 'discrete', width: 1920, height: 1080, fps: [30, 20] });
    expect(formats[2]?.sizes).toEqual([{ kind: 'stepwise', minWidth: 32, minHeight: 32, maxWidth: 2592, maxHeight: 1944 }]);
  });

  it('finds no format on a metadata node', () => {
    expect(parseListFormatsExt(fixture('formats-metadata-node.txt'))).toEqual([]);
  });

  it('maps fourccs to capture.v4l2.inputFormat', () => {
    expect(['MJPG', 'YUYV', 'UYVY', 'NV12'].map(inputFormatOf)).toEqual(['mjpeg', 'yuyv', 'uyvy', null]);
  });
});

describe('probeV4l2Devices', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('asks v4l2-ctl for every video node, flags metadata nodes and reports a node that fails', async () => {
    const report = await probeV4l2Devices({ run: fakeV4l2Ctl });
    expect(report.tool).toBe('v4l2-ctl');
    expect(report.nodes.map((n) => [n.path, n.formats?.length ?? null, n.inputFormats])).toEqual([
      ['/dev/video0', 2, ['mjpeg', 'yuyv']],
      ['/dev/video1', 0, []],
      ['/dev/video2', 2, ['mjpeg', 'yuyv']],
      ['/dev/video3', null, []],
    ]);
    expect(report.nodes[3]?.error).toBe('Cannot open device /dev/video3, exiting.');
    expect(report.notes.join('\n')).toContain('/dev/video1 (USB3.0 HD VIDEO: USB3.0 HD VIDE) offers no capture formats');
  });

  it('falls back to sysfs names and says formats need v4l-utils when v4l2-ctl is missing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'myo-sysfs-'));
    dirs.push(root);
    for (const [node, name] of [['video10', 'vi-output, tc358743 9-000f'], ['video0', 'USB Video: USB Video']] as const) {
      mkdirSync(join(root, 'class', 'video4linux', node), { recursive: true });
      writeFileSync(join(root, 'class', 'video4linux', node, 'name'), `${name}\n`);
    }
    const missing: CommandRunner = () => Promise.reject(Object.assign(new Error('v4l2-ctl not found'), { code: 'ENOENT' }));
    const report = await probeV4l2Devices({ run: missing, sysRoot: root });
    expect(report.tool).toBe('sysfs');
    expect(report.nodes.map((n) => [n.path, n.card, n.formats])).toEqual([
      ['/dev/video0', 'USB Video: USB Video', null],
      ['/dev/video10', 'vi-output, tc358743 9-000f', null],
    ]);
    expect(report.notes[0]).toContain('install v4l-utils');
  });
});

describe('myoscreen capture probe', () => {
  it('prints a table with the largest sizes first and the notes', async () => {
    const io = capture();
    expect(await captureCommand(['probe'], io, { run: fakeV4l2Ctl })).toBe(0);
    const text = io.out.join('');
    expect(text).toMatch(/\/dev\/video0\s+USB3\.0 HD VIDEO: USB3\.0 HD VIDE \(usb-0000:00:14\.0-3\)\s+MJPG \(compressed\)\s+1920x1080@30 1024x576@30/);
    expect(text).toContain('no capture formats (metadata node)');
    expect(text).toContain('(read with v4l2-ctl)');
  });

  it('--json prints exactly one JSON object', async () => {
    const io = capture();
    expect(await captureCommand(['probe', '--json'], io, { run: fakeV4l2Ctl })).toBe(0);
    expect(io.out).toHaveLength(1);
    const parsed = JSON.parse(io.out[0] ?? '') as { tool: string; nodes: unknown[] };
    expect(parsed.tool).toBe('v4l2-ctl');
    expect(parsed.nodes).toHaveLength(4);
  });

  it('is registered in the dispatcher and refuses an unknown subcommand with the usage exit code', async () => {
    const io = capture();
    expect(await runCli(['capture', 'list'], io)).toBe(64);
    expect(io.err.join('')).toContain('MYO_ERR_USAGE');
    expect(io.err.join('')).toContain('capture probe');
  });
});
