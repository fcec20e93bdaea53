import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys } from '../shared/redis/keys.js';
import { fieldMap } from '../shared/stream-entries.js';

/** The JPEG bytes of one frame entry, or undefined once it has been trimmed away. */
export async function readFrameJpeg(
  redis: RedisClient,
  prefix: string,
  source: string,
  entryId: string,
): Promise<Buffer | undefined> {
  const keys = sourceKeys(prefix, source);
  const reply = (await redis.xrangeBuffer(keys.frames, entryId, entryId, 'COUNT', 1)) as [
    Buffer,
    Buffer[],
  ][];
  const fields = reply[0]?.[1];
  return fields === undefined ? undefined : fieldMap(fields).get('data');
}
