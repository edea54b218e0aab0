import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchModule, BenchResult } from './types.js';

/**
 * `npm run bench [-- --quick] [-- --json] [-- --only NAME] [-- --soak MIN] [-- --out NAME]`: runs every benchmark module in turn (never in
 * parallel: they would steal each other's cores), prints a table per module with its targets checked, or one JSON
 * object with --json, and records the run under bench/results/.
 */
const MODULES: Record<string, () => Promise<{ run: BenchModule }>> = {
  'phantom-render': () => import('./phantom-render.js'),
  'capture-throughput': () => import('./capture-throughput.js'),
  'screening-pipeline': () => import('./screening-pipeline.js'),
  outbox: () => import('./outbox.js'),
  'outbox-mqtt': () => import('./outbox-mqtt.js'),
  // Only with --soak MIN: the long memory run over the full phantom session.
  'screening-soak': () => import('./screening-soak.js'),
};
const ON_REQUEST = new Set(['screening-soak']);

function checkTargets(result: BenchResult): Record<string, boolean> {
  const verdicts: Record<string, boolean> = {};
  for (const [metric, target] of Object.entries(result.targets ?? {})) {
    const value = result.metrics[metric];
    verdicts[metric] =
      typeof value === 'number' && (target.op === '>=' ? value >= target.value : value <= target.value);
  }
  return verdicts;
}

function formatResult(result: BenchResult, verdicts: Record<string, boolean>): string {
  const rows = Object.entries(result.metrics).map(([metric, value]) => {
    const target = result.targets?.[metric];
    const formatted = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(3)) : String(value);
    const verdict = target ? `${target.op} ${target.value}  ${verdicts[metric] ? 'PASS' : 'FAIL'}` : '';
    return [metric, formatted, verdict];
  });
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length), 6));
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  return `\n== ${result.name}: ${result.description}\n${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      soak: { type: 'string', default: '0' },
      out: { type: 'string' },
    },
  });
  const names = values.only?.length ? values.only : Object.keys(MODULES).filter((name) => !ON_REQUEST.has(name) || Number(values.soak) > 0);
  const results: (BenchResult & { verdicts: Record<string, boolean> })[] = [];
  for (const name of names) {
    const load = MODULES[name];
    if (!load) throw new Error(`unknown benchmark "${name}" (known: ${Object.keys(MODULES).join(', ')})`);
    const { run } = await load();
    const soakMinutes = Number(values.soak);
    if (!Number.isFinite(soakMinutes) || soakMinutes < 0) throw new Error(`--soak takes minutes, got "${values.soak}"`);
    const produced = await run({ quick: values.quick, soakMinutes });
    for (const result of Array.isArray(produced) ? produced : [produced]) {
      const verdicts = checkTargets(result);
      results.push({ ...result, verdicts });
      if (!values.json) process.stdout.write(formatResult(result, verdicts));
    }
  }
  const report = {
    at: new Date().toISOString(),
    machine: { arch: arch(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30) },
    node: process.version,
    quick: values.quick,
    results,
    allTargetsMet: results.every((r) => Object.values(r.verdicts).every(Boolean)),
  };
  mkdirSync(join('bench', 'results'), { recursive: true });
  const file = values.out ?? (values.quick ? 'latest-quick' : 'latest');
  if (!/^[a-z0-9-]+$/.test(file)) throw new Error(`--out takes a plain name, got "${file}"`);
  writeFileSync(join('bench', 'results', `${file}.json`), `${JSON.stringify(report, null, 2)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`\nall targets met: ${report.allTargetsMet}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
