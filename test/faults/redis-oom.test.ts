import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createProducer } from '../../src/producer/producer.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { trimAcked } from '../../src/shared/redis/trim-acked.js';
import { oversizedJpeg } from '../helpers/frames.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { keysOf, startWorker, testConfig } from '../helpers/worker-fixtures.js';
import { addFrames } from './helpers/add-frames.js';
import { assertInvariant, figureLine, waitSettled } from './helpers/invariant.js';

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

async function counterValue(registry: Registry, name: string, role: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => x.labels.role === role);
  return Number(v?.value ?? 0);
}

describe('Redis at maxmemory with noeviction', () => {
  const server = useRedisServer({
    extraArgs: ['--maxmemory-policy', 'noeviction'],
    beforeStop: async () => {
      await server.redis.config('SET', 'maxmemory', '0');
    },
  });

  it('workers still settle when XADD is refused, and acked frames can be trimmed to make room', async () => {
    const config = testConfig(server);
    const keys = keysOf(config);
    const big = await oversizedJpeg(16_000);
    // 80 frames processed by an earlier worker: acked, kept until something trims them.
    await addFrames(server.redis, config, 0, 80, () => big);
    let w = await startWorker(server, config);
    await waitFor('80 results', async () => (await server.redis.xlen(keys.results)) === 80, 30_000);
    await w.stop();
    await addFrames(server.redis, config, 80, 20, () => big);
    await server.redis.config('SET', 'maxmemory', String((await usedMemory(server.redis)) - 1024));
    try {
      await assert.rejects(
        server.redis.xadd(`${keys.frames}:probe`, '*', 'f', 'v'),
        /^ReplyError: OOM/,
      );
      w = await startWorker(server, config);
      await waitFor(
        '100 results at OOM',
        async () => (await server.redis.xlen(keys.results)) === 100,
      );
      await w.stop();
      // XTRIM runs at OOM: the 100 acked frames go, and memory comes back.
      assert.equal(await trimAcked(server.redis, keys.frames), 100);
      await server.redis.xadd(`${keys.frames}:probe`, '*', 'f', 'v');
      assert.equal((await assertInvariant(server.redis, keys)).processed, 100);
    } finally {
      await server.redis.config('SET', 'maxmemory', '0');
    }
  });

  it('when the producer hits OOM before workers start, it backs off and reports, workers drain, it resumes, nothing is lost', async (t) => {
    const frames = 1200;
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix: `test-${randomUUID()}` },
      producer: {
        width: 160,
        height: 120,
        fps: 1000,
        frames,
        batchSize: 16,
        maxBacklog: 1000,
        maxLen: 5000,
        leaseTtlMs: 60_000,
      },
      worker: {
        consumer: 'late',
        sources: ['cam1'],
        processor: 'noop',
        blockMs: 50,
        claimIdleMs: 2000,
        claimIntervalMs: 200,
        resultsMaxLen: 5000,
      },
    });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    const producerRedis = createRedis(config.redis, { name: 'producer' });
    const registry = new Registry();
    const metrics = createMetrics(registry);
    await producerRedis.ping();
    // Room for ~300 frames of ~2.5 KB: far less than the 1200 frames of the run.
    const headroom = 800_000;
    await server.redis.config(
      'SET',
      'maxmemory',
      String((await usedMemory(server.redis)) + headroom),
    );
    const producer = createProducer(config, {
      redis: producerRedis,
      logger: silentLogger(),
      metrics,
    });
    const running = producer.run(new AbortController().signal);
    try {
      const name = 'framepipe_redis_oom_refusals_total';
      await waitFor(
        'producer refused for OOM',
        async () => (await counterValue(registry, name, 'producer')) > 0,
        60_000,
      );
      const beforeWorker = producer.stats().produced;
      const worker = await startWorker(server, config);
      const stats = await running;
      await waitSettled(server.redis, keys, 60_000, frames);
      await worker.stop();

      assert.ok(beforeWorker < frames, 'the producer was stuck before the worker started');
      assert.equal(stats.produced, frames);
      assert.equal(stats.dropped, 0);
      const s = await assertInvariant(server.redis, keys);
      assert.equal(s.produced, frames);
      assert.equal(s.processed, frames);
      const refusals = await counterValue(registry, name, 'producer');
      t.diagnostic(
        figureLine('oom-slow-start', {
          frames,
          producedBeforeWorkers: beforeWorker,
          oomRefusals: refusals,
          processed: s.processed,
          lost: 0,
          maxmemoryHeadroomBytes: headroom,
        }),
      );
    } finally {
      await server.redis.config('SET', 'maxmemory', '0');
      await producer.close();
      await closeRedis(producerRedis);
    }
  });
});
