import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createProducer } from '../../src/producer/producer.js';
import type { Config } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { createWorker } from '../../src/workers/worker.js';
import { waitFor } from './wait-for.js';

export interface ProduceAndProcessResult {
  readonly produced: number;
  readonly processed: number;
}

/**
 * Runs a producer (config.producer, source cam1) and a worker on clients made from
 * config.redis, the way the CLI does, until `observer` sees every frame's result; then stops
 * both. `onConnected` looks at the producer's connection first (which user, which socket).
 */
export async function produceAndProcess(
  config: Config,
  observer: Redis,
  onConnected: (producerRedis: RedisClient) => Promise<void> = async () => {},
): Promise<ProduceAndProcessResult> {
  const keys = sourceKeys(config.redis.prefix, 'cam1');
  const producerRedis = createRedis(config.redis, { name: 'producer' });
  const redis = createRedis(config.redis, { name: 'worker' });
  const blockingRedis = createRedis(config.redis, { name: 'worker-blocking', blocking: true });
  try {
    await onConnected(producerRedis);
    const worker = await createWorker(config, {
      redis,
      blockingRedis,
      logger: silentLogger(),
      metrics: createMetrics(new Registry()),
    });
    const stop = new AbortController();
    const working = worker.run(stop.signal);
    const producer = createProducer(config, {
      redis: producerRedis,
      logger: silentLogger(),
      metrics: createMetrics(new Registry()),
    });
    const { produced } = await producer.run(new AbortController().signal);
    await waitFor(
      `${produced} results`,
      async () => (await observer.xlen(keys.results)) >= produced,
    );
    stop.abort();
    const { processed } = await working;
    await worker.close();
    await producer.close();
    return { produced, processed };
  } finally {
    await Promise.all([producerRedis, redis, blockingRedis].map((c) => closeRedis(c)));
  }
}
