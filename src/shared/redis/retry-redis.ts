import { FramepipeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { sleep } from '../shutdown.js';
import { reconnectDelayMs } from './create-redis.js';

export interface RetryRedisOptions {
  readonly what: string;
  readonly signal?: AbortSignal | undefined;
  readonly logger?: Logger | undefined;
  /** Give up after this long (default: never, until the signal aborts). */
  readonly timeoutMs?: number;
}

/**
 * Runs a Redis step until it succeeds: Redis trouble (down, loading, a Cluster failover in
 * progress, OOM) is waited out with jittered backoff. framepipe's own errors (a lease held,
 * bad config) are decisions, not trouble, and are thrown at once.
 */
export async function retryRedis<T>(fn: () => Promise<T>, options: RetryRedisOptions): Promise<T> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (
        err instanceof FramepipeError ||
        options.signal?.aborted === true ||
        Date.now() > deadline
      ) {
        throw err;
      }
      options.logger?.warn({ err, attempt, step: options.what }, 'redis step failed; retrying');
      await sleep(reconnectDelayMs(attempt), options.signal);
    }
  }
}
