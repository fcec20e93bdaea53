import { hostname } from 'node:os';
import type { Config } from '../shared/config/schema.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { defineScripts } from '../shared/redis/scripts.js';
import { beforeAbort, sleep } from '../shared/shutdown.js';
import { nowUs } from '../shared/stream-entries.js';
import { ConsumerJanitor } from './consumer-janitor.js';
import { createFramePool, type FramePool } from './frame-pool.js';
import { FrameHandler } from './frame-handler.js';
import { InFlight } from './in-flight.js';
import { loadProcessor } from './processors/load-processor.js';
import type { FrameInput, ProcessOptions } from './processors/processor.js';
import { Reclaimer } from './reclaimer.js';
import { SettleBatcher } from './settle-batcher.js';
import { SourceRegistry } from './source-registry.js';
import { StreamConsumer } from './stream-consumer.js';
import { emptyStats, type WorkerStats } from './worker-stats.js';

export type { WorkerStats } from './worker-stats.js';

export interface WorkerDeps {
  /** Command connection. */
  redis: RedisClient;
  /** Dedicated connection for XREADGROUP BLOCK only. */
  blockingRedis: RedisClient;
  logger: Logger;
  metrics: Metrics;
  /** Wall clock in ms (default: Date.now with sub-ms precision). */
  now?: () => number;
}

export interface Worker {
  /** Consumes until the signal aborts, then drains; resolves with the final stats. */
  run(signal: AbortSignal): Promise<WorkerStats>;
  stats(): WorkerStats;
  /** True after start and until draining begins. */
  ready(): boolean;
  close(): Promise<void>;
}

const SOURCES_REFRESH_MS = 3000;

export function defaultConsumerName(): string {
  return `${hostname()}-${process.pid}`;
}

/** Composition root of a worker: processor, pool, settle batcher, consumer, reclaimer. */
export async function createWorker(config: Readonly<Config>, deps: WorkerDeps): Promise<Worker> {
  const wc = config.worker;
  const consumer = wc.consumer ?? defaultConsumerName();
  const log = deps.logger.child({ module: 'worker', consumer });
  const now = deps.now ?? (() => nowUs() / 1000);
  defineScripts(deps.redis);

  const { processor, url } = await loadProcessor(wc.processor);
  const options: ProcessOptions = {
    thumbnailDir: wc.thumbnailDir,
    thumbnailWidth: wc.thumbnailWidth,
    plateSecondLook: wc.plateSecondLook,
  };
  // The pool exists only for processors that ask for it (sharp-bound work runs in-line).
  let pool: FramePool | undefined;
  if (processor.runsOn === 'pool') {
    pool = createFramePool({
      threads: wc.threads,
      maxQueue: wc.maxInFlight * 2 + 64,
      processorUrl: url,
      closeTimeoutMs: wc.shutdownTimeoutMs,
    });
  }
  const runFrame =
    pool === undefined
      ? async (frame: FrameInput, signal: AbortSignal, startClock: () => void) => {
          startClock();
          const started = performance.now();
          const value = await processor.process(frame, options, signal);
          return { value, processMs: performance.now() - started };
        }
      : async (frame: FrameInput, signal: AbortSignal, startClock: () => void) => {
          try {
            return await pool.run(frame, options, signal, startClock);
          } finally {
            // Sampled as tasks finish: the gauges follow the load without a timer.
            const load = pool.load();
            deps.metrics.poolQueueSize.set(load.queueSize);
            deps.metrics.poolUtilization.set(load.utilization);
          }
        };

  const stats = emptyStats();
  const inFlight = new InFlight();
  const batcher = new SettleBatcher(deps.redis, {
    maxBatch: Math.max(1, Math.min(wc.readCount, 128)),
  });
  const sources = new SourceRegistry({
    redis: deps.redis,
    prefix: config.redis.prefix,
    group: wc.group,
    configured: wc.sources,
    logger: deps.logger,
  });
  const handler = new FrameHandler({
    redis: deps.redis,
    batcher,
    inFlight,
    processorName: processor.name,
    run: runFrame,
    config: wc,
    consumer,
    logger: deps.logger,
    metrics: deps.metrics,
    stats,
    now,
  });
  const shared = {
    group: wc.group,
    consumer,
    maxInFlight: wc.maxInFlight,
    sources,
    handler,
    inFlight,
    logger: deps.logger,
  };
  const streamConsumer = new StreamConsumer({
    ...shared,
    blockingRedis: deps.blockingRedis,
    redis: deps.redis,
    readCount: wc.readCount,
    blockMs: wc.blockMs,
  });
  const reclaimer = new Reclaimer({
    ...shared,
    redis: deps.redis,
    claimIdleMs: wc.claimIdleMs,
    claimIntervalMs: wc.claimIntervalMs,
    pageSize: wc.readCount,
    metrics: deps.metrics,
    stats,
  });

  const idleConsumerMs = wc.idleConsumerMs;
  const janitor = new ConsumerJanitor({
    ...shared,
    redis: deps.redis,
    idleConsumerMs,
    sweepIntervalMs: Math.max(wc.claimIntervalMs, Math.min(60_000, idleConsumerMs / 2)),
  });

  let ready = false;
  const closed = new AbortController();
  let closing: Promise<void> | undefined;

  async function refreshLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(SOURCES_REFRESH_MS, signal);
      if (!signal.aborted) {
        await sources.refresh().catch((err: unknown) => log.warn({ err }, 'source refresh failed'));
      }
    }
  }

  async function run(outer: AbortSignal): Promise<WorkerStats> {
    const signal = AbortSignal.any([outer, closed.signal]);
    await sources.refresh();
    const heartbeatStop = new AbortController();
    const heartbeat = reclaimer.runHeartbeat(heartbeatStop.signal);
    const loops = [
      streamConsumer.run(signal),
      reclaimer.run(signal),
      refreshLoop(signal),
      janitor.run(signal),
    ];
    ready = true;
    log.info(
      {
        processor: processor.name,
        runsOn: processor.runsOn,
        sources: sources.list().map((s) => s.source),
      },
      'worker started',
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) {
        resolve();
      }
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ready = false;
    log.info({ inFlight: inFlight.size }, 'draining');
    // One deadline from the signal on for all of the drain: with Redis stalled, the blocking
    // read, a settle or the final flush may never answer, and a pod must still stop in time.
    const deadline = AbortSignal.timeout(wc.shutdownTimeoutMs);
    // Stop taking work (the blocking read returns within blockMs), then finish what we hold.
    const finished = Promise.all(loops).then(() => inFlight.waitEmpty());
    const drained = (await beforeAbort(finished, deadline)).settled;
    const flushed = batcher
      .flush()
      .catch((err: unknown) => log.error({ err }, 'final settle failed'));
    await beforeAbort(flushed, deadline);
    heartbeatStop.abort();
    await beforeAbort(heartbeat, deadline);
    // Frames still held here were neither settled nor confirmed: left for a peer to reclaim.
    const left = inFlight.size;
    if (!drained) {
      log.error(
        { inFlight: left, shutdownTimeoutMs: wc.shutdownTimeoutMs },
        'drain deadline passed; peers will reclaim what is left',
      );
    }
    // Past the deadline, tasks still on the pool's threads are ended, not waited for again.
    await close(!drained);
    log.info({ ...stats }, 'worker stopped');
    return { ...stats, inFlight: left };
  }

  function close(now = false): Promise<void> {
    closed.abort();
    return (closing ??= (async () => {
      ready = false;
      try {
        await pool?.close(now);
      } catch (err) {
        log.error({ err }, 'error while closing the pool');
      }
    })());
  }

  return { run, stats: () => ({ ...stats, inFlight: inFlight.size }), ready: () => ready, close };
}
