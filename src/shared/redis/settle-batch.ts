import type { ChainableCommander } from 'ioredis';
import type { FieldValue } from '../stream-entries.js';
import type { RedisClient } from './create-redis.js';
import { callScript, hasScript } from './script-command.js';

/**
 * KEYS: frames, results, stats, errors. ARGV: group, maxLen, then per entry: id, field count,
 * fields. settleEntry for many results at once: each entry still pending gets its result and
 * is acked, an entry no longer pending (a peer settled it) adds nothing. One script call, one
 * XACK and one HINCRBY per batch instead of per frame.
 * HDEL runs first for the reason SETTLE_ENTRY gives (a write that is not deny-OOM, so the
 * settle completes at maxmemory instead of deadlocking). Returns 1/0 per entry.
 */
const SETTLE_RESULTS = `
local frames, target, stats, errors = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local group, max_len = ARGV[1], ARGV[2]
local ids = {}
local i = 3
while i <= #ARGV do
  ids[#ids + 1] = ARGV[i]
  i = i + 2 + tonumber(ARGV[i + 1])
end
redis.call('HDEL', errors, unpack(ids))
local out, acked = {}, {}
i = 3
while i <= #ARGV do
  local id, n = ARGV[i], tonumber(ARGV[i + 1])
  if #redis.call('XPENDING', frames, group, id, id, 1) > 0 then
    if n > 0 then
      redis.call('XADD', target, 'MAXLEN', '~', max_len, '*', unpack(ARGV, i + 2, i + 1 + n))
    end
    acked[#acked + 1] = id
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
  i = i + 2 + n
end
if #acked > 0 then
  redis.call('XACK', frames, group, unpack(acked))
  redis.call('HINCRBY', stats, 'processed', #acked)
end
return out
`;

export interface SettleResultsArgs {
  readonly framesKey: string;
  readonly resultsKey: string;
  readonly statsKey: string;
  readonly errorsKey: string;
  readonly group: string;
  readonly maxLen: number;
  readonly entries: readonly { readonly id: string; readonly fields: readonly FieldValue[] }[];
}

/** Registers the script on a client; pipelines made from it inherit it. Idempotent. */
export function defineSettleResults(client: RedisClient): void {
  if (!hasScript(client, 'fpSettleResults')) {
    client.defineCommand('fpSettleResults', { numberOfKeys: 4, lua: SETTLE_RESULTS });
  }
}

/** Pure: the script's flat argument list after the keys. */
export function settleResultsArgv(a: SettleResultsArgs): FieldValue[] {
  const argv: FieldValue[] = [a.group, String(a.maxLen)];
  for (const e of a.entries) {
    argv.push(e.id, String(e.fields.length), ...e.fields);
  }
  return argv;
}

/** Queues the call on a pipeline; the reply (one 1/0 per entry) comes from exec(). */
export function settleResults(on: ChainableCommander, a: SettleResultsArgs): ChainableCommander {
  return callScript(
    on,
    'fpSettleResults',
    a.framesKey,
    a.resultsKey,
    a.statsKey,
    a.errorsKey,
    ...settleResultsArgv(a),
  ) as ChainableCommander;
}
