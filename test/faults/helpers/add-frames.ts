import type { Redis } from 'ioredis';
import type { Config } from '../../../src/shared/config/schema.js';
import { sourceKeys } from '../../../src/shared/redis/keys.js';
import { defineScripts, publishFrame } from '../../../src/shared/redis/scripts.js';
import { encodeFrameFields, type FieldValue } from '../../../src/shared/stream-entries.js';

/**
 * Adds frames seq `from`..`from + n - 1` with ids `${1000 + seq}-0` through publishFrame, as
 * the producer does (the counters stay right). `fields(seq)` may replace the entry's fields.
 */
export async function addFrames(
  redis: Redis,
  config: Config,
  from: number,
  n: number,
  data: (seq: number) => Buffer,
  fields?: (seq: number) => FieldValue[] | undefined,
): Promise<string[]> {
  defineScripts(redis);
  const keys = sourceKeys(config.redis.prefix, 'cam1');
  await redis.xgroup('CREATE', keys.frames, config.worker.group, '0', 'MKSTREAM').catch(() => 0);
  await redis.sadd(`${config.redis.prefix}:sources`, 'cam1');
  const ids: string[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const id = `${1000 + seq}-0`;
    const f =
      fields?.(seq) ??
      encodeFrameFields({
        source: 'cam1',
        seq,
        captureUs: Date.now() * 1000,
        width: 16,
        height: 16,
        format: 'jpeg',
        data: data(seq),
      });
    await publishFrame(redis, {
      framesKey: keys.frames,
      statsKey: keys.stats,
      group: config.worker.group,
      id,
      policy: 'block',
      maxLen: 100_000,
      fields: f,
    });
    ids.push(id);
  }
  return ids;
}
