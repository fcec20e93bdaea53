import type { Redis } from 'ioredis';

export type CommandStats = Map<string, { calls: number; usec: number }>;

/** `INFO commandstats`: calls and microseconds per command since start (or CONFIG RESETSTAT). */
export async function commandStats(redis: Redis): Promise<CommandStats> {
  const stats: CommandStats = new Map();
  for (const line of (await redis.info('commandstats')).split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (m !== null) {
      stats.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
    }
  }
  return stats;
}

export interface PerFrame {
  readonly calls_per_frame: number;
  readonly usec_per_frame: number;
}

/**
 * Commands per frame between two snapshots, busiest first. Commands a Lua script runs are
 * counted on their own line too, and their time is inside evalsha's: do not add the lines up.
 */
export function commandsPerFrame(
  before: CommandStats,
  after: CommandStats,
  frames: number,
): Record<string, PerFrame> {
  const rows: [string, PerFrame][] = [];
  for (const [cmd, a] of after) {
    const b = before.get(cmd) ?? { calls: 0, usec: 0 };
    const calls = a.calls - b.calls;
    if (calls > 0 && cmd !== 'info') {
      rows.push([
        cmd,
        {
          calls_per_frame: Math.round((calls / frames) * 1000) / 1000,
          usec_per_frame: Math.round(((a.usec - b.usec) / frames) * 10) / 10,
        },
      ]);
    }
  }
  rows.sort((x, y) => y[1].usec_per_frame - x[1].usec_per_frame);
  return Object.fromEntries(rows);
}
