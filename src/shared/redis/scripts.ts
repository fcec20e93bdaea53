import type { ChainableCommander } from 'ioredis';
import type { FieldValue } from '../stream-entries.js';
import type { RedisClient } from './create-redis.js';
import { LUA_ID_HELPERS, LUA_SKIP_TRIMMED } from './lua-ids.js';
import { callScript, hasScript, type ScriptTarget } from './script-command.js';

/**
 * Lua scripts that keep the delivery invariant atomic: every produced entry is acked once
 * with one result, or counted as dead-lettered or dropped. A source's keys share a hash
 * slot, so each script is valid on Redis Cluster too.
 */

const LUA_ID = `${LUA_ID_HELPERS}
local function field_of(list, name, from)
  for i = from, #list - 1, 2 do
    if list[i] == name then return list[i + 1] end
  end
  return nil
end
`;

/**
 * KEYS: frames, stats, reids. ARGV: group, id, policy, maxLen, slack, field/value...
 * Adds the frame with an explicit id. A replayed XADD (ioredis resends in-flight commands
 * after a reconnect) finds its entry already stored: counted as a duplicate, not stored twice.
 * If another writer (a DLQ redrive) took a larger id first, the frame is stored under a fresh
 * id and the mapping kept in `reids`, so a replay of that command is still a duplicate.
 * Once the stream exceeds maxLen + slack, it is trimmed back to maxLen:
 * - drop-oldest trims whatever is oldest and counts trimmed entries no group had read; the
 *   groups that had not read them start after them (LUA_SKIP_TRIMMED);
 * - block never trims past the oldest entry a group has not read or not acked.
 * Added entries are counted by the stream itself (entries-added, see durable-counters.ts).
 * Returns 1 when added, 0 for a duplicate.
 */
const PUBLISH_FRAME = `${LUA_ID}${LUA_SKIP_TRIMMED}
local frames, stats, reids = KEYS[1], KEYS[2], KEYS[3]
local group, id, policy = ARGV[1], ARGV[2], ARGV[3]
local max_len, slack = tonumber(ARGV[4]), tonumber(ARGV[5])
local added = redis.pcall('XADD', frames, id, unpack(ARGV, 6))
if type(added) == 'table' and added.err then
  if not string.find(added.err, 'equal or smaller', 1, true) then
    return redis.error_reply(added.err)
  end
  -- A replay only if the stored entry is this frame (same seq): a fresh id given to an earlier
  -- frame (below) can equal a later frame's explicit id, which must not be dropped as a duplicate.
  local stored = redis.call('XRANGE', frames, id, id)
  local same = #stored > 0 and field_of(stored[1][2], 'seq', 1) == field_of(ARGV, 'seq', 6)
  if same or redis.call('HEXISTS', reids, id) == 1 then
    redis.call('HINCRBY', stats, 'duplicates', 1)
    return 0
  end
  local fresh = redis.call('XADD', frames, '*', unpack(ARGV, 6))
  -- Replays come within seconds of the original: a small map is enough.
  if redis.call('HLEN', reids) >= 10000 then redis.call('DEL', reids) end
  redis.call('HSET', reids, id, fresh)
  redis.call('HINCRBY', stats, 'reids', 1)
end
local len = redis.call('XLEN', frames)
if len <= max_len + slack then return 1 end
local excess = len - max_len
local head = redis.call('XRANGE', frames, '-', '+', 'COUNT', excess + 1)
local threshold = head[#head][1]
local groups = redis.call('XINFO', 'GROUPS', frames)
if policy == 'drop-oldest' then
  local unread = 0
  for i = 1, #head - 1 do
    local eid = head[i][1]
    local read_by_all = #groups > 0
    for _, g in ipairs(groups) do
      if not id_lt(eid, fields_of(g)['last-delivered-id']) and eid ~= fields_of(g)['last-delivered-id'] then
        read_by_all = false
      end
    end
    if not read_by_all then unread = unread + 1 end
  end
  redis.call('XTRIM', frames, 'MINID', threshold)
  if unread > 0 then
    redis.call('HINCRBY', stats, 'dropped_unread', unread)
    local added = tonumber(fields_of(redis.call('XINFO', 'STREAM', frames))['entries-added'])
    if added ~= nil then skip_trimmed(frames, head[#head - 1][1], added) end
  end
  return 1
else
  if #groups == 0 then return 1 end
  for _, g in ipairs(groups) do
    local gf = fields_of(g)
    local keep = gf['last-delivered-id']
    if tonumber(gf['pending']) > 0 then
      local summary = redis.call('XPENDING', frames, gf['name'])
      if id_lt(summary[2], keep) then keep = summary[2] end
    end
    if id_lt(keep, threshold) then threshold = keep end
  end
end
redis.call('XTRIM', frames, 'MINID', threshold)
return 1
`;

/**
 * KEYS: frames, target (results or dlq), stats, errors. ARGV: group, id, maxLen, statField,
 * copyOriginal ('1' copies the frame's fields first, for the DLQ), field/value...
 * Appends to target and acks only if the entry is still pending, so a redelivered frame that
 * a peer already finished adds nothing: one result per entry id.
 * At maxmemory (noeviction) XADD is refused, but Redis only refuses a script's deny-OOM
 * command while the script has not written yet (it cannot stop half-way). The HDEL (a write
 * that is not deny-OOM) therefore runs first, so a settle always completes: an OOM here would
 * deadlock, as workers could not ack and the frames stream could not shrink. The overshoot is
 * bounded by the backlog (one small result per pending entry).
 * With no fields and copyOriginal '0' it only acks and counts (trimmed entries).
 * Returns 1 when this call acked the entry, 0 when it was no longer pending.
 */
const SETTLE_ENTRY = `
local frames, target, stats, errors = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local group, id, max_len, stat, copy = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local pending = redis.call('XPENDING', frames, group, id, id, 1)
if #pending == 0 then return 0 end
local fields = {}
if copy == '1' then
  local orig = redis.call('XRANGE', frames, id, id)
  if #orig > 0 then fields = orig[1][2] end
  fields[#fields + 1] = 'dlq_frame'
  fields[#fields + 1] = id
end
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HDEL', errors, id)
if #fields > 0 then
  redis.call('XADD', target, 'MAXLEN', '~', max_len, '*', unpack(fields))
end
redis.call('XACK', frames, group, id)
redis.call('HINCRBY', stats, stat, 1)
return 1
`;

/**
 * KEYS: frames, stats, errors. ARGV: group, consumer, id... The worker's heartbeat for the
 * entries it is processing: still pending and still in the stream -> XCLAIM JUSTID (resets the
 * idle time, so peers leave a slow but live worker's frames alone); pending but trimmed away ->
 * acked and counted as dropped_pending, once; no longer pending (settled meanwhile) -> nothing.
 * One script, so a settle racing the heartbeat can never be counted as a drop too.
 * Returns the ids counted as dropped.
 */
const HEARTBEAT = `
local frames, stats, errors = KEYS[1], KEYS[2], KEYS[3]
local group, consumer = ARGV[1], ARGV[2]
local dropped = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  if #redis.call('XPENDING', frames, group, id, id, 1) > 0 then
    if #redis.call('XRANGE', frames, id, id) == 0 then
      redis.call('HDEL', errors, id)
      redis.call('XACK', frames, group, id)
      redis.call('HINCRBY', stats, 'dropped_pending', 1)
      dropped[#dropped + 1] = id
    else
      redis.call('XCLAIM', frames, group, consumer, 0, id, 'JUSTID')
    end
  end
end
return dropped
`;

/**
 * KEYS: frames, stats, errors. ARGV: group, consumer, minIdleMs, cursor, count.
 * One XAUTOCLAIM page, and the ids it reports as deleted (trimmed while pending; Redis removes
 * them from the PEL in this same call) counted as dropped_pending in the same script: counted
 * in a second command, they were lost whenever that one did not land (refused at maxmemory,
 * a worker killed in between, a reply given up after a command timeout). XAUTOCLAIM is a
 * write Redis allows at maxmemory, and once a script has written, its HINCRBY runs too.
 * Returns XAUTOCLAIM's reply as is.
 */
const CLAIM_IDLE = `
local frames, stats, errors = KEYS[1], KEYS[2], KEYS[3]
local reply = redis.call('XAUTOCLAIM', frames, ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local deleted = reply[3]
if deleted and #deleted > 0 then
  redis.call('HINCRBY', stats, 'dropped_pending', #deleted)
  redis.call('HDEL', errors, unpack(deleted))
end
return reply
`;

export interface ClaimIdleArgs {
  readonly framesKey: string;
  readonly statsKey: string;
  readonly errorsKey: string;
  readonly group: string;
  readonly consumer: string;
  readonly minIdleMs: number;
  readonly cursor: string;
  readonly count: number;
}

/** One XAUTOCLAIM page with its deleted ids already counted; the raw reply, binary fields. */
export function claimIdle(on: RedisClient, a: ClaimIdleArgs): Promise<unknown> {
  defineScripts(on);
  return callScript(
    on,
    'fpClaimIdleBuffer',
    a.framesKey,
    a.statsKey,
    a.errorsKey,
    a.group,
    a.consumer,
    a.minIdleMs,
    a.cursor,
    a.count,
  ) as Promise<unknown>;
}

export interface HeartbeatArgs {
  readonly framesKey: string;
  readonly statsKey: string;
  readonly errorsKey: string;
  readonly group: string;
  readonly consumer: string;
  readonly ids: readonly string[];
}

/** Refreshes this consumer's in-flight entries; resolves with the ids counted as dropped. */
export async function heartbeatEntries(on: RedisClient, a: HeartbeatArgs): Promise<string[]> {
  const reply = await (callScript(
    on,
    'fpHeartbeat',
    a.framesKey,
    a.statsKey,
    a.errorsKey,
    a.group,
    a.consumer,
    ...a.ids,
  ) as Promise<unknown>);
  return Array.isArray(reply) ? reply.map(String) : [];
}

export type SettleStat = 'processed' | 'dead_lettered' | 'dropped_pending';

export interface PublishFrameArgs {
  readonly framesKey: string;
  readonly statsKey: string;
  readonly group: string;
  readonly id: string;
  readonly policy: 'block' | 'drop-oldest';
  readonly maxLen: number;
  readonly fields: readonly FieldValue[];
}

export interface SettleEntryArgs {
  readonly framesKey: string;
  readonly targetKey: string;
  readonly statsKey: string;
  readonly errorsKey: string;
  readonly group: string;
  readonly id: string;
  readonly maxLen: number;
  readonly stat: SettleStat;
  readonly copyOriginal: boolean;
  readonly fields: readonly FieldValue[];
}

type Commander = ScriptTarget;

/** Registers the scripts on a client; pipelines made from it inherit them. Idempotent. */
export function defineScripts(client: RedisClient): void {
  if (hasScript(client, 'fpPublishFrame')) {
    return;
  }
  client.defineCommand('fpPublishFrame', { numberOfKeys: 3, lua: PUBLISH_FRAME });
  client.defineCommand('fpSettleEntry', { numberOfKeys: 4, lua: SETTLE_ENTRY });
  client.defineCommand('fpHeartbeat', { numberOfKeys: 3, lua: HEARTBEAT });
  client.defineCommand('fpClaimIdle', { numberOfKeys: 3, lua: CLAIM_IDLE });
}

/** `p:{src}:frames` -> `p:{src}:reids` (same hash slot). */
export function reidsKeyOf(framesKey: string): string {
  return framesKey.replace(/:frames$/, ':reids');
}

/** Trim in chunks, like MAXLEN ~: one XINFO per `slack` adds instead of per add. */
export function trimSlack(maxLen: number): number {
  return Math.max(1, Math.ceil(maxLen / 20));
}

/**
 * On a client: resolves with 1 (added) or 0 (duplicate id). On a pipeline: queues the call
 * and returns the pipeline; the reply comes from `exec()`.
 */
export function publishFrame(on: RedisClient, a: PublishFrameArgs): Promise<unknown>;
export function publishFrame(on: ChainableCommander, a: PublishFrameArgs): ChainableCommander;
export function publishFrame(on: Commander, a: PublishFrameArgs): unknown {
  return callScript(
    on,
    'fpPublishFrame',
    a.framesKey,
    a.statsKey,
    reidsKeyOf(a.framesKey),
    a.group,
    a.id,
    a.policy,
    a.maxLen,
    trimSlack(a.maxLen),
    ...a.fields,
  );
}

/** On a client: resolves with 1 (settled now) or 0. On a pipeline: queues it, see exec(). */
export function settleEntry(on: RedisClient, a: SettleEntryArgs): Promise<unknown>;
export function settleEntry(on: ChainableCommander, a: SettleEntryArgs): ChainableCommander;
export function settleEntry(on: Commander, a: SettleEntryArgs): unknown {
  return callScript(
    on,
    'fpSettleEntry',
    a.framesKey,
    a.targetKey,
    a.statsKey,
    a.errorsKey,
    a.group,
    a.id,
    a.maxLen,
    a.stat,
    a.copyOriginal ? '1' : '0',
    ...a.fields,
  );
}
