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
import { trimSlack } from '../../src/shared/redis/scripts.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { fixturePath, startWorker } from '../helpers/worker-fixtures.js';
import { assertInvariant, figureLine, waitSettled } from './helpers/invariant.js';

const FRAMES = 1200;

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
}

describe('a slow worker behind a fast producer', () => {
  const server = useRedisServer();

  for (const policy of ['block', 'drop-oldest'] as const) {
    it(`with ${policy}: ${policy === 'block' ? 'Redis memory stays bounded and nothing unread is trimmed' : 'every drop is counted exactly'}`, async (t) => {
      // drop-oldest: a worker ~50x slower than the producer, so drops do not hang on timing.
      const block = policy === 'block';
      const maxLen = block ? 100 : 20;
      const maxBacklog = 50;
      const batchSize = 8;
      const config = ConfigSchema.parse({
        redis: { port: server.port, prefix: `test-${randomUUID()}` },
        producer: {
          policy,
          width: 320,
          height: 240,
          fps: 1000,
          frames: FRAMES,
          batchSize,
          maxLen,
          maxBacklog,
          leaseTtlMs: 60_000,
        },
        worker: {
          consumer: 'slow',
          sources: ['cam1'],
          processor: fixturePath('slow.ts'),
          blockMs: 50,
          maxInFlight: block ? 4 : 2,
          readCount: block ? 4 : 2,
          claimIdleMs: 5000,
        },
      });
      process.env.FRAMEPIPE_TEST_SLOW_MS = block ? '15' : '100';
      const keys = sourceKeys(config.redis.prefix, 'cam1');
      const baseline = await usedMemory(server.redis);
      const worker = await startWorker(server, config);
      const redis = createRedis(config.redis, { name: 'producer' });
      const metrics = createMetrics(new Registry());
      const producer = createProducer(config, { redis, logger: silentLogger(), metrics });
      const running = producer.run(new AbortController().signal);
      let peak = 0;
      let done = false;
      void running.finally(() => (done = true));
      while (!done) {
        peak = Math.max(peak, (await usedMemory(server.redis)) - baseline);
        await new Promise((r) => setTimeout(r, 25));
      }
      const stats = await running;
      await waitSettled(server.redis, keys, 60_000, block ? FRAMES : undefined);
      await worker.stop();
      await producer.close();
      await closeRedis(redis);

      const s = await assertInvariant(server.redis, keys);
      const bytes = Number((await metrics.frameBytes.get()).values[0]?.value ?? 0);
      const frameBytes = bytes / Math.max(1, stats.produced);
      if (block) {
        assert.equal(s.droppedUnread, 0, 'nothing unread was trimmed');
        assert.equal(s.droppedPending, 0);
        assert.equal(s.processed, FRAMES);
        // Entries kept: maxLen + trim slack + one batch; x2 for stream and allocator overhead,
        // plus 1.5 MB for results, client buffers and the counters.
        const bound = (maxLen + trimSlack(maxLen) + batchSize) * frameBytes * 2 + 1_500_000;
        assert.ok(
          bound < FRAMES * frameBytes,
          'the bound is below what an unbounded run would use',
        );
        assert.ok(peak < bound, `used_memory grew by ${peak} B, bound ${Math.round(bound)} B`);
        t.diagnostic(
          figureLine('slow-worker-block', {
            frames: FRAMES,
            frameBytes: Math.round(frameBytes),
            peakUsedMemoryGrowth: peak,
            bound: Math.round(bound),
            droppedUnread: 0,
            lost: 0,
          }),
        );
      } else {
        const dropped = s.droppedUnread + s.droppedPending;
        assert.ok(dropped > 0, 'the slow worker made drop-oldest trim');
        assert.equal(s.produced, s.processed + s.deadLettered + dropped);
        t.diagnostic(
          figureLine('slow-worker-drop-oldest', {
            frames: FRAMES,
            produced: s.produced,
            processed: s.processed,
            droppedUnread: s.droppedUnread,
            droppedPending: s.droppedPending,
            lost: 0,
            peakUsedMemoryGrowth: peak,
          }),
        );
      }
    });
  }
});
