import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createProducer, type Producer } from '../../src/producer/producer.js';
import { ConfigSchema, type Config } from '../../src/shared/config/schema.js';
import { createLogger } from '../../src/shared/logger.js';
import { createMetrics, type Metrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { useRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startWorker, type RunningWorker } from '../helpers/worker-fixtures.js';
import { assertInvariant, figureLine, waitSettled } from './helpers/invariant.js';

const STALL_MS = 10_000;
const MAX_BUFFERED = 64;
const FRAMES = 900;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Side {
  readonly policy: 'block' | 'drop-oldest';
  readonly config: Config;
  readonly redis: RedisClient;
  readonly metrics: Metrics;
  readonly producer: Producer;
  readonly logs: string[];
  maxBuffered: number;
}

function side(server: RedisServer, policy: Side['policy']): Side {
  const config = ConfigSchema.parse({
    // A short command timeout, so a stalled Redis shows up as timeouts and retries.
    redis: { port: server.port, prefix: `test-${randomUUID()}`, commandTimeoutMs: 2000 },
    producer: {
      policy,
      width: 160,
      height: 120,
      fps: 150,
      frames: FRAMES,
      batchSize: 16,
      maxBufferedFrames: MAX_BUFFERED,
      leaseTtlMs: 60_000,
    },
    worker: { consumer: `w-${policy}`, sources: ['cam1'], processor: 'noop', blockMs: 50 },
  });
  const logs: string[] = [];
  const logger = createLogger(config.log, {
    destination: { write: (line: string) => void logs.push(line) },
  });
  const redis = createRedis(config.redis, { name: 'producer', logger });
  const metrics = createMetrics(new Registry());
  const producer = createProducer(config, { redis, logger, metrics });
  return { policy, config, redis, metrics, producer, logs, maxBuffered: 0 };
}

async function bufferedGauge(m: Metrics): Promise<number> {
  return Number((await m.bufferedFrames.get()).values[0]?.value ?? 0);
}

async function droppedBufferFull(m: Metrics): Promise<number> {
  const v = (await m.framesDropped.get()).values.find((x) => x.labels.reason === 'buffer_full');
  return Number(v?.value ?? 0);
}

describe('Redis unreachable for 10 s (SIGSTOP)', () => {
  const server = useRedisServer({
    beforeStop: () => {
      process.kill(server.pid(), 'SIGCONT');
    },
  });

  it('the producer buffer stays within maxBufferedFrames, then block waits and drop-oldest drops counting buffer_full; workers resume', async (t) => {
    const sides = [side(server, 'block'), side(server, 'drop-oldest')];
    const workers: RunningWorker[] = [];
    for (const s of sides) {
      workers.push(await startWorker(server, s.config));
    }
    const runs = sides.map((s) => s.producer.run(new AbortController().signal));
    while (sides.some((s) => s.producer.stats().produced < 100)) {
      await sleep(20);
    }
    process.kill(server.pid(), 'SIGSTOP');
    const stalledAt = Date.now();
    while (Date.now() - stalledAt < STALL_MS) {
      for (const s of sides) {
        s.maxBuffered = Math.max(
          s.maxBuffered,
          s.producer.stats().buffered,
          await bufferedGauge(s.metrics),
        );
      }
      await sleep(50);
    }
    const duringStall = sides.map((s) => s.producer.stats());
    process.kill(server.pid(), 'SIGCONT');
    const stats = await Promise.all(runs);
    for (const s of sides) {
      await waitSettled(server.redis, sourceKeys(s.config.redis.prefix, 'cam1'), 60_000);
    }
    await Promise.all(workers.map((w) => w.stop()));

    for (const [i, s] of sides.entries()) {
      const keys = sourceKeys(s.config.redis.prefix, 'cam1');
      const durable = await assertInvariant(server.redis, keys);
      const dropped = await droppedBufferFull(s.metrics);
      assert.ok(s.maxBuffered <= MAX_BUFFERED, `${s.policy}: buffered ${s.maxBuffered}`);
      assert.ok(s.maxBuffered >= MAX_BUFFERED - 16, `${s.policy}: the buffer filled up`);
      assert.ok(
        s.logs.some((l) => l.includes('retrying with the same ids')),
        'stall logged',
      );
      if (s.policy === 'block') {
        assert.equal(dropped, 0);
        assert.equal(durable.produced, FRAMES, 'block loses nothing');
      } else {
        assert.ok(dropped > 0, 'drop-oldest dropped while Redis was away');
        assert.equal(durable.produced + dropped, FRAMES, 'every frame stored or counted');
        assert.equal(stats[i]!.dropped, dropped);
      }
      t.diagnostic(
        figureLine(`redis-unreachable-10s-${s.policy}`, {
          frames: FRAMES,
          maxBufferedFrames: MAX_BUFFERED,
          maxBufferedSeen: s.maxBuffered,
          producedBeforeResume: duringStall[i]!.produced,
          stored: durable.produced,
          droppedBufferFull: dropped,
          processed: durable.processed,
          lost: 0,
        }),
      );
    }
    await Promise.all(
      sides.map(async (s) => {
        await s.producer.close();
        await closeRedis(s.redis);
      }),
    );
  });
});
