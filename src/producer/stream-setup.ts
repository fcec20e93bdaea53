import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourcesKey, type SourceKeys } from '../shared/redis/keys.js';
import { pairsToObject, readGroups } from '../shared/redis/stream-info.js';
import { isOomError } from '../shared/redis/trim-acked.js';
import { ZERO_ID, parseEntryId, type EntryId } from '../shared/entry-id.js';

export interface StreamPosition {
  /** The stream's last-generated-id: new ids must be greater. */
  readonly lastId: EntryId;
  /**
   * seq of the newest entry still in the stream; when it is empty (trimmed to nothing), of the
   * newest result or dead letter; or -1.
   */
  readonly lastSeq: number;
}

/** Pure: reads last-generated-id and the newest entry's seq from an XINFO STREAM reply. */
export function parseStreamPosition(reply: readonly unknown[]): StreamPosition {
  const info = pairsToObject(reply);
  const lastGenerated = info['last-generated-id'];
  const lastId = typeof lastGenerated === 'string' ? parseEntryId(lastGenerated) : ZERO_ID;
  const entry = info['last-entry'];
  const lastSeq = Array.isArray(entry) ? seqOf(entry[1] as readonly unknown[] | undefined) : -1;
  return { lastId, lastSeq };
}

/**
 * Registers the source, creates the consumer group at 0 (frames produced before any worker
 * starts are kept, and `block` sees the group), and reads where the stream left off.
 */
export async function prepareStream(
  redis: RedisClient,
  prefix: string,
  source: string,
  keys: SourceKeys,
  group: string,
): Promise<StreamPosition> {
  await registerSource(redis, prefix, source, keys, group);
  const position = parseStreamPosition((await redis.xinfo('STREAM', keys.frames)) as unknown[]);
  if (position.lastSeq >= 0 || (position.lastId.ms === 0 && position.lastId.seq === 0)) {
    return position;
  }
  // Frames were written but none is left: seq would start again at 0 (and a thumbnail named
  // <seq>.jpg overwrite an older one). The newest result or dead letter still says where it was.
  const newest = await Promise.all(
    [keys.results, keys.dlq].map(async (k) =>
      seqOf((await redis.xrevrange(k, '+', '-', 'COUNT', 1))[0]?.[1]),
    ),
  );
  return { ...position, lastSeq: Math.max(-1, ...newest) };
}

/** Pure: the seq field of an entry's flat field list, or -1. */
export function seqOf(fields: readonly unknown[] | undefined): number {
  const seq = Array.isArray(fields) ? Number(String(pairsToObject(fields).seq)) : Number.NaN;
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : -1;
}

/**
 * Adds the source to the sources set (how workers, status, dlq and the API find it) and makes
 * its consumer group; both idempotent, so it runs again when Redis may have lost them.
 */
export async function registerSource(
  redis: RedisClient,
  prefix: string,
  source: string,
  keys: SourceKeys,
  group: string,
): Promise<void> {
  // At maxmemory SADD and XGROUP CREATE are refused even when they would change nothing.
  try {
    await redis.sadd(sourcesKey(prefix), source);
  } catch (err) {
    if (!(isOomError(err) && (await redis.sismember(sourcesKey(prefix), source)) === 1)) {
      throw err;
    }
  }
  try {
    await redis.xgroup('CREATE', keys.frames, group, '0', 'MKSTREAM');
  } catch (err) {
    const exists = async () => (await readGroups(redis, keys.frames)).some((g) => g.name === group);
    if (!/BUSYGROUP/.test((err as Error).message) && !(isOomError(err) && (await exists()))) {
      throw err;
    }
  }
}
