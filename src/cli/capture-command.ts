import { parseArgs } from 'node:util';
import { MyoError } from '../core/errors.js';
import { probeV4l2Devices, type V4l2FrameSize, type V4l2ProbeDeps, type V4l2ProbeReport } from '../capture/v4l2-probe.js';
import { formatTable, printJson, type CliIo } from './output.js';

const USAGE = `usage: myoscreen capture probe [--json]
  lists V4L2 devices and the formats of each capture node (needs v4l-utils for formats)`;

/** `myoscreen capture probe`: what to put in capture.v4l2.* on this board. `deps` lets tests feed v4l2-ctl output. */
export async function captureCommand(argv: readonly string[], io: CliIo, deps: V4l2ProbeDeps = {}): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (sub !== 'probe') throw new MyoError('MYO_ERR_USAGE', `unknown capture command "${sub ?? ''}"\n${USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new MyoError('MYO_ERR_USAGE', `unexpected argument "${positionals[0] ?? ''}"\n${USAGE}`);
  const report = await probeV4l2Devices(deps);
  if (values.json) printJson(io, report);
  else io.stdout(formatProbe(report));
  return 0;
}

function describeSize(size: V4l2FrameSize): string {
  if (size.kind === 'stepwise') return `${size.minWidth}x${size.minHeight}-${size.maxWidth}x${size.maxHeight}`;
  const fps = size.fps.length > 0 ? `@${Math.max(...size.fps)}` : '';
  return `${size.width}x${size.height}${fps}`;
}

/** One row per node and format; the largest sizes first, since a scanner screen is captured at full HD. */
export function formatProbe(report: V4l2ProbeReport): string {
  const rows: string[][] = [];
  for (const node of report.nodes) {
    const where = `${node.card}${node.bus ? ` (${node.bus})` : ''}`;
    if (node.formats === null) {
      rows.push([node.path, where, '-', node.error ?? 'formats unknown']);
      continue;
    }
    if (node.formats.length === 0) rows.push([node.path, where, '-', 'no capture formats (metadata node)']);
    for (const format of node.formats) {
      const sizes = [...format.sizes]
        .sort((a, b) => area(b) - area(a))
        .slice(0, 4)
        .map(describeSize)
        .join(' ');
      rows.push([node.path, where, `${format.fourcc}${format.compressed ? ' (compressed)' : ''}`, sizes]);
    }
  }
  const table = rows.length > 0 ? formatTable(['node', 'card', 'format', 'largest sizes @max fps'], rows) : '';
  const notes = report.notes.map((n) => `note: ${n}\n`).join('');
  return `${table}${notes}(read with ${report.tool})\n`;
}

function area(size: V4l2FrameSize): number {
  return size.kind === 'discrete' ? size.width * size.height : size.maxWidth * size.maxHeight;
}
