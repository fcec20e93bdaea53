import { Counter, Gauge, type Registry } from 'prom-client';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { durableCounters, type DurableCounters } from '../shared/redis/durable-counters.js';
import { sourceKeys } from '../shared/redis/keys.js';
import { readBacklog, readStreamSummary } from '../shared/redis/stream-info.js';
import type { Logger } from '../shared/logger.js';

const MIRRORED_OUTCOMES = [
  'produced',
  'processed',
  'dead_lettered',
  'dropped_unread',
  'dropped_pending',
  'duplicates',
] as const;

export interface StreamGaugeOptions {
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly group: string;
  /** Sources to report; read at every scrape so new sources appear. */
  readonly sources: () => Promise<readonly string[]> | readonly string[];
  readonly logger?: Logger;
}

/** Parses `used_memory:123` style lines of INFO. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) {
      out[line.slice(0, i)] = line.slice(i + 1).trim();
    }
  }
  return out;
}

/**
 * Stream length, group lag and pending, and Redis memory, read from Redis at scrape time
 * (prom-client collect()), so they are fresh and cost nothing between scrapes.
 */
export function registerStreamGauges(registry: Registry, options: StreamGaugeOptions): void {
  const registers = [registry];
  const log = options.logger?.child({ module: 'stream-gauges' });
  const lag = new Gauge({
    name: 'framepipe_consumer_group_lag',
    help: 'Entries not yet delivered to the consumer group (counted when XINFO lag is NULL)',
    labelNames: ['source', 'group'] as const,
    registers,
    collect: refresh,
  });
  const pending = new Gauge({
    name: 'framepipe_consumer_group_pending',
    help: 'Entries delivered but not yet acked',
    labelNames: ['source', 'group'] as const,
    registers,
    collect: refresh,
  });
  const used = new Gauge({
    name: 'framepipe_redis_used_memory_bytes',
    help: 'Redis used_memory',
    registers,
    collect: refresh,
  });
  const max = new Gauge({
    name: 'framepipe_redis_maxmemory_bytes',
    help: 'Redis maxmemory (0: no limit)',
    registers,
    collect: refresh,
  });
  // The Lua scripts keep durable per-source counters in Redis; mirror their increases so
  // Prometheus sees every outcome, including trims that no framepipe process observed.
  const outcomes = new Counter({
    name: 'framepipe_stream_entries_total',
    help: 'Per-source outcomes from the durable Redis counters (produced, processed, dead_lettered, dropped_unread, dropped_pending, duplicates)',
    labelNames: ['source', 'outcome'] as const,
    registers,
    collect: refresh,
  });
  const seen = new Map<string, number>();
  const length = new Gauge({
    name: 'framepipe_stream_length',
    help: 'Entries in a stream (XLEN)',
    labelNames: ['source', 'stream'] as const,
    registers,
    collect: refresh,
  });
  // prom-client collects all metrics at once: every gauge awaits the same refresh, so one
  // scrape reads Redis once and no gauge reports the previous scrape's value.
  let inflight: Promise<void> | undefined;
  function refresh(): Promise<void> {
    inflight ??= collectAll().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }
  function mirrorCounters(source: string, counters: DurableCounters): void {
    for (const outcome of MIRRORED_OUTCOMES) {
      const key = `${source}\u0000${outcome}`;
      const value = outcome === 'produced' ? counters.produced : (counters.fields[outcome] ?? 0);
      const delta = value - (seen.get(key) ?? 0);
      // A smaller value means the key was reset: start again from it.
      outcomes.inc({ source, outcome }, delta >= 0 ? delta : value);
      seen.set(key, value);
    }
  }
  async function collectAll(): Promise<void> {
    try {
      const { redis, prefix, group } = options;
      for (const source of await options.sources()) {
        const keys = sourceKeys(prefix, source);
        // One XINFO STREAM gives the frames stream's length and the produced count.
        const [frames, stats, results, dlq] = await Promise.all([
          readStreamSummary(redis, keys.frames),
          redis.hgetall(keys.stats),
          redis.xlen(keys.results),
          redis.xlen(keys.dlq),
        ]);
        length.set({ source, stream: 'frames' }, frames.length);
        length.set({ source, stream: 'results' }, results);
        length.set({ source, stream: 'dlq' }, dlq);
        const backlog = await readBacklog(redis, keys.frames, group);
        lag.set({ source, group }, backlog.unread);
        mirrorCounters(source, durableCounters(stats, frames.entriesAdded));
        pending.set({ source, group }, backlog.pending);
      }
      if ('info' in options.redis && typeof options.redis.info === 'function') {
        const info = parseInfo(await options.redis.info('memory'));
        used.set(Number(info.used_memory ?? 0));
        max.set(Number(info.maxmemory ?? 0));
      }
    } catch (err) {
      log?.warn({ err }, 'could not read stream gauges');
    }
  }
}
