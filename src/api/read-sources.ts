import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys, sourcesKey } from '../shared/redis/keys.js';
import { readBacklog, readGroups } from '../shared/redis/stream-info.js';
import { fieldMap } from '../shared/stream-entries.js';

export interface GroupLag {
  readonly name: string;
  /** Entries not delivered to the group yet (counted when XINFO reports NULL lag). */
  readonly lag: number;
  readonly lagCounted: boolean;
  readonly pending: number;
}

export interface SourceSummary {
  readonly id: string;
  readonly frames: { readonly length: number; readonly lastId: string | null };
  readonly results: number;
  readonly dlq: number;
  /** Consumer groups on the frames stream (the workers). */
  readonly groups: GroupLag[];
  /** Consumer groups on the results stream (the sink). */
  readonly resultGroups: GroupLag[];
  readonly fps: {
    /** From the producer's latest metrics entry; null when it wrote none in the window. */
    readonly produced: number | null;
    /** Results added in the last `windowS` seconds / windowS. */
    readonly processed: number;
    /** The count stopped at its cap: processed is a lower bound. */
    readonly processedCapped: boolean;
    readonly windowS: number;
  };
}

/**
 * Results counted for processed fps at most: 1000 fps over the longest window (300 s). They
 * are counted inside Redis, 1000 at a time, and only the count leaves it (results are small
 * JSON entries; a capped count says `processedCapped`).
 */
const MAX_COUNTED = 300_000;

/** KEYS: a stream. ARGV: first id, cap. Entries from the id on, at most cap. */
const COUNT_SINCE = `
local n, start, cap = 0, ARGV[1], tonumber(ARGV[2])
while n < cap do
  local chunk = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', 1000)
  n = n + #chunk
  if #chunk < 1000 then return n end
  start = '(' .. chunk[#chunk][1]
end
return n
`;

async function groupLags(redis: RedisClient, stream: string): Promise<GroupLag[]> {
  const out: GroupLag[] = [];
  for (const g of await readGroups(redis, stream)) {
    const b = await readBacklog(redis, stream, g.name);
    out.push({ name: g.name, lag: b.unread, lagCounted: b.counted, pending: b.pending });
  }
  return out;
}

/** Milliseconds on the Redis clock, which stamps the entry ids we compare against. */
async function redisNowMs(redis: RedisClient): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** Pure: the producer's fps from its latest metrics entry, if recent enough. */
export function producedFps(
  entry: [string, string[]] | undefined,
  nowMs: number,
  windowS: number,
): number | null {
  if (entry === undefined || Number(entry[0].split('-')[0]) < nowMs - windowS * 1000) {
    return null;
  }
  const payload = fieldMap(entry[1].map((f) => Buffer.from(f)))
    .get('payload')
    ?.toString();
  try {
    const fps = (JSON.parse(payload ?? 'null') as { fps?: unknown } | null)?.fps;
    return typeof fps === 'number' && Number.isFinite(fps) ? fps : null;
  } catch {
    return null;
  }
}

export async function readSourceSummary(
  redis: RedisClient,
  prefix: string,
  id: string,
  windowS: number,
): Promise<SourceSummary> {
  const keys = sourceKeys(prefix, id);
  const nowMs = await redisNowMs(redis);
  const from = `${nowMs - windowS * 1000}-0`;
  // Results are small (JSON); never XRANGE the frames stream, whose entries are whole JPEGs.
  const [frames, last, results, dlq, recent, metric] = await Promise.all([
    redis.xlen(keys.frames),
    redis.xrevrange(keys.frames, '+', '-', 'COUNT', 1),
    redis.xlen(keys.results),
    redis.xlen(keys.dlq),
    redis.eval(COUNT_SINCE, 1, keys.results, from, MAX_COUNTED) as Promise<number>,
    redis.xrevrange(keys.metrics, '+', '-', 'COUNT', 1),
  ]);
  return {
    id,
    frames: { length: frames, lastId: last[0]?.[0] ?? null },
    results,
    dlq,
    groups: await groupLags(redis, keys.frames),
    resultGroups: await groupLags(redis, keys.results),
    fps: {
      produced: producedFps(metric[0], nowMs, windowS),
      processed: Math.round((recent / windowS) * 100) / 100,
      processedCapped: recent >= MAX_COUNTED,
      windowS,
    },
  };
}

export async function listSourceIds(redis: RedisClient, prefix: string): Promise<string[]> {
  return (await redis.smembers(sourcesKey(prefix))).sort();
}

export async function sourceExists(
  redis: RedisClient,
  prefix: string,
  id: string,
): Promise<boolean> {
  return (await redis.sismember(sourcesKey(prefix), id)) === 1;
}
