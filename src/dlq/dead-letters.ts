import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys, sourcesKey } from '../shared/redis/keys.js';
import { callScript, hasScript } from '../shared/redis/script-command.js';
import { DEAD_LETTER_FIELD_PREFIX } from '../shared/stream-entries.js';

/** A dead-lettered entry as `framepipe dlq list` shows it (the JPEG bytes left out). */
export interface DeadLetter {
  readonly id: string;
  readonly frameId: string | null;
  readonly seq: number | null;
  readonly code: string;
  readonly reason: string;
  readonly deliveries: number;
  readonly consumer: string;
  readonly atUs: number;
  readonly dataBytes: number;
}

/**
 * KEYS: dlq, frames, stats. ARGV: dlq id. Moves one dead letter back to the frames stream
 * (original fields, without dlq_*), under a fresh id, and moves its count from dead_lettered
 * to redriven, so produced = processed + dead_lettered + dropped still holds.
 * Returns the new frame id, or false when the dead letter is gone.
 */
const REDRIVE = `
local dlq, frames, stats = KEYS[1], KEYS[2], KEYS[3]
local rows = redis.call('XRANGE', dlq, ARGV[1], ARGV[1])
if #rows == 0 then return false end
local fields, out = rows[1][2], {}
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 4) ~= 'dlq_' then
    out[#out + 1] = fields[i]
    out[#out + 1] = fields[i + 1]
  end
end
if #out == 0 then out = {'redriven', '1'} end
local id = redis.call('XADD', frames, '*', unpack(out))
redis.call('XDEL', dlq, ARGV[1])
redis.call('HINCRBY', stats, 'dead_lettered', -1)
redis.call('HINCRBY', stats, 'redriven', 1)
return id
`;

function defineRedrive(redis: RedisClient): void {
  if (!hasScript(redis, 'fpRedrive')) {
    redis.defineCommand('fpRedrive', { numberOfKeys: 3, lua: REDRIVE });
  }
}

/** Pure: a raw DLQ entry (Buffers) to what people need to see. */
export function toDeadLetter(id: string, fields: readonly Buffer[]): DeadLetter {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    map.set(fields[i]!.toString(), fields[i + 1]!);
  }
  const text = (k: string) => map.get(k)?.toString('utf8');
  const seq = text('seq');
  return {
    id,
    frameId: text(`${DEAD_LETTER_FIELD_PREFIX}frame`) ?? null,
    seq: seq !== undefined && /^\d+$/.test(seq) ? Number(seq) : null,
    code: text('dlq_code') ?? '',
    reason: text('dlq_reason') ?? '',
    deliveries: Number(text('dlq_deliveries') ?? 0),
    consumer: text('dlq_consumer') ?? '',
    atUs: Number(text('dlq_ts') ?? 0),
    dataBytes: map.get('data')?.length ?? 0,
  };
}

/** The oldest `count` dead letters of a source. */
export async function listDeadLetters(
  redis: RedisClient,
  prefix: string,
  source: string,
  count = 100,
): Promise<DeadLetter[]> {
  const rows = (await redis.xrangeBuffer(
    sourceKeys(prefix, source).dlq,
    '-',
    '+',
    'COUNT',
    count,
  )) as [Buffer, Buffer[]][] | null;
  // COUNT 0 makes Redis answer nil, not an empty list.
  return (rows ?? []).map(([id, fields]) => toDeadLetter(id.toString(), fields));
}

/** What a command did with named ids: the ones it acted on and the ones not in the DLQ. */
export interface ByIds<T> {
  readonly found: T[];
  readonly missing: string[];
}

/** The named dead letters of a source; ids must be valid entry ids (see entry-ids.ts). */
export async function getDeadLetters(
  redis: RedisClient,
  prefix: string,
  source: string,
  ids: readonly string[],
): Promise<ByIds<DeadLetter>> {
  const dlq = sourceKeys(prefix, source).dlq;
  const replies = await each(redis, ids, (p, id) => p.xrangeBuffer(dlq, id, id));
  const out: ByIds<DeadLetter> = { found: [], missing: [] };
  ids.forEach((id, i) => {
    const row = (replies[i] as [Buffer, Buffer[]][])[0];
    if (row === undefined) {
      out.missing.push(id);
    } else {
      out.found.push(toDeadLetter(id, row[1]));
    }
  });
  return out;
}

export interface Redriven {
  /** The dead letter's id. */
  readonly id: string;
  /** Its new id in the frames stream. */
  readonly frameId: string;
}

/**
 * Moves dead letters back to the frames stream: the given ids, or every one. Ids must be valid
 * entry ids (see entry-ids.ts): Redis would fail the script on a malformed one.
 */
export async function redriveDeadLetters(
  redis: RedisClient,
  prefix: string,
  source: string,
  ids?: readonly string[],
): Promise<ByIds<Redriven>> {
  defineRedrive(redis);
  const keys = sourceKeys(prefix, source);
  const targets = ids ?? (await redis.xrange(keys.dlq, '-', '+')).map(([id]) => id);
  const out: ByIds<Redriven> = { found: [], missing: [] };
  for (const id of targets) {
    const frameId = await (callScript(
      redis,
      'fpRedrive',
      keys.dlq,
      keys.frames,
      keys.stats,
      id,
    ) as Promise<unknown>);
    if (typeof frameId === 'string') {
      out.found.push({ id, frameId });
    } else {
      out.missing.push(id);
    }
  }
  return out;
}

/** Deletes every dead letter of a source; they stay counted as dead-lettered. Returns how many. */
export async function purgeAllDeadLetters(
  redis: RedisClient,
  prefix: string,
  source: string,
): Promise<number> {
  const keys = sourceKeys(prefix, source);
  const n = await redis.xlen(keys.dlq);
  const removed = (await redis.del(keys.dlq)) > 0 ? n : 0;
  await countPurged(redis, keys.stats, removed);
  return removed;
}

/** Deletes the named dead letters (valid entry ids); they stay counted as dead-lettered. */
export async function purgeDeadLetters(
  redis: RedisClient,
  prefix: string,
  source: string,
  ids: readonly string[],
): Promise<ByIds<string>> {
  const keys = sourceKeys(prefix, source);
  const out: ByIds<string> = { found: [], missing: [] };
  // One XDEL per id: a single XDEL only says how many went, not which.
  const removed = await each(redis, ids, (p, id) => p.xdel(keys.dlq, id));
  ids.forEach((id, i) => (Number(removed[i]) > 0 ? out.found : out.missing).push(id));
  await countPurged(redis, keys.stats, out.found.length);
  return out;
}

/** One command per id in one pipeline (one round trip); throws the first command's error. */
async function each(
  redis: RedisClient,
  ids: readonly string[],
  command: (pipeline: ChainableCommander, id: string) => unknown,
): Promise<unknown[]> {
  const pipeline = redis.pipeline();
  ids.forEach((id) => command(pipeline, id));
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, value]) => {
    if (err !== null) {
      throw err;
    }
    return value;
  });
}

async function countPurged(redis: RedisClient, statsKey: string, removed: number): Promise<void> {
  if (removed > 0) {
    await redis.hincrby(statsKey, 'purged', removed);
  }
}

/** True when Redis has any key of the source: listed in `{prefix}:sources` or a DLQ left. */
export async function sourceExists(
  redis: RedisClient,
  prefix: string,
  source: string,
): Promise<boolean> {
  const [listed, dlq] = await Promise.all([
    redis.sismember(sourcesKey(prefix), source),
    redis.exists(sourceKeys(prefix, source).dlq),
  ]);
  return listed === 1 || dlq === 1;
}
