import type { Config } from '../config/schema.js';
import { RedisUnavailableError } from '../errors.js';
import type { RedisClient } from './create-redis.js';
import { isFatalRedisError, redisErrorHint } from './error-hints.js';

/** The signal aborted before Redis answered: a graceful stop, not a failure (exit 0). */
export class StoppedWhileWaitingError extends Error {
  constructor(readonly address: string) {
    super(`stopped while waiting for Redis at ${address}`);
    this.name = 'StoppedWhileWaitingError';
  }
}

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
 * permission, a rejected certificate) and for a client already closed, after `waitMs` for the
 * rest. When `signal` aborts it rejects with StoppedWhileWaitingError (a clean stop).
 * A Cluster reports a node's refusal as ClusterAllFailedError with the node's error inside.
 */
export function awaitRedisReady(client: RedisClient, o: AwaitReadyOptions): Promise<void> {
  if (client.status === 'ready') {
    return Promise.resolve();
  }
  if (client.status === 'end') {
    return Promise.reject(unavailable(o.address, 'the connection is closed'));
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
      last = nodeError(err);
      if (isFatalRedisError(last)) {
        fail('retrying will not help');
      }
    };
    const onAbort = (): void => {
      cleanUp();
      reject(new StoppedWhileWaitingError(o.address));
    };
    function fail(why: string): void {
      cleanUp();
      reject(unavailable(o.address, why, last));
    }
    function cleanUp(): void {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('node error', onError);
      o.signal?.removeEventListener('abort', onAbort);
    }
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('node error', onError); // a Cluster's per-node errors (WRONGPASS of a node)
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

/** A Cluster wraps a node's refusal (WRONGPASS) in ClusterAllFailedError.lastNodeError. */
function nodeError(err: Error): Error {
  const inner = (err as Error & { lastNodeError?: unknown }).lastNodeError;
  return inner instanceof Error ? inner : err;
}
