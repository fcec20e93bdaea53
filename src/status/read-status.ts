import type { RedisClient } from '../shared/redis/create-redis.js';
import { durableCounters } from '../shared/redis/durable-counters.js';
import { sourceKeys, sourcesKey } from '../shared/redis/keys.js';
import { isCluster } from '../shared/redis/read-streams.js';
import {
  pairsToObject,
  readBacklog,
  readGroups,
  readStreamSummary,
} from '../shared/redis/stream-info.js';

export interface ConsumerStatus {
  readonly name: string;
  readonly pending: number;
  readonly idleMs: number;
}

export interface GroupStatus {
  readonly name: string;
  readonly consumers: ConsumerStatus[];
  readonly pending: number;
  /** Entries not yet delivered; counted when XINFO reports NULL lag. */
  readonly lag: number;
  readonly lagCounted: boolean;
  readonly lastDeliveredId: string;
}

export interface SourceStatus {
  readonly source: string;
  /** Cluster mode: the master (host:port) that serves this source's hash slot. */
  readonly shard?: string;
  readonly slot?: number;
  readonly frames: { length: number; firstId: string | null; lastId: string | null };
  readonly results: number;
  readonly dlq: number;
  readonly groups: GroupStatus[];
  /** Durable counters kept by the Lua scripts (produced, processed, dead_lettered, ...). */
  readonly counters: Record<string, number>;
}

export async function listSources(redis: RedisClient, prefix: string): Promise<string[]> {
  return (await redis.smembers(sourcesKey(prefix))).sort();
}

export async function readSourceStatus(
  redis: RedisClient,
  prefix: string,
  source: string,
): Promise<SourceStatus> {
  const keys = sourceKeys(prefix, source);
  // One XINFO STREAM gives the length, first and last ids and the produced count.
  const [frames, stats, results, dlq] = await Promise.all([
    readStreamSummary(redis, keys.frames),
    redis.hgetall(keys.stats),
    redis.xlen(keys.results),
    redis.xlen(keys.dlq),
  ]);
  const counters = durableCounters(stats, frames.entriesAdded);
  const groups: GroupStatus[] = [];
  for (const g of await readGroups(redis, keys.frames)) {
    const backlog = await readBacklog(redis, keys.frames, g.name);
    const consumers = ((await redis.xinfo('CONSUMERS', keys.frames, g.name)) as unknown[][]).map(
      (row) => {
        const c = pairsToObject(row);
        return { name: String(c.name), pending: Number(c.pending), idleMs: Number(c.idle) };
      },
    );
    groups.push({
      name: g.name,
      consumers,
      pending: g.pending,
      lag: backlog.unread,
      lagCounted: backlog.counted,
      lastDeliveredId: g.lastDeliveredId,
    });
  }
  return {
    source,
    ...(await shardOf(redis, keys.frames)),
    frames: { length: frames.length, firstId: frames.firstId, lastId: frames.lastId },
    results,
    dlq,
    groups,
    // The invariant's counters always, 0 included; other fields of the hash as they are.
    counters: {
      ...counters.fields,
      produced: counters.produced,
      processed: counters.processed,
      dead_lettered: counters.dead_lettered,
      dropped_unread: counters.dropped_unread,
      dropped_pending: counters.dropped_pending,
      duplicates: counters.duplicates,
      redriven: counters.redriven,
    },
  };
}

/** Cluster mode: which slot and master hold a key (ioredis keeps the slot map). */
async function shardOf(
  redis: RedisClient,
  key: string,
): Promise<{ shard?: string; slot?: number }> {
  if (!isCluster(redis)) {
    return {};
  }
  const cluster = redis as { slots?: string[][] };
  const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
  const master = cluster.slots?.[slot]?.[0];
  return master === undefined ? { slot } : { slot, shard: master };
}

export async function readStatus(redis: RedisClient, prefix: string): Promise<SourceStatus[]> {
  const sources = await listSources(redis, prefix);
  return Promise.all(sources.map((s) => readSourceStatus(redis, prefix, s)));
}
