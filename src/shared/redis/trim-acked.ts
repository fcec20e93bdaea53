import type { RedisClient } from './create-redis.js';
import { LUA_ID_HELPERS } from './lua-ids.js';
import { callScript, hasScript } from './script-command.js';

/**
 * At `maxmemory` with `noeviction`, Redis refuses XADD (OOM) but still runs XTRIM, XACK and
 * XDEL. The producer trims acked entries only after a successful XADD, and a worker's settle
 * adds its result before acking, so without help the frames stream never shrinks: a deadlock.
 * This script frees what no group needs any more: entries older than every group's oldest
 * pending id and up to its last-delivered id (read and acked by all). It starts with reads and its only
 * write is XTRIM, which is not a deny-OOM command, so it runs at OOM.
 * KEYS: frames. Returns the number of entries removed.
 */
const TRIM_ACKED = `${LUA_ID_HELPERS}
local frames = KEYS[1]
if redis.call('EXISTS', frames) == 0 then return 0 end
local groups = redis.call('XINFO', 'GROUPS', frames)
if #groups == 0 then return 0 end
local threshold = nil
for _, g in ipairs(groups) do
  local gf = fields_of(g)
  local keep = next_id(gf['last-delivered-id'])
  if tonumber(gf['pending']) > 0 then
    local summary = redis.call('XPENDING', frames, gf['name'])
    if id_lt(summary[2], keep) then keep = summary[2] end
  end
  if threshold == nil or id_lt(keep, threshold) then threshold = keep end
end
return redis.call('XTRIM', frames, 'MINID', threshold)
`;

/** Removes entries every group has read and acked; safe to call at OOM. */
export async function trimAcked(redis: RedisClient, framesKey: string): Promise<number> {
  if (!hasScript(redis, 'fpTrimAcked')) {
    redis.defineCommand('fpTrimAcked', { numberOfKeys: 1, lua: TRIM_ACKED });
  }
  return Number(await (callScript(redis, 'fpTrimAcked', framesKey) as Promise<unknown>));
}

/** Redis refused a write because maxmemory is reached (noeviction). */
export function isOomError(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('OOM');
}
