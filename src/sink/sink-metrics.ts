import { Counter, Histogram, type Registry } from 'prom-client';

/** framepipe_sink_* metrics, on the registry the process passes in. */
export function createSinkMetrics(registry: Registry) {
  return {
    rows: new Counter({
      name: 'framepipe_sink_rows_total',
      help: 'Results written to PostgreSQL, by outcome (inserted, or duplicate of a stored row)',
      labelNames: ['source', 'outcome'] as const,
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'framepipe_sink_entries_dropped_total',
      help: 'Result entries acked without a row: trimmed while pending, or not a valid result',
      labelNames: ['source', 'reason'] as const,
      registers: [registry],
    }),
    reclaimed: new Counter({
      name: 'framepipe_sink_entries_reclaimed_total',
      help: 'Result entries claimed from sink consumers that stopped',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'framepipe_sink_batch_seconds',
      help: 'Time to write one batch (one transaction) and ack it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'framepipe_sink_errors_total',
      help: 'Failed batches (PostgreSQL or Redis); their entries stay pending and are retried',
      registers: [registry],
    }),
  };
}

export type SinkMetrics = ReturnType<typeof createSinkMetrics>;
