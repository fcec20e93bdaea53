import type { FieldValue } from '../stream-entries.js';
import type { RedisClient } from './create-redis.js';
import { LUA_ID_HELPERS } from './lua-ids.js';

/**
 * The producer's write path: one MULTI per batch holding plain `XADD frames <explicit id>`
 * commands between two small scripts. The payload never passes through Lua (a script copies
 * every argument: ~2x the redis-server CPU of a plain XADD for a 43 KB frame), and nothing
 * interleaves inside MULTI, so the number of entries added is exactly the change of XLEN:
 * - MARK stores XLEN in the stats hash;
 * - the XADDs follow; a replayed id is refused ("equal or smaller") and left to the caller;
 * - TAIL adds XLEN - mark to `produced` and, when asked, trims the stream (see below).
 * A source's keys share one hash slot, so this is valid on Redis Cluster too.
 */

/** The stats-hash field MARK writes; not a counter. */
export const PUBLISH_MARK_FIELD = 'publish_mark';

const MARK = `redis.call('HSET', KEYS[2], '${PUBLISH_MARK_FIELD}', redis.call('XLEN', KEYS[1]))
return 1`;

/**
 * KEYS: frames, stats. ARGV: policy, trimTo ('' for no trim).
 * Counts what this MULTI added, then trims entries older than trimTo (the oldest of the last
 * maxLen ids the producer wrote):
 * - block never trims past the oldest entry a group has not read or not acked;
 * - drop-oldest trims to trimTo and counts the trimmed entries some group had not read as
 *   dropped_unread (two XTRIMs: first what every group has read, then the rest).
 * Returns {added, trimmed, trimmedUnread}.
 */
const TAIL = `${LUA_ID_HELPERS}
local frames, stats = KEYS[1], KEYS[2]
local policy, trim_to = ARGV[1], ARGV[2]
local mark = tonumber(redis.call('HGET', stats, '${PUBLISH_MARK_FIELD}') or '0')
local added = redis.call('XLEN', frames) - mark
if added > 0 then redis.call('HINCRBY', stats, 'produced', added) end
if trim_to == '' then return {added, 0, 0} end
local groups = redis.call('XINFO', 'GROUPS', frames)
local read_by_all, keep = nil, nil
for _, g in ipairs(groups) do
  local gf = {}
  for i = 1, #g, 2 do gf[g[i]] = g[i + 1] end
  local after_read = next_id(gf['last-delivered-id'])
  local k = after_read
  if tonumber(gf['pending']) > 0 then
    local summary = redis.call('XPENDING', frames, gf['name'])
    if id_lt(summary[2], k) then k = summary[2] end
  end
  if read_by_all == nil or id_lt(after_read, read_by_all) then read_by_all = after_read end
  if keep == nil or id_lt(k, keep) then keep = k end
end
if policy == 'drop-oldest' then
  local read = 0
  if read_by_all ~= nil then
    local safe = trim_to
    if id_lt(read_by_all, safe) then safe = read_by_all end
    read = redis.call('XTRIM', frames, 'MINID', safe)
  end
  local unread = redis.call('XTRIM', frames, 'MINID', trim_to)
  if unread > 0 then redis.call('HINCRBY', stats, 'dropped_unread', unread) end
  return {added, read + unread, unread}
end
if keep == nil then return {added, 0, 0} end
if id_lt(trim_to, keep) then keep = trim_to end
return {added, redis.call('XTRIM', frames, 'MINID', keep), 0}
`;

export interface BatchEntry {
  readonly id: string;
  readonly fields: readonly FieldValue[];
}

export interface PublishBatchArgs {
  readonly framesKey: string;
  readonly statsKey: string;
  readonly policy: 'block' | 'drop-oldest';
  /** Trim entries older than this id (see TAIL); undefined: no trim in this batch. */
  readonly trimTo?: string | undefined;
  readonly entries: readonly BatchEntry[];
}

/** added; 'conflict': refused as "equal or smaller" (a replay, or another writer went ahead). */
export type EntryOutcome = 'added' | 'conflict' | Error;

export interface BatchReply {
  /** One per entry, in order. */
  readonly outcomes: readonly EntryOutcome[];
  /** Entries the batch added, as Redis counted them (XLEN change). */
  readonly added: number;
  readonly trimmed: number;
  readonly trimmedUnread: number;
}

type ScriptFn = (...args: (string | number | Buffer)[]) => unknown;
interface BatchCommands {
  fpPublishMark: ScriptFn;
  fpPublishTail: ScriptFn;
}

function defineBatchScripts(client: RedisClient): void {
  if ((client as unknown as Record<string, unknown>).fpPublishMark === undefined) {
    client.defineCommand('fpPublishMark', { numberOfKeys: 2, lua: MARK });
    client.defineCommand('fpPublishTail', { numberOfKeys: 2, lua: TAIL });
  }
}

/** Pure: an XADD reply inside the batch. */
export function entryOutcome(err: Error | null): EntryOutcome {
  if (err === null) {
    return 'added';
  }
  return err.message.includes('equal or smaller') ? 'conflict' : err;
}

/**
 * EXECABORT hides why Redis discarded the transaction (OOM at maxmemory, most often): surface
 * the first queued command's error so callers can tell OOM from a broken connection.
 */
export function transactionError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const previous = (e as Error & { previousErrors?: unknown[] }).previousErrors?.[0];
  return previous instanceof Error ? previous : e;
}

/** Sends one batch; a failure of the whole transaction gives every entry the same Error. */
export async function publishBatch(redis: RedisClient, a: PublishBatchArgs): Promise<BatchReply> {
  defineBatchScripts(redis);
  const tx = redis.multi();
  const commands = tx as unknown as BatchCommands;
  void commands.fpPublishMark.call(tx, a.framesKey, a.statsKey); // replies come from exec()
  for (const e of a.entries) {
    void tx.xadd(a.framesKey, e.id, ...e.fields);
  }
  void commands.fpPublishTail.call(tx, a.framesKey, a.statsKey, a.policy, a.trimTo ?? '');
  let replies: [Error | null, unknown][];
  try {
    replies = (await tx.exec()) ?? [];
  } catch (err) {
    const e = transactionError(err);
    return { outcomes: a.entries.map(() => e), added: 0, trimmed: 0, trimmedUnread: 0 };
  }
  const outcomes = a.entries.map((_, i) => {
    const r = replies[i + 1];
    return r === undefined ? new Error('no reply for XADD') : entryOutcome(r[0]);
  });
  const [tailErr, tail] = replies[a.entries.length + 1] ?? [new Error('no reply for tail'), null];
  if (tailErr !== null) {
    // The XADDs are applied; only counting/trimming failed. Surface it, do not retry frames.
    throw tailErr;
  }
  const [added, trimmed, unread] = (tail as number[]).map(Number);
  return { outcomes, added: added ?? 0, trimmed: trimmed ?? 0, trimmedUnread: unread ?? 0 };
}
