import { FramepipeError } from '../shared/errors.js';
import type { WorkerStats } from '../workers/worker.js';
import { createWorker } from '../workers/worker.js';
import { checkProcessor } from '../workers/processors/load-processor.js';
import { sourcesKey } from '../shared/redis/keys.js';
import { startProgressLine } from './progress-line.js';
import { registerStreamGauges } from './stream-gauges.js';
import type { Runtime } from './runtime.js';

/** Composition root of `framepipe work`. */
export async function runWork(runtime: Runtime, signal: AbortSignal): Promise<WorkerStats> {
  // A processor that names nothing fails now, not after waiting for Redis.
  await checkProcessor(runtime.config.worker.processor);
  const redis = runtime.redis('worker');
  // A service waits for Redis to come up, but stops at once on wrong credentials.
  await runtime.whenReady(redis, { waitMs: Infinity, signal });
  const worker = await createWorker(runtime.config, {
    redis,
    blockingRedis: runtime.redis('worker-blocking', { blocking: true }),
    logger: runtime.logger,
    metrics: runtime.metrics,
  });
  runtime.onClose({ name: 'worker', close: () => worker.close() });
  const { prefix } = runtime.config.redis;
  const gaugeRedis = runtime.redis('worker-gauges');
  registerStreamGauges(runtime.metrics.registry, {
    redis: gaugeRedis,
    prefix,
    group: runtime.config.worker.group,
    sources: async () =>
      runtime.config.worker.sources.length > 0
        ? runtime.config.worker.sources
        : gaugeRedis.smembers(sourcesKey(prefix)),
    logger: runtime.logger,
  });
  await runtime.serveMetrics(() => worker.ready());
  const progress = startProgressLine(() => {
    const s = worker.stats();
    return `processed ${s.processed}  in flight ${s.inFlight}  failed ${s.failed}  dead-lettered ${s.deadLettered}  dropped ${s.dropped}  reclaimed ${s.reclaimed}`;
  });
  let stats: WorkerStats;
  try {
    stats = await worker.run(signal);
  } finally {
    const s = worker.stats();
    progress.stop(
      `processed ${s.processed}, dead-lettered ${s.deadLettered}, dropped ${s.dropped}, reclaimed ${s.reclaimed}`,
    );
  }
  if (stats.inFlight > 0) {
    throw drainTimeoutError(stats.inFlight, runtime.config.worker);
  }
  return stats;
}

/** Pure: why the worker exits 1 after a drain that ran out of time (nothing is lost). */
export function drainTimeoutError(
  left: number,
  wc: { readonly shutdownTimeoutMs: number; readonly claimIdleMs: number },
): FramepipeError {
  return new FramepipeError(
    'FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT',
    `the drain did not finish within worker.shutdownTimeoutMs (${wc.shutdownTimeoutMs} ms): ` +
      `${left} frame${left === 1 ? ' was' : 's were'} still processing or unconfirmed; ` +
      `peers reclaim them after worker.claimIdleMs (${wc.claimIdleMs} ms)`,
  );
}
