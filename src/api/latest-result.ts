import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys } from '../shared/redis/keys.js';
import { decodeResultEntry } from '../shared/stream-entries.js';
import { getLatest, setLatest, type LatestResult } from '../sink/latest-cache.js';

export interface LatestLookup {
  readonly result: LatestResult | undefined;
  readonly cache: 'hit' | 'miss';
}

/**
 * The hash the sink keeps, when it holds the results stream's newest entry (both read in one
 * round trip); else that entry, written back to the hash (only if still the newest) for the
 * next reader. The hash alone goes stale: without a sink, or while it is stopped or
 * PostgreSQL is down, nothing else moves it on.
 */
export async function readLatestResult(
  redis: RedisClient,
  prefix: string,
  source: string,
): Promise<LatestLookup> {
  const keys = sourceKeys(prefix, source);
  // A few entries, in case the newest is malformed: skip it rather than answer nothing.
  const [cached, newest] = await Promise.all([
    getLatest(redis, prefix, source),
    redis.xrevrange(keys.results, '+', '-', 'COUNT', 5),
  ]);
  if (cached !== undefined && (newest.length === 0 || newest[0]![0] === cached.id)) {
    return { result: cached, cache: 'hit' };
  }
  for (const [id, fields] of newest) {
    try {
      const result: LatestResult = { ...decodeResultEntry(id, fields), source, id };
      await setLatest(redis, prefix, result);
      return { result, cache: 'miss' };
    } catch {
      continue;
    }
  }
  return { result: cached, cache: cached === undefined ? 'miss' : 'hit' };
}
