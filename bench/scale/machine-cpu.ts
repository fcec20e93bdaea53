import { readFile } from 'node:fs/promises';

/** Busy and total CPU time of the whole machine so far, in clock ticks (Linux /proc/stat). */
export interface CpuTicks {
  readonly busy: number;
  readonly total: number;
}

export async function machineCpuTicks(): Promise<CpuTicks | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((s, x) => s + x, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Cores kept busy between two readings (everything on the machine, not only the bench). */
export function busyCores(
  a: CpuTicks | undefined,
  b: CpuTicks | undefined,
  cores: number,
): number | null {
  if (a === undefined || b === undefined || b.total <= a.total) {
    return null;
  }
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * cores * 100) / 100;
}
