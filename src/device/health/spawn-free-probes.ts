import { readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Disk and temperature readings without child processes. systeminformation's `fsSize` runs `df` and its
 * `cpuTemperature` runs helpers; a fork from the daemon (hundreds of MiB mapped, onnxruntime loaded) stalls the event
 * loop for 30-40 ms per call (measured with 400 MiB of frames resident), which shows up as capture-to-decision
 * outliers every health poll. These read the kernel's files instead: /proc/self/mounts + statfs, and hwmon.
 */

/** File systems that never hold the state folder and that statfs would only slow down. */
const PSEUDO_FS = new Set([
  'proc', 'sysfs', 'devpts', 'cgroup', 'cgroup2', 'securityfs', 'pstore', 'debugfs', 'tracefs', 'configfs', 'mqueue',
  'hugetlbfs', 'fusectl', 'bpf', 'autofs', 'binfmt_misc', 'nsfs', 'rpc_pipefs', 'efivarfs', 'devtmpfs',
]);

/** Mount points are octal-escaped in /proc/mounts (`\040` for a space). */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_all, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export async function fsSizeFromMounts(
  procRoot = '/proc',
): Promise<{ fs: string; size: number; used: number; available: number; mount: string }[]> {
  const text = await readFile(join(procRoot, 'self', 'mounts'), 'utf8');
  const out: { fs: string; size: number; used: number; available: number; mount: string }[] = [];
  for (const line of text.split('\n')) {
    const [device, rawMount, type] = line.split(' ');
    if (!device || !rawMount || !type || PSEUDO_FS.has(type)) continue;
    const mount = unescapeMount(rawMount);
    try {
      const s = await statfs(mount);
      const size = s.blocks * s.bsize;
      if (size <= 0) continue;
      out.push({ fs: device, size, used: (s.blocks - s.bfree) * s.bsize, available: s.bavail * s.bsize, mount });
    } catch {
      // A mount we may not stat (another namespace, a stale network share): not ours to judge.
    }
  }
  return out;
}

/** hwmon chips that measure the CPU (x86 coretemp/k10temp/zenpower, ARM cpu_thermal / soc_thermal and friends). */
const CPU_CHIPS = /^(coretemp|k10temp|zenpower|cpu_thermal|cpu-thermal|soc_thermal|cpu)$/;

export async function cpuTemperatureFromHwmon(sysRoot = '/sys'): Promise<{ main: number | null; max: number | null }> {
  const base = join(sysRoot, 'class', 'hwmon');
  let chips: string[];
  try {
    chips = await readdir(base);
  } catch {
    return { main: null, max: null };
  }
  const temps: number[] = [];
  for (const chip of chips) {
    const dir = join(base, chip);
    const name = (await readFile(join(dir, 'name'), 'utf8').catch(() => '')).trim();
    if (!CPU_CHIPS.test(name)) continue;
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files.filter((f) => /^temp\d+_input$/.test(f)).sort()) {
      const milli = Number((await readFile(join(dir, file), 'utf8').catch(() => '')).trim());
      if (Number.isFinite(milli) && milli !== 0) temps.push(milli / 1000);
    }
  }
  if (temps.length === 0) return { main: null, max: null };
  return { main: temps[0] ?? null, max: Math.max(...temps) };
}

/** Jiffies of the aggregate `cpu` line of /proc/stat: busy and total since boot. */
export function parseProcStatCpu(text: string): { busy: number; total: number } | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 4 || fields.some((f) => !Number.isFinite(f) || f < 0)) return null;
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const idleAll = idle + iowait;
  const total = user + nice + system + idleAll + irq + softirq + steal;
  return { busy: total - idleAll, total };
}

/**
 * CPU load over the interval since the previous call, from /proc/stat read with fs (systeminformation's `currentLoad`
 * runs `execSync('cat /proc/stat | grep cpu')`: a synchronous shell on the event loop at every health poll, found in
 * a CPU profile of the daemon under load). The first call answers the average since boot.
 */
export function createCpuLoadSampler(procRoot = '/proc'): () => Promise<{ currentLoad: number }> {
  let previous: { busy: number; total: number } | null = null;
  return async () => {
    const now = parseProcStatCpu(await readFile(join(procRoot, 'stat'), 'utf8'));
    if (!now) throw new Error(`${join(procRoot, 'stat')} has no aggregate cpu line`);
    const base = previous ?? { busy: 0, total: 0 };
    previous = now;
    const total = now.total - base.total;
    return { currentLoad: total > 0 ? (100 * (now.busy - base.busy)) / total : 0 };
  };
}
