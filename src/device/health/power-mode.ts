import { findExecutable, runCommand } from './executables.js';
import { describeError, known, unknown, type Probed } from './probed.js';

/** The Jetson power mode (`nvpmodel -q`). Ids differ between modules, so judge by `name`. */
export interface PowerMode {
  readonly name: string;
  readonly id: number | null;
}

const MODE_LINE = /NV Power Mode:\s*(\S.*?)\s*$/;
const ID_LINE = /^\s*(\d+)\s*$/;

/**
 * Parses `nvpmodel -q` output: `NV Power Mode: 15W` then the id on its own line. `--verbose` prefixes lines with
 * `NVPM VERB: ... Current mode:` and warnings (`NVPM WARN: ...`) may come first, so the mode line is searched for.
 */
export function parseNvpmodelQuery(output: string): PowerMode | null {
  const lines = output.split(/\r?\n/);
  const at = lines.findIndex((line) => MODE_LINE.test(line));
  if (at < 0) return null;
  const name = MODE_LINE.exec(lines[at] ?? '')?.[1] ?? '';
  if (name === '') return null;
  const idLine = lines.slice(at + 1).find((line) => line.trim() !== '');
  const id = idLine === undefined ? null : ID_LINE.exec(idLine)?.[1];
  return { name, id: id === undefined || id === null ? null : Number(id) };
}

export interface PowerModeProbeOptions {
  /** Default `nvpmodel`, looked up on PATH and the system folders. */
  readonly binary?: string | undefined;
  readonly timeoutMs?: number | undefined;
  /** Injectable for tests. */
  readonly find?: ((name: string) => Promise<string | null>) | undefined;
  readonly run?: ((file: string, args: readonly string[], timeoutMs: number) => Promise<string>) | undefined;
}

/** Asks `nvpmodel -q` for the power mode; `known(null)` on boards without nvpmodel (anything but a Jetson). */
export class PowerModeProbe {
  readonly #binary: string;
  readonly #timeoutMs: number;
  readonly #find: (name: string) => Promise<string | null>;
  readonly #run: (file: string, args: readonly string[], timeoutMs: number) => Promise<string>;
  #resolved: Promise<string | null> | null = null;

  constructor(options: PowerModeProbeOptions = {}) {
    this.#binary = options.binary ?? 'nvpmodel';
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#find = options.find ?? ((name) => findExecutable(name));
    this.#run = options.run ?? runCommand;
  }

  async read(): Promise<Probed<PowerMode | null>> {
    // The binary does not come and go while the daemon runs: look it up once.
    this.#resolved ??= this.#find(this.#binary);
    const file = await this.#resolved;
    if (file === null) return known(null);
    let output: string;
    try {
      output = await this.#run(file, ['-q'], this.#timeoutMs);
    } catch (error) {
      return unknown(`nvpmodel -q failed: ${describeError(error)}`);
    }
    const mode = parseNvpmodelQuery(output);
    return mode ? known(mode) : unknown(`nvpmodel -q printed no power mode: ${output.trim().slice(0, 120)}`);
  }
}
