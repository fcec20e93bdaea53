import type { Redis } from 'ioredis';

/** `INFO` text to a map of field -> value. */
export function parseInfo(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) {
      map.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  return map;
}

function num(info: Map<string, string>, field: string): number {
  const v = Number(info.get(field));
  if (!Number.isFinite(v)) {
    throw new Error(`INFO has no numeric ${field}`);
  }
  return v;
}

/** redis-server CPU seconds so far: used_cpu_sys + used_cpu_user. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = parseInfo(await redis.info('cpu'));
  return num(info, 'used_cpu_sys') + num(info, 'used_cpu_user');
}

export async function redisUsedMemory(redis: Redis): Promise<number> {
  return num(parseInfo(await redis.info('memory')), 'used_memory');
}

export interface RedisSampler {
  /** Highest used_memory seen so far. */
  readonly peak: () => number;
  stop(): Promise<number>;
}

/** Samples used_memory every `everyMs`; stop() returns the peak. */
export function sampleRedisMemory(redis: Redis, everyMs = 200): RedisSampler {
  let peak = 0;
  let busy: Promise<void> = Promise.resolve();
  const tick = (): void => {
    busy = redisUsedMemory(redis)
      .then((m) => {
        peak = Math.max(peak, m);
      })
      .catch(() => undefined);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    peak: () => peak,
    async stop() {
      clearInterval(timer);
      await busy;
      tick();
      await busy;
      return peak;
    },
  };
}

/** Process RSS in bytes from /proc (Linux), or undefined once the process is gone. */
export async function processRssBytes(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * redis-server's minor page faults so far (`/proc/<pid>/stat`, Linux; the bench's Redis is local).
 * A page Redis touches for the first time costs a fault: while a run grows Redis's heap, faults
 * dominate its CPU per frame.
 */
export async function redisMinorFaults(redis: Redis): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  const pid = parseInfo(await redis.info('server')).get('process_id');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces): minflt is the 10th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[7]);
  } catch {
    return undefined;
  }
}

/** Starts counting redis-server's minor faults; the function it gives reads them per frame since. */
export async function countRedisFaults(
  redis: Redis,
): Promise<(frames: number) => Promise<number | undefined>> {
  const start = await redisMinorFaults(redis);
  return async (frames) => {
    const end = await redisMinorFaults(redis);
    return start === undefined || end === undefined
      ? undefined
      : Math.round(((end - start) / frames) * 100) / 100;
  };
}
