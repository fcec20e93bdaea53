import type { RedisClient } from '../shared/redis/create-redis.js';
import { settleEntry, type SettleEntryArgs } from '../shared/redis/scripts.js';
import { defineSettleResults, settleResults } from '../shared/redis/settle-batch.js';

export interface SettleBatcherOptions {
  /** Flush at once when this many settles are queued. */
  readonly maxBatch: number;
  /** Otherwise flush this long after the first queued settle. */
  readonly flushDelayMs: number;
  /**
   * Frames still being processed, given how many this batcher holds (queued or being sent).
   * When none are, nothing will join the batch soon: it is sent at once, not after
   * flushDelayMs, so a lone frame's ack waits for nothing.
   */
  readonly stillProcessing?: (held: number) => number;
}

export interface Queued {
  readonly args: SettleEntryArgs;
  resolve(acked: boolean): void;
  reject(err: unknown): void;
}

/** Pure: a full batch goes now, and so does one that nothing still processing could join. */
export function shouldFlushNow(queued: number, maxBatch: number, stillProcessing = 1): boolean {
  return queued >= maxBatch || stillProcessing <= 0;
}

/**
 * Groups settles by source: one script call for all of a source's results, since a source's
 * keys share one Cluster slot.
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
  /** Settles sent and not yet answered. */
  #sending = 0;

  constructor(redis: RedisClient, options: SettleBatcherOptions) {
    this.#redis = redis;
    this.#options = options;
    defineSettleResults(redis);
  }

  /** Resolves true when this settle acked the entry, false when it was no longer pending. */
  settle(args: SettleEntryArgs): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ args, resolve, reject });
      const queued = this.#queue.length;
      const processing = this.#options.stillProcessing?.(queued + this.#sending) ?? 1;
      if (shouldFlushNow(queued, this.#options.maxBatch, processing)) {
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
    if (batch.length === 0) {
      return;
    }
    // A Cluster pipeline must stay in one slot: one per source. A single node takes every
    // source's settles in one pipeline: one write and one round trip per flush.
    const groups = groupBySlot(batch);
    const sends = this.#redis.isCluster ? groups.map((g) => [g]) : [groups];
    for (const send of sends) {
      const size = send.reduce((n, g) => n + g.length, 0);
      this.#sending += size;
      const p = this.#send(send).finally(() => {
        this.#sending -= size;
        this.#flushing.delete(p);
      });
      this.#flushing.add(p);
    }
  }

  /** One pipeline: per source, one settleResults call for its results, settleEntry for the rest. */
  async #send(groups: readonly (readonly Queued[])[]): Promise<void> {
    const pipeline = this.#redis.pipeline();
    const calls: { readonly results: Queued[]; readonly others: Queued[] }[] = [];
    for (const group of groups) {
      const { results, others } = splitResults(group);
      if (results.length > 0) {
        const a = results[0]!.args;
        void settleResults(pipeline, {
          framesKey: a.framesKey,
          resultsKey: a.targetKey,
          statsKey: a.statsKey,
          errorsKey: a.errorsKey,
          group: a.group,
          maxLen: a.maxLen,
          entries: results.map((q) => ({ id: q.args.id, fields: q.args.fields })),
        }); // queued: replies come from exec()
      }
      for (const q of others) {
        void settleEntry(pipeline, q.args);
      }
      calls.push({ results, others });
    }
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (err) {
      groups.forEach((g) => g.forEach((q) => q.reject(err)));
      return;
    }
    const reply = (i: number): [Error | null, unknown] =>
      replies?.[i] ?? [new Error('pipeline returned no reply'), null];
    const answer = (q: Queued, err: Error | null, value: unknown) =>
      err !== null ? q.reject(err) : q.resolve(Number(value) === 1);
    let next = 0;
    for (const { results, others } of calls) {
      if (results.length > 0) {
        const [err, values] = reply(next++);
        results.forEach((q, i) => answer(q, err, (values as unknown[] | null)?.[i]));
      }
      for (const q of others) {
        const [err, value] = reply(next++);
        answer(q, err, value);
      }
    }
  }
}

/**
 * Pure: results (processed, nothing to copy) of one source share one settleResults call when
 * they go to the same stream with the same MAXLEN; dead letters and drops keep settleEntry.
 */
export function splitResults(group: readonly Queued[]): { results: Queued[]; others: Queued[] } {
  const results: Queued[] = [];
  const others: Queued[] = [];
  const first = group.find((q) => isPlainResult(q.args))?.args;
  for (const q of group) {
    const same =
      first !== undefined &&
      isPlainResult(q.args) &&
      q.args.targetKey === first.targetKey &&
      q.args.maxLen === first.maxLen &&
      q.args.group === first.group;
    (same ? results : others).push(q);
  }
  return { results, others };
}

function isPlainResult(a: SettleEntryArgs): boolean {
  return a.stat === 'processed' && !a.copyOriginal && a.fields.length > 0;
}
