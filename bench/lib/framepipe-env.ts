import { Registry } from 'prom-client';
import { parseConfig, type ConfigLayer } from '../../src/shared/config/load-config.js';
import type { Config } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { createProducer, type ProducerStats } from '../../src/producer/producer.js';
import type { FrameSource, RawFrame } from '../../src/producer/sources/frame-source.js';
import { createWorker, type Worker } from '../../src/workers/worker.js';
import type { FrameSet } from './frames.js';

/** framepipe's own defaults, plus the bench's Redis, prefix and silence; overrides on top. */
export function benchConfig(
  port: number,
  prefix: string,
  ...layers: ConfigLayer[]
): Readonly<Config> {
  return parseConfig([
    { redis: { host: '127.0.0.1', port, prefix }, log: { level: 'silent' } },
    ...layers,
  ]);
}

export function sourceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `cam${i}`);
}

/** Pre-encoded JPEGs as a FrameSource: the producer publishes them as they are. */
export function jpegSource(set: FrameSet, frames: number, offset = 0): FrameSource {
  let closed = false;
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<RawFrame> {
      for (let n = 0; n < frames && !closed; n++) {
        const data = set.jpegs[(n + offset) % set.jpegs.length]!;
        yield { width: set.width, height: set.height, image: { format: 'jpeg', data } };
        // Like the synthetic source: let timers and I/O run between frames.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

export interface RunningWorker {
  readonly worker: Worker;
  stop(): Promise<void>;
}

export async function startWorker(
  config: Readonly<Config>,
  name = 'bench-worker',
): Promise<RunningWorker> {
  const redis = createRedis(config.redis, { name });
  const blockingRedis = createRedis(config.redis, { name: `${name}-blocking`, blocking: true });
  const worker = await createWorker(config, {
    redis,
    blockingRedis,
    logger: silentLogger(),
    metrics: createMetrics(new Registry()),
  });
  const stopper = new AbortController();
  const running = worker.run(stopper.signal);
  return {
    worker,
    async stop() {
      stopper.abort();
      await running;
      await worker.close();
      await Promise.all([closeRedis(redis), closeRedis(blockingRedis)]);
    },
  };
}

export interface RunningProducers {
  /** Resolves when every producer has published its frames. */
  readonly done: Promise<ProducerStats[]>;
  stop(): Promise<void>;
}

/**
 * One producer per source id, sharing one connection. `staggerMs` starts producer i that much
 * later than producer i - 1, so paced cameras are spread over the frame interval instead of
 * all firing in the same millisecond.
 */
export function startProducers(
  base: Readonly<Config>,
  ids: readonly string[],
  source: (index: number) => FrameSource,
  layer: ConfigLayer = {},
  staggerMs = 0,
  /** A connection the caller keeps (and closes); by default one of their own. */
  shared?: RedisClient,
): RunningProducers {
  const redis: RedisClient = shared ?? createRedis(base.redis, { name: 'bench-producers' });
  const stopper = new AbortController();
  const producers = ids.map((id, i) => {
    const config = parseConfig([base, layer, { producer: { source: id } }]);
    return createProducer(config, {
      redis,
      logger: silentLogger(),
      metrics: createMetrics(new Registry()),
      source: source(i),
    });
  });
  const done = Promise.all(
    producers.map(async (p, i) => {
      if (staggerMs > 0) {
        await new Promise((r) => setTimeout(r, i * staggerMs));
      }
      return p.run(stopper.signal);
    }),
  );
  return {
    done,
    async stop() {
      stopper.abort();
      await done.catch(() => undefined);
      await Promise.all(producers.map((p) => p.close()));
      if (shared === undefined) {
        await closeRedis(redis);
      }
    },
  };
}
