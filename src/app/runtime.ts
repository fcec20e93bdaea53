import { Registry } from 'prom-client';
import type { Config } from '../shared/config/schema.js';
import { startMetricsServer, type MetricsServer } from '../shared/http-server.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { createMetrics, type Metrics } from '../shared/metrics.js';
import { awaitRedisReady, redisAddress } from '../shared/redis/await-ready.js';
import { closeRedis, createRedis, type RedisClient } from '../shared/redis/create-redis.js';
import { runClosers, type Closer } from '../shared/shutdown.js';

/**
 * What every framepipe process needs, made once per process: logger, metrics registry,
 * Redis connections and the closers that undo them in reverse order.
 */
export interface Runtime {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** A new Redis connection, closed with the runtime. `blocking` ones have no command timeout. */
  redis(name: string, options?: { blocking?: boolean }): RedisClient;
  /**
   * Resolves once `client` is connected; rejects with a RedisUnavailableError naming the
   * address at once for wrong credentials or permissions, else after `waitMs` (one-shot
   * commands: redis.connectTimeoutMs; services pass Infinity and wait for Redis to come up).
   */
  whenReady(
    client: RedisClient,
    options?: { waitMs?: number; signal?: AbortSignal },
  ): Promise<void>;
  onClose(closer: Closer): void;
  /** /metrics, /healthz, /readyz when config.metrics.port > 0. */
  serveMetrics(ready: () => boolean | Promise<boolean>): Promise<MetricsServer | undefined>;
  close(deadlineMs?: number): Promise<boolean>;
}

export function createRuntime(
  config: Readonly<Config>,
  options: { logger?: Logger } = {},
): Runtime {
  const logger = options.logger ?? createLogger(config.log);
  const metrics = createMetrics(new Registry(), { defaultMetrics: true });
  const closers: Closer[] = [];
  return {
    config,
    logger,
    metrics,
    redis(name, { blocking = false } = {}) {
      const client = createRedis(config.redis, {
        name,
        blocking,
        logger,
        onReconnect: () => metrics.redisReconnects.inc({ connection: name }),
        onError: () => metrics.redisErrors.inc({ connection: name }),
      });
      closers.push({ name: `redis:${name}`, close: () => closeRedis(client) });
      return client;
    },
    whenReady(client, { waitMs = config.redis.connectTimeoutMs, signal } = {}) {
      return awaitRedisReady(client, {
        address: redisAddress(config.redis),
        waitMs,
        ...(signal === undefined ? {} : { signal }),
      });
    },
    onClose(closer) {
      closers.push(closer);
    },
    async serveMetrics(ready) {
      if (config.metrics.port === 0) {
        return undefined;
      }
      const server = await startMetricsServer(metrics.registry, { ready }, config.metrics);
      closers.push({ name: 'metrics-server', close: () => server.close() });
      logger.info({ port: server.port, host: config.metrics.host }, 'metrics server listening');
      return server;
    },
    async close(deadlineMs = 5000) {
      const done = await runClosers(closers, deadlineMs, logger);
      closers.length = 0;
      logger.flush();
      return done;
    },
  };
}
