import type { ChainableCommander, Redis } from 'ioredis';
import type { FieldValue } from '../stream-entries.js';
import type { RedisClient } from './create-redis.js';
import { corked, ZeroCopyCommand } from './zero-copy-command.js';
import { LUA_ID_HELPERS, LUA_SKIP_TRIMMED } from './lua-ids.js';
import { callScript, hasScript } from './script-command.js';

/**
 * The producer's write path: plain `XADD frames <explicit id>` per frame, a batch at once. The
 * payload never passes through Lua (a script copies every argument: ~2x the redis-server CPU
 * of a plain XADD for a 43 KB frame), and nothing else is sent per frame: the stream's own
 * `entries-added` counts what was produced (durable-counters.ts). A replayed id is refused
 * ("equal or smaller") and left to the caller. When a trim is due, TRIM follows the XADDs.
 * A source's keys share one hash slot, so this is valid on Redis Cluster too.
 */

/**
 * KEYS: frames, stats, marks. ARGV: policy, maxLen, slack.
 * Finds where to trim so the stream keeps about maxLen entries, from marks kept beside it: a
 * list of "<entries-added> <last-generated-id>" (exact: both from XINFO STREAM after this
 * batch's XADDs), oldest first, at least slack apart, one pushed per call. The
 * newest mark at least maxLen entries old is the trim point, and older marks go. Marks live in
 * Redis, so a producer that restarts (or runs for a few frames at a time) trims as cheaply as
 * one that has run for hours. Entries older than every mark (written before marks were kept)
 * are found by position instead: XRANGE copies them into Lua, so at most 2 x slack per call.
 * entries-added comes from XINFO STREAM (it copies the first and last entries: once per call,
 * i.e. per slack frames; a group's entries-read + lag is not it once unread entries were
 * trimmed, on Redis versions that report such a lag as the stream's length).
 * - block never trims past the oldest entry a group has not read or not acked;
 * - drop-oldest trims to the point and counts the trimmed entries some group had not read as
 *   dropped_unread (two XTRIMs: first what every group has read, then the rest); groups that
 *   had not read them start after them (LUA_SKIP_TRIMMED), so their lag stays exact.
 * At maxmemory Redis refuses a script whose first write may grow memory: XTRIM (which it
 * allows) comes first, and the mark is pushed with pcall, so a refused mark skips a mark, not
 * the trim. Returns {trimmed, trimmedUnread}.
 */
const TRIM = `${LUA_ID_HELPERS}${LUA_SKIP_TRIMMED}
local frames, stats, marks = KEYS[1], KEYS[2], KEYS[3]
local policy, max_len, slack = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local function count_of(mark) return tonumber(string.match(mark, '^%d+')) end
local function id_of(mark) return string.match(mark, ' (.+)$') end
local stream = fields_of(redis.call('XINFO', 'STREAM', frames))
local added, last_id = tonumber(stream['entries-added']), stream['last-generated-id']
local list = {}
local stale = false
if added ~= nil then
  list = redis.call('LRANGE', marks, 0, -1)
  local newest = list[#list]
  -- A mark past the stream's count or its last id: the stream was deleted and made anew.
  if newest and (count_of(newest) > added or id_lt(last_id, id_of(newest))) then
    list, stale = {}, true
  end
end
local trim_to, at, last_gone = nil, 0, nil
for i, m in ipairs(list) do
  if count_of(m) > added - max_len then break end
  at = i
end
if at > 0 then last_gone = id_of(list[at]) trim_to = next_id(last_gone) end
local function keep_marks()
  if added == nil then return end
  if stale then redis.pcall('DEL', marks) end
  local newest = list[#list]
  if not newest or added - count_of(newest) >= slack then
    redis.pcall('RPUSH', marks, string.format('%d', added) .. ' ' .. last_id)
  end
  if at > 1 then redis.pcall('LTRIM', marks, at - 1, -1) end
end
if trim_to == nil then
  local excess = redis.call('XLEN', frames) - max_len
  if excess > 2 * slack then excess = 2 * slack end
  -- Only the last id is kept: in chunks, so Lua holds 64 frames at a time, not all of them.
  local start, last = '-', nil
  while excess > 0 do
    local chunk = redis.call('XRANGE', frames, start, '+', 'COUNT', math.min(excess, 64))
    if #chunk == 0 then break end
    last = chunk[#chunk][1]
    excess = excess - #chunk
    start = '(' .. last
  end
  if last == nil then keep_marks() return {0, 0} end
  last_gone = last
  trim_to = next_id(last)
end
local groups = redis.call('XINFO', 'GROUPS', frames)
local read_by_all, keep = nil, nil
for _, g in ipairs(groups) do
  local gf = fields_of(g)
  local after_read = next_id(gf['last-delivered-id'])
  local k = after_read
  if tonumber(gf['pending']) > 0 then
    local summary = redis.call('XPENDING', frames, gf['name'])
    if id_lt(summary[2], k) then k = summary[2] end
  end
  if read_by_all == nil or id_lt(after_read, read_by_all) then read_by_all = after_read end
  if keep == nil or id_lt(k, keep) then keep = k end
end
local reply = {0, 0}
if policy == 'drop-oldest' then
  local read = 0
  if read_by_all ~= nil then
    local safe = trim_to
    if id_lt(read_by_all, safe) then safe = read_by_all end
    read = redis.call('XTRIM', frames, 'MINID', safe)
  end
  local unread = redis.call('XTRIM', frames, 'MINID', trim_to)
  if unread > 0 then
    redis.call('HINCRBY', stats, 'dropped_unread', unread)
    if added ~= nil then skip_trimmed(frames, last_gone, added) end
  end
  reply = {read + unread, unread}
elseif keep ~= nil then
  if id_lt(trim_to, keep) then keep = trim_to end
  reply = {redis.call('XTRIM', frames, 'MINID', keep), 0}
end
keep_marks()
return reply
`;

/** What the TRIM script needs when a trim is due with a batch. */
export interface TrimRequest {
  /** Entries the stream keeps (about: trims go by marks at least `slack` apart). */
  readonly maxLen: number;
  /** Entries written between trims. */
  readonly slack: number;
  /** The source's trim-marks list (keys.ts), in the frames' hash slot. */
  readonly marksKey: string;
}

export interface BatchEntry {
  readonly id: string;
  readonly fields: readonly FieldValue[];
}

export interface PublishBatchArgs {
  readonly framesKey: string;
  readonly statsKey: string;
  readonly policy: 'block' | 'drop-oldest';
  /** Trim after the XADDs (see TRIM); undefined: no trim in this batch. */
  readonly trim?: TrimRequest | undefined;
  readonly entries: readonly BatchEntry[];
}

/** added; 'conflict': refused as "equal or smaller" (a replay, or another writer went ahead). */
export type EntryOutcome = 'added' | 'conflict' | Error;

export interface BatchReply {
  /** One per entry, in order. */
  readonly outcomes: readonly EntryOutcome[];
  readonly trimmed: number;
  readonly trimmedUnread: number;
  /** The trim failed (the frames are stored); it is due again with the next batch. */
  readonly trimError?: Error;
}

function defineTrimScript(client: RedisClient): void {
  if (!hasScript(client, 'fpTrimFrames')) {
    client.defineCommand('fpTrimFrames', { numberOfKeys: 3, lua: TRIM });
  }
}

/** Pure: an XADD reply inside the batch. */
export function entryOutcome(err: Error | null): EntryOutcome {
  if (err === null) {
    return 'added';
  }
  return err.message.includes('equal or smaller') ? 'conflict' : err;
}

/** Pure: the TRIM script's reply, or why it failed (the frames are stored either way). */
export function trimOutcome(
  outcomes: readonly EntryOutcome[],
  err: Error | null,
  reply: unknown,
): BatchReply {
  if (err !== null) {
    return { outcomes, trimmed: 0, trimmedUnread: 0, trimError: err };
  }
  const [trimmed, unread] = (reply as unknown[]).map(Number);
  return { outcomes, trimmed: trimmed ?? 0, trimmedUnread: unread ?? 0 };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Sends one batch. On a single node (standalone, Sentinel) every XADD goes as a ZeroCopyCommand
 * on the corked socket: the frame bytes are not copied and the batch leaves in one writev.
 * On a Cluster, one pipeline (the source's keys share a slot, so one node takes it all).
 */
export async function publishBatch(redis: RedisClient, a: PublishBatchArgs): Promise<BatchReply> {
  if (a.trim !== undefined) {
    defineTrimScript(redis);
  }
  return redis.isCluster ? publishPipelined(redis, a) : publishCorked(redis as Redis, a);
}

async function publishCorked(redis: Redis, a: PublishBatchArgs): Promise<BatchReply> {
  // The XADDs, then the trim when one is due, in one write: Redis runs the trim after them.
  const { sent, trim } = corked(redis, () => ({
    sent: a.entries.map((e) =>
      redis.sendCommand(
        new ZeroCopyCommand('xadd', [a.framesKey, e.id, ...e.fields], { replyEncoding: 'utf8' }),
      ),
    ),
    trim: sendTrim(redis, a),
  }));
  const settled = await Promise.allSettled(sent);
  const outcomes = settled.map((r) =>
    entryOutcome(r.status === 'fulfilled' ? null : asError(r.reason)),
  );
  if (trim === undefined) {
    return { outcomes, trimmed: 0, trimmedUnread: 0 };
  }
  return (trim as Promise<unknown>).then(
    (reply) => trimOutcome(outcomes, null, reply),
    (err: unknown) => trimOutcome(outcomes, asError(err), null),
  );
}

/** Sends (or queues on a pipeline) the TRIM script when the batch has a trim point. */
function sendTrim(on: RedisClient | ChainableCommander, a: PublishBatchArgs): unknown {
  if (a.trim === undefined) {
    return undefined;
  }
  const t = a.trim;
  return callScript(
    on,
    'fpTrimFrames',
    a.framesKey,
    a.statsKey,
    t.marksKey,
    a.policy,
    t.maxLen,
    t.slack,
  );
}

/** One pipeline; a failure of the whole pipeline gives every entry the same Error. */
async function publishPipelined(redis: RedisClient, a: PublishBatchArgs): Promise<BatchReply> {
  const [only] = a.entries;
  if (a.entries.length === 1 && a.trim === undefined && only !== undefined) {
    // A camera's usual batch: one frame. A plain command copies the frame once; a pipeline
    // copies it twice (ioredis joins the command, then the pipeline).
    const outcome = await redis.xadd(a.framesKey, only.id, ...only.fields).then(
      () => entryOutcome(null),
      (err: unknown) => entryOutcome(asError(err)),
    );
    return { outcomes: [outcome], trimmed: 0, trimmedUnread: 0 };
  }
  const pipeline = redis.pipeline();
  for (const e of a.entries) {
    void pipeline.xadd(a.framesKey, e.id, ...e.fields); // replies come from exec()
  }
  void sendTrim(pipeline, a); // its reply comes from exec()
  let replies: [Error | null, unknown][];
  try {
    replies = (await pipeline.exec()) ?? [];
  } catch (err) {
    const e = asError(err);
    const trimError = a.trim === undefined ? {} : { trimError: e };
    return { outcomes: a.entries.map(() => e), trimmed: 0, trimmedUnread: 0, ...trimError };
  }
  const outcomes = a.entries.map((_, i) => {
    const r = replies[i];
    return r === undefined ? new Error('no reply for XADD') : entryOutcome(r[0]);
  });
  if (a.trim === undefined) {
    return { outcomes, trimmed: 0, trimmedUnread: 0 };
  }
  const [trimErr, trim] = replies[a.entries.length] ?? [new Error('no reply for trim'), null];
  return trimOutcome(outcomes, trimErr, trim);
}
