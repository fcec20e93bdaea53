import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import { RepeatFilter } from './repeat-filter.js';
import { redisErrorHint } from './error-hints.js';

export type RedisClient = Redis | Cluster;

export interface CreateRedisOptions {
  /** Shown in logs and CLIENT LIST. */
  readonly name: string;
  readonly logger?: Logger | undefined;
  /**
   * A connection that runs XREADGROUP BLOCK: no command timeout (the block would trip it)
   * and never shared, so its blocked read does not hold up other commands.
   */
  readonly blocking?: boolean;
  /** Called on every reconnect attempt, e.g. to count framepipe_redis_reconnects_total. */
  readonly onReconnect?: () => void;
  readonly onError?: (err: Error) => void;
}

const MAX_BACKOFF_MS = 2000;

/** Exponential backoff with full jitter; ioredis calls this with a one-based attempt number. */
export function reconnectDelayMs(times: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(times, 10));
  return Math.max(20, Math.round(ceiling * random()));
}

export function redisOptions(config: RedisConfig, options: CreateRedisOptions): RedisOptions {
  const tls =
    config.tls || config.url?.startsWith('rediss://') === true
      ? {
          rejectUnauthorized: config.tlsRejectUnauthorized,
          ...(config.tlsCaFile === undefined ? {} : { ca: readFileSync(config.tlsCaFile) }),
        }
      : undefined;
  return {
    connectionName: `framepipe:${options.name}`,
    host: config.host,
    port: config.port,
    // A unix socket skips the TCP stack: cheaper per write for 40-120 KB frames on one machine.
    ...(config.socketPath === undefined ? {} : { path: config.socketPath }),
    db: config.db,
    connectTimeout: config.connectTimeoutMs,
    ...(options.blocking === true ? {} : { commandTimeout: config.commandTimeoutMs }),
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(tls === undefined ? {} : { tls }),
    // Commands wait through a reconnect instead of failing after 20 tries; callers bound
    // their own buffers (producer maxBufferedFrames) so this cannot grow without limit.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => reconnectDelayMs(times),
    lazyConnect: false,
  };
}

/** The only place in src/ that constructs an ioredis client. */
export function createRedis(config: RedisConfig, options: CreateRedisOptions): RedisClient {
  if (
    config.socketPath !== undefined &&
    (config.mode !== 'standalone' || config.url !== undefined)
  ) {
    throw new ConfigError('redis.socketPath works with mode standalone and no redis.url', [
      {
        path: 'redis.socketPath',
        message: 'only for a standalone Redis',
        value: config.socketPath,
      },
    ]);
  }
  const base = redisOptions(config, options);
  let client: RedisClient;
  if (config.mode === 'cluster') {
    const nodes =
      config.clusterNodes.length > 0
        ? config.clusterNodes
        : [{ host: config.host, port: config.port }];
    const { host: _h, port: _p, db: _db, ...nodeOptions } = base;
    const clusterOptions: ClusterOptions = {
      redisOptions: nodeOptions,
      clusterRetryStrategy: (times) => reconnectDelayMs(times),
      enableReadyCheck: true,
      maxRedirections: 32,
    };
    client = new Cluster(nodes, clusterOptions);
  } else if (config.mode === 'sentinel') {
    client = new Redis({
      ...base,
      sentinels: config.sentinels,
      name: config.sentinelName,
      sentinelRetryStrategy: (times) => reconnectDelayMs(times),
    });
  } else if (config.url !== undefined) {
    const { host: _h, port: _p, ...rest } = base;
    client = new Redis(config.url, rest);
  } else {
    client = new Redis(base);
  }
  const log = options.logger?.child({ module: 'redis', connection: options.name });
  // While Redis stays down ioredis reports every retry: the same line once per 30 s is enough.
  const reconnects = new RepeatFilter(30_000);
  const errors = new RepeatFilter(30_000);
  client.on('reconnecting', () => {
    options.onReconnect?.();
    const { log: now, held } = reconnects.take('reconnecting', Date.now());
    if (now) {
      log?.warn(held > 0 ? { repeated: held } : {}, 'redis reconnecting');
    }
  });
  client.on('error', (err: Error) => {
    options.onError?.(err);
    const { log: now, held } = errors.take(err.message, Date.now());
    if (now) {
      const hint = redisErrorHint(err);
      log?.warn(
        { err, ...(hint === undefined ? {} : { hint }), ...(held > 0 ? { repeated: held } : {}) },
        'redis connection error',
      );
    }
  });
  return client;
}

/** QUIT waits for pending replies; fall back to disconnect if Redis is gone or slow. */
export async function closeRedis(client: RedisClient, timeoutMs = 2000): Promise<void> {
  if (client.status === 'end') {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  // A Cluster's quit() may never settle once a node is gone: never wait for it past the deadline.
  await Promise.race([client.quit().catch(() => undefined), timedOut]);
  clearTimeout(timer);
  client.disconnect();
}
