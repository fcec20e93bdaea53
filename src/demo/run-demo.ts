import type { Config } from '../shared/config/schema.js';
import { readDurableCounters } from '../shared/redis/durable-counters.js';
import { sourceKeys } from '../shared/redis/keys.js';
import { readBacklog } from '../shared/redis/stream-info.js';
import { sleep } from '../shared/shutdown.js';
import { createProducer } from '../producer/producer.js';
import { registerSource } from '../producer/stream-setup.js';
import { createWorker } from '../workers/worker.js';
import { checkProcessor } from '../workers/processors/load-processor.js';
import { createRuntime } from '../app/runtime.js';
import { ratePerSecond, startProgressLine } from '../app/progress-line.js';
import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { startPrivateRedisServer, type PrivateRedisServer } from './private-redis-server.js';

export interface DemoSummary {
  readonly produced: number;
  readonly processed: number;
  readonly deadLettered: number;
  readonly dropped: number;
  readonly pending: number;
  readonly seconds: number;
  readonly redis: string;
  /** Results whose frame carried a ground-truth plate, and how many read it exactly. */
  readonly plates: { readonly withTruth: number; readonly correct: number };
}

export interface DemoOptions {
  /** True when the user pointed framepipe at a Redis (flag, env or file). */
  readonly redisConfigured: boolean;
  readonly logger: Logger;
  readonly print: (line: string) => void;
}

/**
 * Picks the Redis to use: the configured one (a Redis that does not answer is an error, never
 * silently swapped for another), else a private redis-server.
 */
async function chooseRedis(
  config: Readonly<Config>,
  options: DemoOptions,
): Promise<{ config: Readonly<Config>; server?: PrivateRedisServer }> {
  if (options.redisConfigured) {
    return { config };
  }
  const server = await startPrivateRedisServer();
  options.print(
    `private redis-server on 127.0.0.1:${server.port} (pid ${server.pid}), removed on exit`,
  );
  const redis = {
    ...config.redis,
    mode: 'standalone' as const,
    url: undefined,
    socketPath: undefined,
    host: server.host,
    port: server.port,
  };
  return { config: { ...config, redis }, server };
}

/** Scores plate results added since startId against the ground truth they carry. */
async function plateScore(
  redis: RedisClient,
  results: string,
  startId: string,
): Promise<DemoSummary['plates']> {
  let withTruth = 0;
  let correct = 0;
  for (const [, fields] of await redis.xrange(results, startId, '+')) {
    const payload = JSON.parse(fields[fields.indexOf('payload') + 1] ?? 'null') as {
      correct?: boolean;
    } | null;
    if (typeof payload?.correct === 'boolean') {
      withTruth++;
      correct += payload.correct ? 1 : 0;
    }
  }
  return { withTruth, correct };
}

/** `framepipe demo`: synthetic producer + worker pool in one process, one live line, a summary. */
export async function runDemo(
  baseConfig: Readonly<Config>,
  signal: AbortSignal,
  options: DemoOptions,
): Promise<DemoSummary> {
  // Before a private redis-server is started for nothing.
  await checkProcessor(baseConfig.worker.processor);
  const chosen = await chooseRedis(baseConfig, options);
  const { server } = chosen;
  // The demo's worker reads the demo's source from the start, not after discovery.
  const worker =
    chosen.config.worker.sources.length > 0
      ? chosen.config.worker
      : { ...chosen.config.worker, sources: [chosen.config.producer.source] };
  const config: Readonly<Config> = { ...chosen.config, worker };
  const runtime = createRuntime(config, { logger: options.logger });
  if (server !== undefined) {
    runtime.onClose({ name: 'private-redis', close: () => server.stop() });
  }
  const started = Date.now();
  try {
    const redis = runtime.redis('demo');
    await runtime.whenReady(redis, { signal });
    const keys = sourceKeys(config.redis.prefix, config.producer.source);
    // Registered before the worker starts, which would otherwise warn that no producer has.
    await registerSource(
      redis,
      config.redis.prefix,
      config.producer.source,
      keys,
      config.worker.group,
    );
    const producer = createProducer(config, {
      redis,
      logger: runtime.logger,
      metrics: runtime.metrics,
    });
    const pool = await createWorker(config, {
      redis: runtime.redis('worker'),
      blockingRedis: runtime.redis('worker-blocking', { blocking: true }),
      logger: runtime.logger,
      metrics: runtime.metrics,
    });
    runtime.onClose({ name: 'producer', close: () => producer.close() });
    runtime.onClose({ name: 'worker', close: () => pool.close() });
    await runtime.serveMetrics(() => pool.ready());

    // Counters are durable in Redis; report this run's share of them.
    const readCounters = async () => {
      const c = await readDurableCounters(redis, keys);
      return {
        produced: c.produced,
        processed: c.processed,
        dlq: c.dead_lettered,
        dropped: c.dropped_unread + c.dropped_pending,
      };
    };
    const base = await readCounters();
    const startId = `${Date.now()}-0`;
    const counters = async () => {
      const c = await readCounters();
      return {
        produced: c.produced - base.produced,
        processed: c.processed - base.processed,
        dlq: c.dlq - base.dlq,
        dropped: c.dropped - base.dropped,
      };
    };
    let prev = { at: Date.now(), produced: 0, processed: 0 };
    const progress = startProgressLine(
      async () => {
        const c = await counters();
        const backlog = await readBacklog(redis, keys.frames, config.worker.group);
        const now = Date.now();
        const line = `produced ${c.produced} (${ratePerSecond(prev.produced, c.produced, now - prev.at).toFixed(0)}/s)  processed ${c.processed} (${ratePerSecond(prev.processed, c.processed, now - prev.at).toFixed(0)}/s)  lag ${backlog.unread}  pending ${backlog.pending}  DLQ ${c.dlq}  dropped ${c.dropped}`;
        prev = { at: now, produced: c.produced, processed: c.processed };
        return line;
      },
      { plainEveryMs: 2000 },
    );

    const workerStop = new AbortController();
    const stopWorker = () => workerStop.abort();
    signal.addEventListener('abort', stopWorker, { once: true });
    const workerDone = pool.run(workerStop.signal);
    const producerStats = await producer.run(signal);
    // Let the workers finish what was produced, unless the user presses Ctrl-C again.
    while (!signal.aborted) {
      const c = await counters();
      if (c.processed + c.dlq + c.dropped >= producerStats.produced) {
        break;
      }
      await sleep(100, signal);
    }
    workerStop.abort();
    await workerDone;
    progress.stop();
    const c = await counters();
    const backlog = await readBacklog(redis, keys.frames, config.worker.group);
    return {
      produced: c.produced,
      processed: c.processed,
      deadLettered: c.dlq,
      dropped: c.dropped,
      pending: backlog.pending,
      seconds: (Date.now() - started) / 1000,
      redis: server === undefined ? 'configured' : `private:${server.port}`,
      plates: await plateScore(redis, keys.results, startId),
    };
  } finally {
    await runtime.close(10_000);
  }
}
