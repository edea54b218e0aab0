import { realpath, stat, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { mem } from 'systeminformation';
import { cpuTemperatureFromHwmon, createCpuLoadSampler, fsSizeFromMounts } from './spawn-free-probes.js';
import { known, probeWithin, unknown, type Probed } from './probed.js';

/** Share of all CPU time that was busy, 0..1 (systeminformation's `currentLoad` / 100). */
export interface CpuLoadReading {
  readonly loadRatio: number;
}

export interface MemoryReading {
  readonly totalBytes: number;
  readonly usedBytes: number;
  /** What the kernel says new allocations can get without swapping (MemAvailable): the number that matters. */
  readonly availableBytes: number;
}

/** The file system that holds a folder (the daemon's state folder). */
export interface DiskReading {
  readonly path: string;
  /** The mount point, or null where the numbers came from statfs (see `disk()`). */
  readonly mount: string | null;
  readonly filesystem: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
  /** Space an unprivileged writer can still use (df's "available", not size - used: root's reserve is excluded). */
  readonly freeBytes: number;
}

/** CPU temperature as systeminformation sees it; null where the board exposes no sensor it knows. */
export interface CpuTemperatureReading {
  readonly mainC: number | null;
  readonly maxC: number | null;
}

/** The slice of systeminformation the probe uses, so tests can hand in a fake that fails or hangs. */
export interface SystemInformationPort {
  currentLoad(): Promise<{ readonly currentLoad: number }>;
  mem(): Promise<{ readonly total: number; readonly used: number; readonly available: number }>;
  fsSize(): Promise<
    readonly { readonly fs: string; readonly size: number; readonly used: number; readonly available: number; readonly mount: string }[]
  >;
  cpuTemperature(): Promise<{ readonly main: number | null; readonly max: number | null }>;
}

/**
 * Memory from systeminformation (it reads /proc/meminfo); CPU load, file systems and CPU temperature from the
 * kernel's files directly, because systeminformation runs `cat /proc/stat` through a synchronous shell, and forks
 * `df` and sensor helpers, and a fork from the daemon stalls its event loop (spawn-free-probes.ts). One per probe:
 * the load sampler keeps the previous reading.
 */
export function systemInformation(): SystemInformationPort {
  return Object.freeze({
    currentLoad: createCpuLoadSampler(),
    mem: () => mem(),
    fsSize: () => fsSizeFromMounts(),
    cpuTemperature: () => cpuTemperatureFromHwmon(),
  });
}

export interface SystemProbeOptions {
  /** Longest wait for one systeminformation call (default 3000 ms); `df` on a hung mount can block forever. */
  readonly timeoutMs?: number | undefined;
  readonly si?: SystemInformationPort | undefined;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

/** Below this a "temperature" is a sensor's off marker (tegra reports -256 C), not a reading. */
const LOWEST_PLAUSIBLE_C = -40;

/**
 * Reads CPU load, memory, the disk holding a folder, and CPU temperature through systeminformation. Every call is
 * bounded by a timeout and answers `unknown` with the reason instead of throwing.
 */
export class SystemProbe {
  readonly #si: SystemInformationPort;
  readonly #timeoutMs: number;

  constructor(options: SystemProbeOptions = {}) {
    this.#si = options.si ?? systemInformation();
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  }

  async cpuLoad(): Promise<Probed<CpuLoadReading>> {
    const probed = await probeWithin('CPU load', this.#timeoutMs, () => this.#si.currentLoad());
    if (probed.state === 'unknown') return probed;
    const percent = probed.value.currentLoad;
    if (!Number.isFinite(percent) || percent < 0) return unknown(`CPU load is not a number (${String(percent)})`);
    return known({ loadRatio: Math.min(1, percent / 100) });
  }

  async memory(): Promise<Probed<MemoryReading>> {
    const probed = await probeWithin('memory', this.#timeoutMs, () => this.#si.mem());
    if (probed.state === 'unknown') return probed;
    const { total, used, available } = probed.value;
    if (!(total > 0) || !Number.isFinite(available) || available < 0) {
      return unknown(`memory figures are implausible (total ${String(total)}, available ${String(available)})`);
    }
    return known({ totalBytes: total, usedBytes: used, availableBytes: available });
  }

  /**
   * The file system that contains `folder`: the fsSize entry whose mount point is the longest prefix of its real path.
   * systeminformation leaves tmpfs-like file systems out of fsSize, so the longest prefix can be the wrong disk (a state
   * folder on a tmpfs under /run would be judged by `/`); where the folder and that mount point are not on the same
   * device, or no entry matches, the numbers come from statfs on the folder itself.
   */
  async disk(folder: string): Promise<Probed<DiskReading>> {
    const probed = await probeWithin('disk size', this.#timeoutMs, async (): Promise<DiskReading> => {
      const resolved = await existingRealPath(folder);
      const entry = mountContaining(resolved, await this.#si.fsSize());
      if (entry && entry.size > 0 && (await sameDevice(resolved, entry.mount))) {
        return {
          path: resolved,
          mount: entry.mount,
          filesystem: entry.fs,
          sizeBytes: entry.size,
          usedBytes: entry.used,
          freeBytes: Math.max(0, entry.available),
        };
      }
      const fs = await statfs(resolved);
      return {
        path: resolved,
        mount: null,
        filesystem: `statfs type 0x${fs.type.toString(16)}`,
        sizeBytes: fs.blocks * fs.bsize,
        usedBytes: (fs.blocks - fs.bfree) * fs.bsize,
        freeBytes: fs.bavail * fs.bsize,
      };
    });
    if (probed.state === 'unknown') return probed;
    const disk = probed.value;
    if (!(disk.sizeBytes > 0) || !Number.isFinite(disk.freeBytes)) {
      return unknown(`file system of ${disk.path} reports an implausible size (${String(disk.sizeBytes)})`);
    }
    return known(disk);
  }

  async cpuTemperature(): Promise<Probed<CpuTemperatureReading>> {
    const probed = await probeWithin('CPU temperature', this.#timeoutMs, () => this.#si.cpuTemperature());
    if (probed.state === 'unknown') return probed;
    return known({ mainC: plausibleCelsius(probed.value.main), maxC: plausibleCelsius(probed.value.max) });
  }
}

function plausibleCelsius(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > LOWEST_PLAUSIBLE_C ? value : null;
}

/**
 * The real path of `folder`, or of its nearest existing ancestor: the state folder may not exist yet on a first start,
 * and the disk it will land on is still the one to watch.
 */
async function existingRealPath(folder: string): Promise<string> {
  let current = resolve(folder);
  for (;;) {
    try {
      return await realpath(current);
    } catch (error) {
      const parent = dirname(current);
      if (parent === current) throw error;
      current = parent;
    }
  }
}

async function sameDevice(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.dev === sb.dev;
  } catch {
    return false;
  }
}

/** The entry whose mount point is the longest path-prefix of `resolved` (so `/var/lib` beats `/`). */
export function mountContaining<M extends { readonly mount: string }>(resolved: string, mounts: readonly M[]): M | null {
  let best: M | null = null;
  for (const entry of mounts) {
    const mount = entry.mount.length > 1 ? entry.mount.replace(/\/+$/, '') : entry.mount;
    const contains = mount === '/' || resolved === mount || resolved.startsWith(`${mount}/`);
    if (contains && (!best || mount.length > best.mount.replace(/\/+$/, '').length)) best = entry;
  }
  return best;
}
