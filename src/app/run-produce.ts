import type { ProducerStats } from '../producer/producer.js';
import { createProducer, FLUSH_TIMEOUT_MS } from '../producer/producer.js';
import { FramepipeError } from '../shared/errors.js';
import { createFrameSource } from '../producer/sources/create-frame-source.js';
import { FrameRecorder } from '../recording/frame-recorder.js';
import { retryRedis } from '../shared/redis/retry-redis.js';
import { startProgressLine } from './progress-line.js';
import { registerStreamGauges } from './stream-gauges.js';
import type { Runtime } from './runtime.js';

/** Composition root of `framepipe produce`. */
export async function runProduce(runtime: Runtime, signal: AbortSignal): Promise<ProducerStats> {
  // A bad producer.path or a missing ffmpeg fails now, not after waiting for Redis.
  const source = createFrameSource(runtime.config.producer, runtime.logger);
  await source.check?.();
  const redis = runtime.redis('producer');
  // A service waits for Redis to come up, but stops at once on wrong credentials.
  await runtime.whenReady(redis, { waitMs: Infinity, signal });
  // Frames of the chosen sources go to disk while `framepipe record start` is in effect.
  const recorder = new FrameRecorder({
    redis,
    prefix: runtime.config.redis.prefix,
    dir: runtime.config.recording.dir,
    logger: runtime.logger,
  });
  await retryRedis(() => recorder.start(), {
    what: 'recording state',
    signal,
    logger: runtime.logger,
  });
  runtime.onClose({ name: 'recorder', close: () => recorder.close() });
  const producer = createProducer(runtime.config, {
    redis,
    source,
    logger: runtime.logger,
    metrics: runtime.metrics,
    tap: { onFrame: (source, seq, jpeg) => void recorder.onFrame(source, seq, jpeg) },
  });
  runtime.onClose({ name: 'producer', close: () => producer.close() });
  registerStreamGauges(runtime.metrics.registry, {
    redis,
    prefix: runtime.config.redis.prefix,
    group: runtime.config.worker.group,
    sources: () => [runtime.config.producer.source],
    logger: runtime.logger,
  });
  await runtime.serveMetrics(() => redis.status === 'ready' && !signal.aborted);
  const started = Date.now();
  const progress = startProgressLine(() => {
    const s = producer.stats();
    const secs = (Date.now() - started) / 1000;
    return `produced ${s.produced} (${(s.produced / Math.max(secs, 0.001)).toFixed(1)}/s)  refused ${s.refused}  dropped ${s.dropped}  buffered ${s.buffered}  waited ${(s.backpressureWaitMs / 1000).toFixed(1)}s`;
  });
  let stats: ProducerStats;
  try {
    stats = await producer.run(signal);
  } finally {
    const s = producer.stats();
    progress.stop(
      `produced ${s.produced}, duplicates ${s.duplicates}, refused ${s.refused}, dropped ${s.dropped}`,
    );
  }
  if (stats.givenUp > 0) {
    throw flushTimeoutError(stats.givenUp);
  }
  return stats;
}

/** Pure: why `produce` exits 1 after a stop whose flush ran out of time (frames were lost). */
export function flushTimeoutError(givenUp: number): FramepipeError {
  return new FramepipeError(
    'FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT',
    `the flush after the stop did not finish within ${FLUSH_TIMEOUT_MS} ms: ${givenUp} ` +
      `frame${givenUp === 1 ? ' was' : 's were'} given up (still buffered, or written without ` +
      `Redis confirming them: those may be stored); framepipe_frames_dropped_total counts them`,
  );
}
