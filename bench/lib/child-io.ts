import { readFileSync } from 'node:fs';
import type { ChildMessage } from './tasks.js';

/** Sends a message to the orchestrator (no-op when run by hand without IPC). */
export function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Reports progress at most every 100 ms, as a fraction 0..1. */
export function progressReporter(): (fraction: number, detail?: string) => void {
  let last = 0;
  return (fraction, detail) => {
    const now = Date.now();
    if (now - last >= 100 || fraction >= 1) {
      last = now;
      send({
        type: 'progress',
        fraction: Math.min(1, Math.max(0, fraction)),
        ...(detail === undefined ? {} : { detail }),
      });
    }
  };
}

export type Progress = ReturnType<typeof progressReporter>;

/** Peak RSS of this process in MB (getrusage maxrss). */
export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/** CPU seconds this process has used so far, all its threads: user + system (getrusage). */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * CPU seconds of this process's exited, waited-for children (cutime + cstime of
 * /proc/self/stat, in Linux's fixed 100 Hz USER_HZ); null off Linux.
 */
export function childrenCpuSeconds(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name, which may hold spaces: state is field 3, cutime 16, cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

export function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 100) / 100;
}

/** Resolves when `check` returns true, polling every `everyMs`; rejects after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 10,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
