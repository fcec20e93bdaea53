import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { assertSourceId } from '../shared/redis/keys.js';
import type { ResultEntry } from '../shared/stream-entries.js';

/**
 * The latest result per source, in a Redis hash `{prefix}:{source}:latest` (same hash tag as
 * the source's streams). Written by the sink after COMMIT and by the API on a cache miss.
 */
export function latestKey(prefix: string, source: string): string {
  assertSourceId(source);
  return `${prefix}:{${source}}:latest`;
}

export interface LatestResult extends ResultEntry {
  /** Entry id in the results stream. */
  readonly id: string;
}

// Only a newer stream id replaces the hash, so a reclaimed old batch or a slow API fill
// never moves "latest" backwards. Ids compare as (ms, seq) pairs of integers.
const SET_IF_NEWER = `
local cur = redis.call('HGET', KEYS[1], 'id')
if cur then
  local cm, cs = string.match(cur, '^(%d+)-(%d+)$')
  local nm, ns = string.match(ARGV[1], '^(%d+)-(%d+)$')
  cm, cs, nm, ns = tonumber(cm), tonumber(cs), tonumber(nm), tonumber(ns)
  if nm < cm or (nm == cm and ns <= cs) then return 0 end
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], unpack(ARGV, 2))
return 1`;

export function latestFields(r: LatestResult): string[] {
  return [
    'source',
    r.source,
    'frame',
    r.frameId,
    'seq',
    String(r.seq),
    'processor',
    r.processor,
    'ts',
    String(r.captureUs),
    'done',
    String(r.doneUs),
    'ms',
    String(r.durationMs),
    'consumer',
    r.consumer,
    'payload',
    JSON.stringify(r.payload ?? null),
  ];
}

/** Queues the conditional HSET on a pipeline or runs it; resolves 1 when it replaced the hash. */
export function setLatest(
  target: RedisClient | ChainableCommander,
  prefix: string,
  r: LatestResult,
): unknown {
  return target.eval(SET_IF_NEWER, 1, latestKey(prefix, r.source), r.id, ...latestFields(r));
}

/** Pure: the hash back to a result, or undefined when it is empty or incomplete. */
export function parseLatest(hash: Record<string, string>): LatestResult | undefined {
  const { id, source, frame, seq, processor, ts, done, ms, consumer, payload } = hash;
  if (
    id === undefined ||
    source === undefined ||
    frame === undefined ||
    processor === undefined ||
    payload === undefined
  ) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  return {
    id,
    source,
    frameId: frame,
    seq: Number(seq ?? 0),
    processor,
    captureUs: Number(ts ?? 0),
    doneUs: Number(done ?? 0),
    durationMs: Number(ms ?? 0),
    consumer: consumer ?? '',
    payload: parsed,
  };
}

export async function getLatest(
  redis: RedisClient,
  prefix: string,
  source: string,
): Promise<LatestResult | undefined> {
  return parseLatest(await redis.hgetall(latestKey(prefix, source)));
}
