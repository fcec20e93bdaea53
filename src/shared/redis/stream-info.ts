import type { RedisClient } from './create-redis.js';

/** One consumer group of a stream, as XINFO GROUPS reports it (Redis 7). */
export interface GroupInfo {
  readonly name: string;
  readonly consumers: number;
  readonly pending: number;
  readonly lastDeliveredId: string;
  /** Entries not yet delivered to the group; null when Redis cannot tell (after trims/XSETID). */
  readonly lag: number | null;
}

export interface Backlog {
  readonly unread: number;
  readonly pending: number;
  /** True when `unread` was counted because XINFO's lag was NULL (never reported as 0). */
  readonly counted: boolean;
}

/** Flat `[k, v, k, v]` reply to an object. */
export function pairsToObject(reply: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) {
    out[String(reply[i])] = reply[i + 1];
  }
  return out;
}

export function parseGroups(reply: readonly unknown[]): GroupInfo[] {
  return reply.map((raw) => {
    const g = pairsToObject(raw as unknown[]);
    const lag = g.lag;
    return {
      name: String(g.name),
      consumers: Number(g.consumers),
      pending: Number(g.pending),
      lastDeliveredId: String(g['last-delivered-id']),
      lag: lag === null || lag === undefined ? null : Number(lag),
    };
  });
}

export async function readGroups(redis: RedisClient, stream: string): Promise<GroupInfo[]> {
  try {
    return parseGroups((await redis.xinfo('GROUPS', stream)) as unknown[]);
  } catch (err) {
    if (/no such key/i.test((err as Error).message)) {
      return [];
    }
    throw err;
  }
}

/** Exclusive start for XRANGE: the id right after `id`. */
export function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${BigInt(seq ?? '0') + 1n}`;
}

/**
 * Unread + pending entries of a group. XINFO's `lag` can be NULL after trimming; then count
 * the entries after last-delivered-id, up to `countLimit` (enough to decide "over the bound").
 */
export async function readBacklog(
  redis: RedisClient,
  stream: string,
  group: string,
  countLimit = 100_000,
): Promise<Backlog> {
  const info = (await readGroups(redis, stream)).find((g) => g.name === group);
  if (info === undefined) {
    const len = await redis.xlen(stream);
    return { unread: len, pending: 0, counted: true };
  }
  if (info.lag !== null) {
    const unread =
      info.lag === 0 ? 0 : await boundLag(redis, stream, info.lag, info.lastDeliveredId);
    return { unread, pending: info.pending, counted: false };
  }
  const unread = await countAfter(redis, stream, info.lastDeliveredId, countLimit);
  return { unread, pending: info.pending, counted: true };
}

/** Pure: stream ids compared as numbers, ms then seq. */
export function idAtOrAfter(a: string, b: string): boolean {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return BigInt(am) > BigInt(bm) || (am === bm && BigInt(as) >= BigInt(bs));
}

/**
 * Pure: the entries a group has still to read, from Redis's lag. The lag is entries-added
 * minus entries-read, so it still counts entries trimmed before the group read them
 * (drop-oldest): a group that has read the newest entry has nothing unread whatever the lag
 * says, and a group never has more to read than the stream holds.
 */
export function unreadFromLag(
  lag: number,
  length: number,
  lastDeliveredId: string,
  newestId: string | undefined,
): number {
  if (newestId === undefined || idAtOrAfter(lastDeliveredId, newestId)) {
    return 0;
  }
  return Math.min(lag, length);
}

async function boundLag(
  redis: RedisClient,
  stream: string,
  lag: number,
  lastDeliveredId: string,
): Promise<number> {
  const [length, newest] = await Promise.all([
    redis.xlen(stream),
    redis.xrevrange(stream, '+', '-', 'COUNT', 1),
  ]);
  return unreadFromLag(lag, length, lastDeliveredId, newest[0]?.[0]);
}

async function countAfter(
  redis: RedisClient,
  stream: string,
  afterId: string,
  limit: number,
): Promise<number> {
  const start = afterId === '0-0' ? '-' : nextId(afterId);
  // Ask for ids only in pages: entries hold whole JPEGs, so keep the pages small.
  let count = 0;
  let cursor = start;
  const page = 200;
  while (count < limit) {
    const rows = (await redis.xrange(stream, cursor, '+', 'COUNT', page)) as [string, string[]][];
    count += rows.length;
    if (rows.length < page) {
      break;
    }
    cursor = nextId(rows[rows.length - 1]![0]);
  }
  return Math.min(count, limit);
}

/** What XINFO STREAM says of a stream that framepipe reads: its ids, not its entries' fields. */
export interface StreamSummary {
  readonly length: number;
  readonly firstId: string | null;
  readonly lastId: string | null;
  /** Every entry ever added (Redis >= 7.0), trimmed or not. */
  readonly entriesAdded: number;
}

const NO_STREAM: StreamSummary = { length: 0, firstId: null, lastId: null, entriesAdded: 0 };

/** Pure: an XINFO STREAM reply (anything else reads as an empty stream). */
export function parseStreamSummary(reply: unknown): StreamSummary {
  if (!Array.isArray(reply)) {
    return NO_STREAM;
  }
  const info = pairsToObject(reply as unknown[]);
  const idOf = (entry: unknown) => (Array.isArray(entry) ? String(entry[0]) : null);
  return {
    length: Number(info.length ?? 0),
    firstId: idOf(info['first-entry']),
    lastId: idOf(info['last-entry']),
    entriesAdded: Number(info['entries-added'] ?? 0),
  };
}

/** One XINFO STREAM: length, first and last ids and entries-added; a missing key is empty. */
export async function readStreamSummary(redis: RedisClient, key: string): Promise<StreamSummary> {
  try {
    return parseStreamSummary(await redis.xinfo('STREAM', key));
  } catch (err) {
    if (err instanceof Error && err.message.includes('no such key')) {
      return NO_STREAM;
    }
    throw err;
  }
}
