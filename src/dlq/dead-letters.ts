import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys } from '../shared/redis/keys.js';
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
  if ((redis as unknown as Record<string, unknown>).fpRedrive === undefined) {
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
  )) as [Buffer, Buffer[]][];
  return rows.map(([id, fields]) => toDeadLetter(id.toString(), fields));
}

/** Moves dead letters back to the frames stream (all, or the given ids); returns new frame ids. */
export async function redriveDeadLetters(
  redis: RedisClient,
  prefix: string,
  source: string,
  ids?: readonly string[],
): Promise<string[]> {
  defineRedrive(redis);
  const keys = sourceKeys(prefix, source);
  const targets = ids ?? (await redis.xrange(keys.dlq, '-', '+')).map(([id]) => id);
  const redrive = (redis as unknown as { fpRedrive: (...a: string[]) => Promise<string | null> })
    .fpRedrive;
  const moved: string[] = [];
  for (const id of targets) {
    const newId = await redrive.call(redis, keys.dlq, keys.frames, keys.stats, id);
    if (typeof newId === 'string') {
      moved.push(newId);
    }
  }
  return moved;
}

/** Deletes dead letters (all, or the given ids); they stay counted as dead-lettered. */
export async function purgeDeadLetters(
  redis: RedisClient,
  prefix: string,
  source: string,
  ids?: readonly string[],
): Promise<number> {
  const keys = sourceKeys(prefix, source);
  const removed =
    ids === undefined
      ? await redis.xlen(keys.dlq).then(async (n) => ((await redis.del(keys.dlq)) > 0 ? n : 0))
      : await redis.xdel(keys.dlq, ...ids);
  if (removed > 0) {
    await redis.hincrby(keys.stats, 'purged', removed);
  }
  return removed;
}
