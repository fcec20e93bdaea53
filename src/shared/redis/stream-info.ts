import type { RedisClient } from './create-redis.js';
import { LUA_ID_HELPERS } from './lua-ids.js';

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
  /** True when `unread` was counted: Redis could not tell (lag NULL) or counted entries gone. */
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
 * Lua: the number of entries after an id, counted from whichever side is shorter (the entries
 * after it, or XLEN less those up to it), in steps of 64 from both ends: entries are whole
 * frames, and only the count leaves Redis.
 */
const LUA_COUNT_AFTER = `
local function count_after(stream, last)
  local len = redis.call('XLEN', stream)
  local after_start, before_start = '(' .. last, '-'
  local after_n, before_n = 0, 0
  while true do
    local a = redis.call('XRANGE', stream, after_start, '+', 'COUNT', 64)
    after_n = after_n + #a
    if #a < 64 then return after_n end
    after_start = '(' .. a[#a][1]
    local b = redis.call('XRANGE', stream, before_start, last, 'COUNT', 64)
    before_n = before_n + #b
    if #b < 64 then return len - before_n end
    before_start = '(' .. b[#b][1]
  end
end
`;

/** KEYS: stream. ARGV: an id. The number of entries after it. */
const COUNT_AFTER = `${LUA_COUNT_AFTER}
return count_after(KEYS[1], ARGV[1])
`;

/**
 * KEYS: frames, stats. ARGV: group. When the group's lag counts entries that are gone
 * (trimmed before it read them by someone else: an XTRIM by hand; framepipe's own drop-oldest
 * moves the group itself), the group is set right (XGROUP SETID ... ENTRIESREAD) and the gone
 * entries counted as dropped_unread, so the invariant still balances. A producer with the
 * block policy waiting on such a lag waited for good. Returns {lag, unread}, {-1, -1} when
 * Redis cannot tell the lag (NULL) or the group is missing.
 */
const RECONCILE_LAG = `${LUA_ID_HELPERS}${LUA_COUNT_AFTER}
local frames, stats, group = KEYS[1], KEYS[2], ARGV[1]
local lag, last
for _, g in ipairs(redis.call('XINFO', 'GROUPS', frames)) do
  local gf = fields_of(g)
  if gf['name'] == group then lag, last = gf['lag'], gf['last-delivered-id'] end
end
if not last or not lag then return {-1, -1} end
local unread = count_after(frames, last)
if lag > unread then
  local added = fields_of(redis.call('XINFO', 'STREAM', frames))['entries-added']
  local set = redis.pcall('XGROUP', 'SETID', frames, group, last, 'ENTRIESREAD', added - unread)
  if type(set) == 'table' and set.err then return redis.error_reply(set.err) end
  redis.call('HINCRBY', stats, 'dropped_unread', lag - unread)
end
return {lag, unread}
`;

/** Sets a group's lag right when it counts entries trimmed before it read them; see RECONCILE_LAG. */
export async function reconcileLag(
  redis: RedisClient,
  stream: string,
  statsKey: string,
  group: string,
): Promise<{ readonly lag: number; readonly unread: number }> {
  const [lag, unread] = (await redis.eval(RECONCILE_LAG, 2, stream, statsKey, group)) as [
    number,
    number,
  ];
  return { lag, unread };
}
/**
 * Unread + pending entries of a group. Redis's lag (entries-added - entries-read) is exact:
 * when drop-oldest trims entries a group had not read, the trim moves the group past them
 * (LUA_SKIP_TRIMMED, lua-ids.ts). Redis cannot always tell (NULL after XSETID or an XDEL),
 * and a lag above the stream's length counts entries that are gone (a trim by hand, or one
 * by a framepipe from before the fix): then the entries after the group's last-delivered-id
 * are counted (COUNT_AFTER), which copies entries inside Redis, so only then.
 */
export async function readBacklog(
  redis: RedisClient,
  stream: string,
  group: string,
): Promise<Backlog> {
  const [groups, len] = await Promise.all([readGroups(redis, stream), redis.xlen(stream)]);
  const info = groups.find((g) => g.name === group);
  if (info === undefined) {
    return { unread: len, pending: 0, counted: true };
  }
  if (lagIsExact(info.lag, len)) {
    return { unread: info.lag, pending: info.pending, counted: false };
  }
  const unread = Number(await redis.eval(COUNT_AFTER, 1, stream, info.lastDeliveredId));
  return { unread, pending: info.pending, counted: true };
}

/** Pure: whether Redis's lag can be taken as is (entries after the group, all still stored). */
export function lagIsExact(lag: number | null, length: number): lag is number {
  return lag !== null && lag <= length;
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
