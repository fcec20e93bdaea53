import { hostname } from 'node:os';
import type { Runtime } from '../app/runtime.js';
import { createPgPool } from '../db/create-pg.js';
import { assertSchemaCurrent, migrate } from '../db/migrate.js';
import { ResultSink, type SinkStats } from './result-sink.js';
import { ResultSources } from './result-sources.js';
import { createSinkMetrics } from './sink-metrics.js';
import {
  parseOptions,
  SinkOptionsSchema,
  type SinkOptionsInput,
} from '../shared/config/sink-options.js';

/**
 * Composition root of `framepipe sink`: results streams → PostgreSQL. Resolves with the stats
 * once the signal aborts and the batch in progress is committed and acked (or left pending).
 */
export async function runSink(
  runtime: Runtime,
  signal: AbortSignal,
  input: SinkOptionsInput,
): Promise<SinkStats> {
  const options = parseOptions(SinkOptionsSchema, input, 'sink');
  const consumer = options.consumer ?? `${hostname()}-${process.pid}`;
  const { prefix } = runtime.config.redis;
  const logger = runtime.logger.child({ module: 'sink' });
  const pg = createPgPool(options.pgUrl, {
    applicationName: `framepipe-sink:${consumer}`.slice(0, 63),
    maxConnections: options.maxConnections,
    logger,
  });
  runtime.onClose({ name: 'pg', close: () => pg.end() });
  if (options.migrate) {
    await migrate(pg, { logger });
  } else {
    await assertSchemaCurrent(pg);
  }
  const redis = runtime.redis('sink');
  await runtime.whenReady(redis, { waitMs: Infinity, signal });
  const sink = new ResultSink({
    ...options,
    redis,
    blockingRedis: runtime.redis('sink-blocking', { blocking: true }),
    pg,
    prefix,
    consumer,
    sources: new ResultSources(redis, prefix, options.group, options.sources, logger),
    metrics: createSinkMetrics(runtime.metrics.registry),
    logger,
  });
  await runtime.serveMetrics(() => sink.ready());
  logger.info({ group: options.group, consumer, batchSize: options.batchSize }, 'sink started');
  const stats = await sink.run(signal);
  logger.info({ stats }, 'sink stopped');
  return stats;
}
