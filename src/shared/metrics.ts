import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * Every framepipe_* metric, on a registry that is passed in (no global registry). Labels come
 * from closed sets: source ids, processor names, reason codes; never entry ids.
 */
export function createMetrics(registry: Registry, options: { defaultMetrics?: boolean } = {}) {
  if (options.defaultMetrics === true) {
    collectDefaultMetrics({ register: registry, prefix: 'framepipe_' });
  }
  const registers = [registry];
  return {
    registry,
    framesProduced: new Counter({
      name: 'framepipe_frames_produced_total',
      help: 'Frames added to a frames stream',
      labelNames: ['source'] as const,
      registers,
    }),
    frameBytes: new Counter({
      name: 'framepipe_frame_bytes_total',
      help: 'JPEG bytes added to frames streams',
      labelNames: ['source'] as const,
      registers,
    }),
    framesRefused: new Counter({
      name: 'framepipe_frames_refused_total',
      help: 'Frames the producer refused before Redis (reason: too_large, encode_error, decode_error, unreadable)',
      labelNames: ['source', 'reason'] as const,
      registers,
    }),
    duplicatesSuppressed: new Counter({
      name: 'framepipe_duplicate_adds_total',
      help: 'Replayed XADDs refused by Redis because the explicit id already exists',
      labelNames: ['source'] as const,
      registers,
    }),
    framesProcessed: new Counter({
      name: 'framepipe_frames_processed_total',
      help: 'Frames processed, acked and given a result',
      labelNames: ['source', 'processor'] as const,
      registers,
    }),
    framesFailed: new Counter({
      name: 'framepipe_frames_failed_total',
      help: 'Processing attempts that failed (the entry is retried or dead-lettered)',
      labelNames: ['source', 'processor', 'reason'] as const,
      registers,
    }),
    framesDeadLettered: new Counter({
      name: 'framepipe_frames_dead_lettered_total',
      help: 'Entries moved to a dead-letter stream',
      labelNames: ['source', 'reason'] as const,
      registers,
    }),
    framesDropped: new Counter({
      name: 'framepipe_frames_dropped_total',
      help: 'Entries lost on purpose or trimmed (reason: trimmed_pending, trimmed_unread, buffer_full)',
      labelNames: ['source', 'reason'] as const,
      registers,
    }),
    framesReclaimed: new Counter({
      name: 'framepipe_frames_reclaimed_total',
      help: 'Entries claimed from idle consumers by XAUTOCLAIM',
      labelNames: ['source'] as const,
      registers,
    }),
    processDuration: new Histogram({
      name: 'framepipe_process_duration_seconds',
      help: 'Time a processor spent on one frame (a pool processor: on its thread, not waiting for one)',
      labelNames: ['processor'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    endToEndLatency: new Histogram({
      name: 'framepipe_end_to_end_latency_seconds',
      help: 'From capture to ack with result',
      labelNames: ['source'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    backpressureWait: new Counter({
      name: 'framepipe_backpressure_wait_seconds_total',
      help: 'Time the producer waited for the backlog to shrink (block policy)',
      labelNames: ['source'] as const,
      registers,
    }),
    bufferedFrames: new Gauge({
      name: 'framepipe_producer_buffered_frames',
      help: 'Frames held in producer memory, not yet acknowledged by Redis',
      labelNames: ['source'] as const,
      registers,
    }),
    inFlight: new Gauge({
      name: 'framepipe_worker_in_flight_frames',
      help: 'Frames a worker is processing now',
      registers,
    }),
    poolQueueSize: new Gauge({
      name: 'framepipe_pool_queue_size',
      help: 'Tasks waiting for a Piscina pool thread',
      registers,
    }),
    poolUtilization: new Gauge({
      name: 'framepipe_pool_utilization_ratio',
      help: 'Share of time the pool threads were busy (0-1)',
      registers,
    }),
    redisReconnects: new Counter({
      name: 'framepipe_redis_reconnects_total',
      help: 'Reconnect attempts of framepipe Redis connections',
      labelNames: ['connection'] as const,
      registers,
    }),
    redisOomRefusals: new Counter({
      name: 'framepipe_redis_oom_refusals_total',
      help: 'Write batches Redis refused at maxmemory (OOM); the writer trims acked frames, backs off and retries',
      labelNames: ['role'] as const,
      registers,
    }),
    redisErrors: new Counter({
      name: 'framepipe_redis_errors_total',
      help: 'Errors raised by Redis commands or connections',
      labelNames: ['connection'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
