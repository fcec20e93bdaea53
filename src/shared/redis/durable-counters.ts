import type { RedisClient } from './create-redis.js';
import type { SourceKeys } from './keys.js';
import { readStreamSummary } from './stream-info.js';

/**
 * The invariant's counters for one source: `produced = processed + dead_lettered +
 * dropped_unread + dropped_pending` once nothing is pending or unread.
 * Everything but `produced` is a field of the stats hash, counted by the scripts that settle or
 * drop. `produced` is not counted per write: Redis's own `entries-added` of the frames stream
 * (XINFO STREAM, Redis >= 7.0) already counts every entry ever added, exactly and in the same
 * write, so the producer sends plain XADDs and nothing else. Entries a DLQ redrive added back
 * are counted in `redriven` and taken out.
 */
export interface DurableCounters {
  readonly produced: number;
  readonly processed: number;
  readonly dead_lettered: number;
  readonly dropped_unread: number;
  readonly dropped_pending: number;
  readonly duplicates: number;
  readonly redriven: number;
  /** Every field of the stats hash, numbers as numbers (reids, purged, ...). */
  readonly fields: Readonly<Record<string, number>>;
}

/** Pure: the counters from the stats hash and the stream's entries-added. */
export function durableCounters(
  stats: Readonly<Record<string, string>>,
  entriesAdded: number,
): DurableCounters {
  const fields = Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, Number(v)]));
  const n = (k: string) => fields[k] ?? 0;
  return {
    produced: Math.max(0, entriesAdded - n('redriven')),
    processed: n('processed'),
    dead_lettered: n('dead_lettered'),
    dropped_unread: n('dropped_unread'),
    dropped_pending: n('dropped_pending'),
    duplicates: n('duplicates'),
    redriven: n('redriven'),
    fields,
  };
}

/** Reads the counters; a source whose frames stream does not exist yet has produced 0. */
export async function readDurableCounters(
  redis: RedisClient,
  keys: Pick<SourceKeys, 'frames' | 'stats'>,
): Promise<DurableCounters> {
  const [stats, frames] = await Promise.all([
    redis.hgetall(keys.stats),
    readStreamSummary(redis, keys.frames),
  ]);
  return durableCounters(stats, frames.entriesAdded);
}
