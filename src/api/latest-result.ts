import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys } from '../shared/redis/keys.js';
import { decodeResultEntry } from '../shared/stream-entries.js';
import { getLatest, setLatest, type LatestResult } from '../sink/latest-cache.js';

export interface LatestLookup {
  readonly result: LatestResult | undefined;
  readonly cache: 'hit' | 'miss';
}

/**
 * Cache-aside: the hash the sink keeps; on a miss the newest entry of the results stream,
 * written back to the hash (only if still the newest) for the next reader.
 */
export async function readLatestResult(
  redis: RedisClient,
  prefix: string,
  source: string,
): Promise<LatestLookup> {
  const cached = await getLatest(redis, prefix, source);
  if (cached !== undefined) {
    return { result: cached, cache: 'hit' };
  }
  const keys = sourceKeys(prefix, source);
  // A few entries, in case the newest is malformed: skip it rather than answer nothing.
  for (const [id, fields] of await redis.xrevrange(keys.results, '+', '-', 'COUNT', 5)) {
    try {
      const result: LatestResult = { ...decodeResultEntry(id, fields), source, id };
      await setLatest(redis, prefix, result);
      return { result, cache: 'miss' };
    } catch {
      continue;
    }
  }
  return { result: undefined, cache: 'miss' };
}
