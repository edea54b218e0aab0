/**
 * A pure parser for one line of NVIDIA's `tegrastats`. The format drifts between JetPack releases (an optional leading
 * date, sensor names in upper or lower case, `GR3D_FREQ x%@f` vs `x%@[f,f]` vs a bare `x%`, two or three power values
 * with or without `mW`, engines reported as `off`), so the parser reads token by token and keeps whatever it does not
 * recognise in `unparsed` instead of failing the whole line. See docs/health.md for the fixtures it is tested on.
 */

export interface TegrastatsCpuCore {
  readonly loadPct: number;
  /** Null in the old `CPU [x%,y%]` form without a per-core frequency. */
  readonly freqMhz: number | null;
}

/** A core tegrastats reports as `off` (hot-unplugged by the power mode). */
export type TegrastatsCpuEntry = TegrastatsCpuCore | 'off';

/** A hardware engine (NVDEC, NVJPG, VIC, APE, ...): `off`, or a load and/or a frequency. */
export type TegrastatsEngine = { readonly pct: number | null; readonly freqMhz: number | null } | 'off';

export interface TegrastatsRail {
  readonly nowMw: number;
  readonly avgMw: number;
  /** The third value newer releases print (peak); null where only two are printed. */
  readonly maxMw: number | null;
}

export interface TegrastatsSample {
  /** The leading `MM-DD-YYYY HH:MM:SS` stamp of JetPack 6 and later, as written (the board's local time). */
  readonly timestamp: string | null;
  readonly ram: { readonly usedMb: number; readonly totalMb: number } | null;
  readonly swap: { readonly usedMb: number; readonly totalMb: number; readonly cachedMb: number | null } | null;
  readonly cpus: readonly TegrastatsCpuEntry[];
  /** GR3D (the integrated GPU) load in percent; null when the line has none (JetPack 7 prints frequencies only). */
  readonly gpuPct: number | null;
  /** GR3D frequencies: one per GPC on JetPack 6 (`@[f,f]`), a single one before. */
  readonly gpuFreqMhz: readonly number[];
  readonly emcPct: number | null;
  readonly engines: Readonly<Record<string, TegrastatsEngine>>;
  /** Celsius by sensor name, lower-cased so `CPU@` (JetPack 5) and `cpu@` (JetPack 6) read the same. */
  readonly temps: Readonly<Record<string, number>>;
  /** Sensors that report `-256C`, tegra's marker for a powered-down sensor. */
  readonly sensorsOff: readonly string[];
  readonly power: Readonly<Record<string, TegrastatsRail>>;
  /** Tokens the parser did not understand, in order (e.g. `MTS fg 0% bg 0%` on Xavier). */
  readonly unparsed: readonly string[];
}

const DATE = /^\d{2}-\d{2}-\d{4}$/;
const TIME = /^\d{2}:\d{2}:\d{2}$/;
const USED_TOTAL_MB = /^(\d+)\/(\d+)MB$/;
const CACHED_MB = /^(\d+)MB\)$/;
const CPU_BRACKET = /^\[([^\]]*)\](?:@(\d+))?$/;
const CPU_CORE = /^(\d+(?:\.\d+)?)%(?:@(\d+))?$/;
/** `63%@[621]`, `0%@[0,0]`, `0%@611`, `0%`, `@2133`, `@[0,0,0]`. */
const LOAD_AT_FREQ = /^(?:(\d+(?:\.\d+)?)%)?(?:@(?:\[([\d,]*)\]|(\d+)))?$/;
const PLAIN_NUMBER = /^\d+$/;
const RAIL_VALUES = /^(\d+)(?:mW)?\/(\d+)(?:mW)?(?:\/(\d+)(?:mW)?)?$/;
const UPPER_NAME = /^[A-Z][A-Z0-9_]*$/;
const TEMPERATURE = /^([A-Za-z][A-Za-z0-9_]*)@(-?\d+(?:\.\d+)?)C(?:\/(-?\d+(?:\.\d+)?)C)?$/;

/** Readings at or below this are tegra's "sensor off" marker (-256 C), not temperatures. */
const SENSOR_OFF_BELOW_C = -200;
/** `NC` rails are "not connected" placeholders on AGX carrier boards. */
const UNCONNECTED_RAIL = 'NC';

/** Parses one tegrastats line; null when nothing in it looks like tegrastats output (garbage, an error message). */
export function parseTegrastatsLine(line: string): TegrastatsSample | null {
  const tokens = line.trim().split(/\s+/).filter((token) => token !== '');
  const out = new SampleBuilder();
  let i = 0;
  if (tokens.length >= 2 && DATE.test(tokens[0] ?? '') && TIME.test(tokens[1] ?? '')) {
    out.timestamp = `${tokens[0] ?? ''} ${tokens[1] ?? ''}`;
    i = 2;
  }
  while (i < tokens.length) {
    i = readField(tokens, i, out);
  }
  return out.recognisedAnything() ? out.build() : null;
}

/** Reads the field starting at `tokens[i]` into `out`; returns the index after it. */
function readField(tokens: readonly string[], i: number, out: SampleBuilder): number {
  const token = tokens[i] ?? '';
  const next = tokens[i + 1] ?? '';

  if (token === 'RAM' || token === 'SWAP') {
    const amounts = USED_TOTAL_MB.exec(next);
    if (amounts) return readMemory(token, tokens, i, Number(amounts[1]), Number(amounts[2]), out);
  }
  if (token.toUpperCase() === 'CPU' && next.startsWith('[')) {
    const cores = parseCpuBracket(next);
    if (cores) {
      out.cpus = cores;
      return i + 2;
    }
  }
  const temperature = TEMPERATURE.exec(token);
  if (temperature) {
    const name = (temperature[1] ?? '').toLowerCase();
    const celsius = Number(temperature[2]);
    if (celsius <= SENSOR_OFF_BELOW_C) out.sensorsOff.push(name);
    else out.temps[name] = celsius;
    out.recognised = true;
    return i + 1;
  }
  if (UPPER_NAME.test(token)) {
    const rail = RAIL_VALUES.exec(next);
    if (rail) {
      if (token !== UNCONNECTED_RAIL) {
        out.power[token] = { nowMw: Number(rail[1]), avgMw: Number(rail[2]), maxMw: rail[3] === undefined ? null : Number(rail[3]) };
      }
      // Rails alone do not make a line tegrastats output: `NAME 1/2` is too easy to match by accident.
      return i + 2;
    }
    const engine = parseEngineValue(next);
    if (engine) {
      out.addEngine(token, engine.value, engine.gpcFreqs);
      return i + 2;
    }
  }
  out.unparsed.push(token);
  return i + 1;
}

function readMemory(
  kind: 'RAM' | 'SWAP',
  tokens: readonly string[],
  i: number,
  usedMb: number,
  totalMb: number,
  out: SampleBuilder,
): number {
  let end = i + 2;
  let cachedMb: number | null = null;
  // The parenthesised detail is `(lfb NxZMB)` after RAM and `(cached NMB)` after SWAP; neither matters for health.
  if ((tokens[end] ?? '').startsWith('(')) {
    const detail = tokens[end + 1] ?? '';
    const cached = kind === 'SWAP' && tokens[end] === '(cached' ? CACHED_MB.exec(detail) : null;
    if (cached) cachedMb = Number(cached[1]);
    end += detail.endsWith(')') ? 2 : 1;
  }
  if (kind === 'RAM') out.ram = { usedMb, totalMb };
  else out.swap = { usedMb, totalMb, cachedMb };
  out.recognised = true;
  return end;
}

/** `[2%@729,off,5%@1420]`, or the old shared-frequency form `[17%,13%]@408`. */
function parseCpuBracket(token: string): TegrastatsCpuEntry[] | null {
  const bracket = CPU_BRACKET.exec(token);
  if (!bracket) return null;
  const shared = bracket[2] === undefined ? null : Number(bracket[2]);
  const cores: TegrastatsCpuEntry[] = [];
  for (const entry of (bracket[1] ?? '').split(',')) {
    if (entry === 'off') {
      cores.push('off');
      continue;
    }
    const core = CPU_CORE.exec(entry);
    if (!core) return null;
    cores.push({ loadPct: Number(core[1]), freqMhz: core[2] === undefined ? shared : Number(core[2]) });
  }
  return cores;
}

function parseEngineValue(token: string): { value: TegrastatsEngine; gpcFreqs: number[] } | null {
  if (token === 'off') return { value: 'off', gpcFreqs: [] };
  if (PLAIN_NUMBER.test(token)) return { value: { pct: null, freqMhz: Number(token) }, gpcFreqs: [] };
  if (token === '') return null;
  const match = LOAD_AT_FREQ.exec(token);
  if (!match) return null;
  const pct = match[1] === undefined ? null : Number(match[1]);
  const gpcFreqs = match[2] === undefined ? [] : match[2].split(',').filter((f) => f !== '').map(Number);
  const single = match[3] === undefined ? null : Number(match[3]);
  const freqMhz = single ?? (gpcFreqs.length > 0 ? Math.max(...gpcFreqs) : null);
  if (pct === null && freqMhz === null) return null;
  return { value: { pct, freqMhz }, gpcFreqs: single === null ? gpcFreqs : [single] };
}

class SampleBuilder {
  timestamp: string | null = null;
  ram: TegrastatsSample['ram'] = null;
  swap: TegrastatsSample['swap'] = null;
  cpus: TegrastatsCpuEntry[] = [];
  gpuPct: number | null = null;
  gpuFreqMhz: number[] = [];
  emcPct: number | null = null;
  readonly engines: Record<string, TegrastatsEngine> = {};
  readonly temps: Record<string, number> = {};
  readonly sensorsOff: string[] = [];
  readonly power: Record<string, TegrastatsRail> = {};
  readonly unparsed: string[] = [];
  recognised = false;

  addEngine(name: string, value: TegrastatsEngine, gpcFreqs: number[]): void {
    if (name === 'GR3D_FREQ' && value !== 'off') {
      this.gpuPct = value.pct;
      this.gpuFreqMhz = gpcFreqs;
      this.recognised = true;
    } else if (name === 'EMC_FREQ' && value !== 'off') {
      this.emcPct = value.pct;
    }
    this.engines[name] = value;
  }

  recognisedAnything(): boolean {
    return this.recognised || this.cpus.length > 0;
  }

  build(): TegrastatsSample {
    return {
      timestamp: this.timestamp,
      ram: this.ram,
      swap: this.swap,
      cpus: this.cpus,
      gpuPct: this.gpuPct,
      gpuFreqMhz: this.gpuFreqMhz,
      emcPct: this.emcPct,
      engines: this.engines,
      temps: this.temps,
      sensorsOff: this.sensorsOff,
      power: this.power,
      unparsed: this.unparsed,
    };
  }
}
