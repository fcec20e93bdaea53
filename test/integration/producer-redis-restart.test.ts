import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createProducer } from '../../src/producer/producer.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

describe('producer across a Redis restart', () => {
  let server: RedisServer;
  let redis: RedisClient | undefined;
  before(async () => {
    // AOF with fsync on every write: what Redis acknowledged survives kill -9.
    server = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);
  });
  after(async () => {
    if (redis !== undefined) {
      await closeRedis(redis);
    }
    await server.stop();
  });

  it('reconnects after kill -9, finishes, and stores no frame twice', async () => {
    const frames = 400;
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix: `test-${randomUUID()}` },
      producer: { width: 32, height: 24, fps: 1000, frames, batchSize: 8, leaseTtlMs: 60_000 },
    });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    redis = createRedis(config.redis, { name: 'producer' });
    const producer = createProducer(config, {
      redis,
      logger: silentLogger(),
      metrics: createMetrics(new Registry()),
    });
    const running = producer.run(new AbortController().signal);
    while (producer.stats().produced < 100) {
      await tick();
    }
    await server.kill('SIGKILL');
    await tick(200); // frames pile up in the producer's buffer meanwhile
    await server.start();
    const stats = await running;
    await producer.close();

    const check: Redis = server.client();
    const entries = await check.xrange(keys.frames, '-', '+');
    const seqs = entries.map(([, f]) => Number(f[f.indexOf('seq') + 1]));
    assert.equal(new Set(seqs).size, seqs.length, 'no duplicate seq');
    assert.equal(stats.produced + stats.dropped, frames);
    assert.equal(seqs.length, stats.produced);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'stored in capture order',
    );
  });

  it('retries the same frames while Redis refuses writes for lack of memory, then finishes', async () => {
    const frames = 30;
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix: `test-${randomUUID()}` },
      producer: { width: 32, height: 24, fps: 100, frames, batchSize: 4, leaseTtlMs: 60_000 },
    });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    const oomRedis = createRedis(config.redis, { name: 'producer-oom' });
    const check: Redis = server.client();
    const producer = createProducer(config, {
      redis: oomRedis,
      logger: silentLogger(),
      metrics: createMetrics(new Registry()),
    });
    const running = producer.run(new AbortController().signal);
    try {
      while (producer.stats().produced < 5) {
        await tick();
      }
      await check.config('SET', 'maxmemory', '1');
      // Frames pile up in memory while every XADD is refused with OOM.
      while (producer.stats().buffered < 5) {
        await tick();
      }
      await check.config('SET', 'maxmemory', '0');
      const stats = await running;
      await producer.close();

      const entries = await check.xrange(keys.frames, '-', '+');
      const seqs = entries.map(([, f]) => Number(f[f.indexOf('seq') + 1]));
      assert.deepEqual(seqs, [...Array(frames).keys()]);
      assert.equal(stats.produced, frames);
    } finally {
      await check.config('SET', 'maxmemory', '0');
      await closeRedis(oomRedis);
    }
  });
});
