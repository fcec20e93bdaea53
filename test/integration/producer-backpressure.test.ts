import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createProducer } from '../../src/producer/producer.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { useRedisServer } from '../helpers/redis-server.js';

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('producer with the block policy', () => {
  let redis: RedisClient;
  const server = useRedisServer({
    beforeStop: async () => {
      await closeRedis(redis);
    },
  });

  for (const batchesInFlight of [1, 3]) {
    it(`waits while nobody reads, never trims unread frames, resumes when a consumer acks (${batchesInFlight} batches in flight)`, async () => {
      const maxBacklog = 6;
      const batchSize = 4;
      const config = ConfigSchema.parse({
        redis: { port: server.port, prefix: `test-${randomUUID()}` },
        producer: {
          width: 32,
          height: 24,
          fps: 1000,
          frames: 40,
          policy: 'block',
          maxBacklog,
          batchSize,
          batchesInFlight,
          maxBufferedFrames: 5,
          maxLen: 10,
        },
      });
      const keys = sourceKeys(config.redis.prefix, 'cam1');
      redis = createRedis(config.redis, { name: 'producer' });
      const metrics = createMetrics(new Registry());
      const producer = createProducer(config, { redis, logger: silentLogger(), metrics });
      const running = producer.run(new AbortController().signal);

      // Nobody reads: the producer fills the backlog, then its buffer, and stops there.
      while (producer.stats().buffered < 5) {
        await tick();
      }
      for (let i = 0; i < 10; i++) {
        const len = await server.redis.xlen(keys.frames);
        assert.ok(len <= maxBacklog + batchSize, `stream length ${len}`);
        await tick();
      }
      assert.ok(producer.stats().produced < 40, 'the producer is held back');

      // A slow consumer reads and acks in small steps; every frame reaches it once.
      const seen: string[] = [];
      while (seen.length < 40) {
        const reply = (await server.redis.xreadgroup(
          'GROUP',
          config.worker.group,
          'test-consumer',
          'COUNT',
          3,
          'BLOCK',
          200,
          'STREAMS',
          keys.frames,
          '>',
        )) as [string, [string, string[]][]][] | null;
        const rows = reply?.[0]?.[1] ?? [];
        for (const [id, fields] of rows) {
          seen.push(fields[fields.indexOf('seq') + 1]!);
          await server.redis.xack(keys.frames, config.worker.group, id);
        }
      }
      const stats = await running;
      await producer.close();
      await closeRedis(redis);

      assert.equal(stats.produced, 40);
      assert.ok(stats.backpressureWaitMs > 0);
      assert.deepEqual(
        seen,
        [...Array(40).keys()].map(String),
        'nothing trimmed before it was read',
      );
      assert.equal(await server.redis.hget(keys.stats, 'dropped_unread'), null);
      assert.ok((await metrics.backpressureWait.get()).values[0]!.value > 0);
    });
  }
});
