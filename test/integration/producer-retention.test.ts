import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createProducer } from '../../src/producer/producer.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis } from '../../src/shared/redis/create-redis.js';
import { readDurableCounters } from '../../src/shared/redis/durable-counters.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { useRedisServer } from '../helpers/redis-server.js';

describe('producer retention across restarts: the stream keeps maxLen', () => {
  const server = useRedisServer();

  /** One producer run of `frames` frames, as a folder import or a crash-looping camera makes. */
  const run = async (prefix: string, policy: 'block' | 'drop-oldest', frames: number) => {
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix },
      producer: { width: 32, height: 24, fps: 1000, frames, maxLen: 20, policy },
    });
    const redis = createRedis(config.redis, { name: 'producer' });
    const producer = createProducer(config, {
      redis,
      logger: silentLogger(),
      metrics: createMetrics(new Registry()),
    });
    const stats = await producer.run(new AbortController().signal);
    await producer.close();
    await closeRedis(redis);
    return stats;
  };

  for (const policy of ['drop-oldest', 'block'] as const) {
    it(`${policy}: runs shorter than maxLen do not grow the stream without bound`, async () => {
      const prefix = `test-${randomUUID()}`;
      const keys = sourceKeys(prefix, 'cam1');
      if (policy === 'block') {
        // Everything read and acked, as a worker would: block may trim it.
        await server.redis.xgroup('CREATE', keys.frames, 'workers', '0', 'MKSTREAM');
      }
      for (let r = 0; r < 6; r++) {
        await run(prefix, policy, 15);
        if (policy === 'block') {
          const read = (await server.redis.xreadgroup(
            'GROUP',
            'workers',
            'w1',
            'STREAMS',
            keys.frames,
            '>',
          )) as [string, [string, unknown][]][] | null;
          const ids = read?.[0]?.[1].map(([id]) => id) ?? [];
          if (ids.length > 0) {
            await server.redis.xack(keys.frames, 'workers', ...ids);
          }
        }
      }
      const length = await server.redis.xlen(keys.frames);
      // 6 runs x 15 = 90 frames; without the by-length trim nothing was ever trimmed (90).
      assert.ok(length <= 20 + 15, `stream length ${length} > maxLen 20 + one run`);
      const counters = await readDurableCounters(server.redis, keys);
      assert.equal(counters.produced, 90, 'every frame was produced');
      if (policy === 'drop-oldest') {
        assert.equal(
          Number((await server.redis.hget(keys.stats, 'dropped_unread')) ?? 0),
          90 - length,
          'no group: every trimmed entry counted as dropped unread',
        );
      }
    });
  }
});
