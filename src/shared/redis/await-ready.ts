import type { Config } from '../config/schema.js';
import { RedisUnavailableError } from '../errors.js';
import type { RedisClient } from './create-redis.js';
import { isFatalRedisError, redisErrorHint } from './error-hints.js';

export interface AwaitReadyOptions {
  /** Where the client connects, for the message (never with a password). */
  readonly address: string;
  /** Give up after this long: one-shot commands. Infinity (services): Redis may come up later. */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Resolves once `client` is connected. Rejects with a RedisUnavailableError naming the address
 * and the last connection error: at once for what retrying cannot fix (credentials, missing ACL
 * permission, a rejected certificate), after `waitMs` for the rest, or when `signal` aborts.
 */
export function awaitRedisReady(client: RedisClient, o: AwaitReadyOptions): Promise<void> {
  if (client.status === 'ready') {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    let last: Error | undefined;
    const timer = Number.isFinite(o.waitMs)
      ? setTimeout(() => fail(`no connection within ${o.waitMs} ms`), o.waitMs)
      : undefined;
    const onReady = (): void => {
      cleanUp();
      resolve();
    };
    const onError = (err: Error): void => {
      last = err;
      if (isFatalRedisError(err)) {
        fail('retrying will not help');
      }
    };
    const onAbort = (): void => fail('stopped while waiting for it');
    function fail(why: string): void {
      cleanUp();
      reject(unavailable(o.address, why, last));
    }
    function cleanUp(): void {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      o.signal?.removeEventListener('abort', onAbort);
    }
    client.on('ready', onReady);
    client.on('error', onError);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted === true) {
      onAbort();
    }
  });
}

/** Pure: the message of a Redis that cannot be reached, with what to check when it is known. */
export function unavailable(address: string, why: string, last?: Error): RedisUnavailableError {
  const hint = last === undefined ? undefined : redisErrorHint(last);
  const parts = [
    `cannot connect to Redis at ${address} (${why})`,
    ...(last === undefined ? [] : [`last error: ${last.message}`]),
    ...(hint === undefined ? [] : [hint]),
  ];
  return new RedisUnavailableError(parts.join('; '), { cause: last });
}

/** Pure: the address of a Redis config as a person names it; never its password. */
export function redisAddress(config: Config['redis']): string {
  if (config.mode === 'cluster') {
    const nodes = config.clusterNodes.length > 0 ? config.clusterNodes : [config];
    return `cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  }
  if (config.mode === 'sentinel') {
    const sentinels = config.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
    return `sentinel master ${config.sentinelName} via ${sentinels}`;
  }
  if (config.socketPath !== undefined) {
    return `unix socket ${config.socketPath}`;
  }
  if (config.url !== undefined) {
    const url = new URL(config.url);
    return `${url.hostname}:${url.port === '' ? 6379 : url.port}`;
  }
  return `${config.host}:${config.port}`;
}
