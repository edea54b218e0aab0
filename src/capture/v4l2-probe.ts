import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `myoscreen capture probe`: which V4L2 devices this board has and which formats each capture node offers, so a field
 * engineer can fill in `capture.v4l2.{device, inputFormat, width, height}` and `capture.fps` from facts. It reads what
 * `v4l2-ctl` (v4l-utils) prints; without v4l-utils it lists /sys/class/video4linux and says formats need it.
 */

/** One block of `v4l2-ctl --list-devices`: a card and its nodes (/dev/videoN, /dev/mediaN, /dev/v4l-subdevN). */
export interface V4l2Card {
  readonly name: string;
  /** The bus in parentheses after the name (`usb-0000:00:14.0-3`, `platform:tegra-capture-vi:1`), or null. */
  readonly bus: string | null;
  readonly nodes: readonly string[];
}

export type V4l2FrameSize =
  | { readonly kind: 'discrete'; readonly width: number; readonly height: number; readonly fps: readonly number[] }
  | {
      readonly kind: 'stepwise';
      readonly minWidth: number;
      readonly minHeight: number;
      readonly maxWidth: number;
      readonly maxHeight: number;
    };

export interface V4l2Format {
  /** The V4L2 fourcc as printed (`MJPG`, `YUYV`, `UYVY`). */
  readonly fourcc: string;
  readonly description: string;
  readonly compressed: boolean;
  readonly sizes: readonly V4l2FrameSize[];
}

export interface V4l2ProbedNode {
  readonly path: string;
  readonly card: string;
  readonly bus: string | null;
  /** Null when they could not be read (no v4l-utils, or v4l2-ctl failed on this node: see `error`). */
  readonly formats: readonly V4l2Format[] | null;
  /** The config value of `capture.v4l2.inputFormat` each format maps to, where it maps to one. */
  readonly inputFormats: readonly ('mjpeg' | 'yuyv' | 'uyvy')[];
  readonly error?: string;
}

export interface V4l2ProbeReport {
  readonly tool: 'v4l2-ctl' | 'sysfs';
  readonly nodes: readonly V4l2ProbedNode[];
  /** Things the engineer should know (v4l-utils missing, metadata nodes skipped). */
  readonly notes: readonly string[];
}

/** Runs a command; resolves with its exit code and output, rejects only when it could not be started (ENOENT). */
export type CommandRunner = (
  argv: readonly string[],
) => Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }>;

export interface V4l2ProbeDeps {
  readonly run?: CommandRunner | undefined;
  /** Root of /sys (tests point it at a fake tree). */
  readonly sysRoot?: string | undefined;
}

const HEADER = /^(\S.*?)(?:\s+\(([^()]*)\))?:\s*$/;

/** Parses `v4l2-ctl --list-devices`: unindented card lines ending in ':' followed by indented node paths. */
export function parseListDevices(text: string): V4l2Card[] {
  const cards: { name: string; bus: string | null; nodes: string[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line === '') continue;
    if (/^\s/.test(line)) {
      const node = line.trim();
      const card = cards.at(-1);
      if (card && node.startsWith('/dev/')) card.nodes.push(node);
      continue;
    }
    const header = HEADER.exec(line);
    if (header?.[1] !== undefined) cards.push({ name: header[1], bus: header[2] ?? null, nodes: [] });
  }
  return cards;
}

const NEW_FORMAT = /^\[(\d+)\]:\s*'(.{1,4})'\s*\((.*)\)\s*$/;
const DISCRETE = /^Size:\s*Discrete\s+(\d+)x(\d+)/;
const STEPWISE = /^Size:\s*(?:Stepwise|Continuous)\s+(\d+)x(\d+)\s*-\s*(\d+)x(\d+)/;
const INTERVAL = /^Interval:\s*Discrete\s+[\d.]+s\s*\(([\d.]+)\s*fps\)/;

/**
 * Parses `v4l2-ctl --list-formats-ext -d DEV`. Two layouts exist: v4l-utils >= 1.14 prints `[0]: 'MJPG'
 * (Motion-JPEG, compressed)`, older ones print `Pixel Format: 'MJPG' (compressed)` then `Name : Motion-JPEG`.
 */
export function parseListFormatsExt(text: string): V4l2Format[] {
  const formats: { fourcc: string; description: string; compressed: boolean; sizes: V4l2FrameSize[] }[] = [];
  let size: { width: number; height: number; fps: number[] } | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const current = formats.at(-1);
    const modern = NEW_FORMAT.exec(line);
    if (modern?.[2] !== undefined) {
      const description = modern[3] ?? '';
      const compressed = /,\s*compressed$/.test(description);
      formats.push({ fourcc: modern[2].trim(), description: description.replace(/,\s*compressed$/, ''), compressed, sizes: [] });
      size = null;
      continue;
    }
    const legacy = /^Pixel Format\s*:\s*'(.{1,4})'(\s*\(compressed\))?/.exec(line);
    if (legacy?.[1] !== undefined) {
      formats.push({ fourcc: legacy[1].trim(), description: '', compressed: legacy[2] !== undefined, sizes: [] });
      size = null;
      continue;
    }
    if (!current) continue;
    const name = /^Name\s*:\s*(.*)$/.exec(line);
    if (name?.[1] !== undefined && current.description === '') {
      current.description = name[1];
      continue;
    }
    const discrete = DISCRETE.exec(line);
    if (discrete) {
      size = { width: Number(discrete[1]), height: Number(discrete[2]), fps: [] };
      current.sizes.push({ kind: 'discrete', ...size, fps: size.fps });
      continue;
    }
    const stepwise = STEPWISE.exec(line);
    if (stepwise) {
      size = null;
      current.sizes.push({
        kind: 'stepwise',
        minWidth: Number(stepwise[1]),
        minHeight: Number(stepwise[2]),
        maxWidth: Number(stepwise[3]),
        maxHeight: Number(stepwise[4]),
      });
      continue;
    }
    const interval = INTERVAL.exec(line);
    if (interval && size) size.fps.push(Number(interval[1]));
  }
  return formats;
}

/** The `capture.v4l2.inputFormat` a V4L2 fourcc corresponds to, if the pipelines can take it. */
export function inputFormatOf(fourcc: string): 'mjpeg' | 'yuyv' | 'uyvy' | null {
  switch (fourcc) {
    case 'MJPG':
    case 'JPEG':
      return 'mjpeg';
    case 'YUYV':
      return 'yuyv';
    case 'UYVY':
      return 'uyvy';
    default:
      return null;
  }
}

const defaultRunner: CommandRunner = (argv) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    if (file === undefined) {
      reject(new Error('empty command'));
      return;
    }
    execFile(file, args, { timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') {
        reject(Object.assign(new Error(`${file} not found`), { code }));
        return;
      }
      const exit = error ? (typeof (error as { code?: unknown }).code === 'number' ? Number((error as { code?: unknown }).code) : 1) : 0;
      resolve({ code: exit, stdout, stderr });
    });
  });

function isMissingTool(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ENOENT';
}

/** Lists V4L2 nodes and their formats with v4l2-ctl, or their names from sysfs where v4l-utils is not installed. */
export async function probeV4l2Devices(deps: V4l2ProbeDeps = {}): Promise<V4l2ProbeReport> {
  const run = deps.run ?? defaultRunner;
  let listing;
  try {
    listing = await run(['v4l2-ctl', '--list-devices']);
  } catch (error) {
    if (isMissingTool(error)) return probeSysfs(deps.sysRoot ?? '/sys');
    throw error;
  }
  const cards = parseListDevices(listing.stdout);
  const notes: string[] = [];
  if (cards.length === 0) notes.push(listing.stderr.trim() || 'no V4L2 devices found');
  const nodes: V4l2ProbedNode[] = [];
  for (const card of cards) {
    for (const path of card.nodes.filter((n) => /^\/dev\/video\d+$/.test(n))) {
      const result = await run(['v4l2-ctl', '--device', path, '--list-formats-ext']);
      const base = { path, card: card.name, bus: card.bus };
      if (result.code !== 0) {
        nodes.push({ ...base, formats: null, inputFormats: [], error: result.stderr.trim() || `v4l2-ctl exited ${result.code}` });
        continue;
      }
      const formats = parseListFormatsExt(result.stdout);
      if (formats.length === 0) notes.push(`${path} (${card.name}) offers no capture formats: a metadata node, not the one to configure`);
      const inputFormats = [...new Set(formats.map((f) => inputFormatOf(f.fourcc)).filter((f) => f !== null))];
      nodes.push({ ...base, formats, inputFormats });
    }
  }
  return { tool: 'v4l2-ctl', nodes, notes };
}

async function probeSysfs(sysRoot: string): Promise<V4l2ProbeReport> {
  const dir = join(sysRoot, 'class', 'video4linux');
  let entries: string[];
  try {
    entries = (await readdir(dir)).filter((e) => e.startsWith('video')).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  } catch {
    entries = [];
  }
  const nodes: V4l2ProbedNode[] = [];
  for (const entry of entries) {
    const name = await readFile(join(dir, entry, 'name'), 'utf8').then(
      (text) => text.trim(),
      () => '(unknown)',
    );
    nodes.push({ path: `/dev/${entry}`, card: name, bus: null, formats: null, inputFormats: [] });
  }
  const notes = ['v4l2-ctl not found: install v4l-utils (apt-get install v4l-utils) to list each node\'s formats'];
  if (nodes.length === 0) notes.push(`no V4L2 devices under ${dir}`);
  return { tool: 'sysfs', nodes, notes };
}
