import type { RedisClient } from '../shared/redis/create-redis.js';
import { settleEntry, type SettleEntryArgs } from '../shared/redis/scripts.js';

export interface SettleBatcherOptions {
  /** Flush at once when this many settles are queued. */
  readonly maxBatch: number;
  /** Otherwise flush this long after the first queued settle. */
  readonly flushDelayMs: number;
}

interface Queued {
  readonly args: SettleEntryArgs;
  resolve(acked: boolean): void;
  reject(err: unknown): void;
}

export function shouldFlushNow(queued: number, maxBatch: number): boolean {
  return queued >= maxBatch;
}

/**
 * Groups settles into batches: one pipeline (one round trip) per source and flush, instead of
 * one per frame. One pipeline per source because a source's keys share one Cluster slot.
 */
export function groupBySlot(batch: readonly Queued[]): Queued[][] {
  const groups = new Map<string, Queued[]>();
  for (const q of batch) {
    const g = groups.get(q.args.framesKey);
    if (g === undefined) {
      groups.set(q.args.framesKey, [q]);
    } else {
      g.push(q);
    }
  }
  return [...groups.values()];
}

export class SettleBatcher {
  readonly #redis: RedisClient;
  readonly #options: SettleBatcherOptions;
  #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #flushing = new Set<Promise<void>>();

  constructor(redis: RedisClient, options: SettleBatcherOptions) {
    this.#redis = redis;
    this.#options = options;
  }

  /** Resolves true when this settle acked the entry, false when it was no longer pending. */
  settle(args: SettleEntryArgs): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ args, resolve, reject });
      if (shouldFlushNow(this.#queue.length, this.#options.maxBatch)) {
        this.#startFlush();
      } else {
        this.#timer ??= setTimeout(() => this.#startFlush(), this.#options.flushDelayMs);
      }
    });
  }

  /** Sends what is queued and waits for every batch in the air. */
  async flush(): Promise<void> {
    this.#startFlush();
    await Promise.all([...this.#flushing]);
  }

  #startFlush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    for (const group of groupBySlot(batch)) {
      const p = this.#send(group).finally(() => this.#flushing.delete(p));
      this.#flushing.add(p);
    }
  }

  async #send(group: readonly Queued[]): Promise<void> {
    const pipeline = this.#redis.pipeline();
    for (const q of group) {
      void settleEntry(pipeline, q.args);
    }
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (err) {
      group.forEach((q) => q.reject(err));
      return;
    }
    group.forEach((q, i) => {
      const [err, value] = replies?.[i] ?? [new Error('pipeline returned no reply'), null];
      if (err !== null) {
        q.reject(err);
      } else {
        q.resolve(Number(value) === 1);
      }
    });
  }
}
