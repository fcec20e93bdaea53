import type { RedisClient } from '../shared/redis/create-redis.js';
import { settleEntry, type SettleEntryArgs } from '../shared/redis/scripts.js';
import { defineSettleResults, settleResults } from '../shared/redis/settle-batch.js';

export interface SettleBatcherOptions {
  /** At most this many settles per flush. */
  readonly maxBatch: number;
  /**
   * Flushes in the air at once (default 1). A settle arriving while they are all unanswered
   * waits for the first answer and goes with the others queued meanwhile (group commit): no
   * timer, so a frame at light load is acked after one round trip, and under load the batches
   * grow by themselves to what completes during a round trip.
   */
  readonly maxFlushesInFlight?: number;
}

export interface Queued {
  readonly args: SettleEntryArgs;
  resolve(acked: boolean): void;
  reject(err: unknown): void;
}

/** Pure: a full batch goes now, and so does any batch while a flush slot is free. */
export function shouldFlushNow(
  queued: number,
  maxBatch: number,
  flushesInFlight: number,
  maxFlushesInFlight: number,
): boolean {
  return queued >= maxBatch || flushesInFlight < maxFlushesInFlight;
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
  readonly #flushing = new Set<Promise<void>>();

  constructor(redis: RedisClient, options: SettleBatcherOptions) {
    this.#redis = redis;
    this.#options = options;
    defineSettleResults(redis);
  }

  /** Resolves true when this settle acked the entry, false when it was no longer pending. */
  settle(args: SettleEntryArgs): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ args, resolve, reject });
      this.#pump();
    });
  }

  /** Sends what is queued and waits until every settle is answered. */
  async flush(): Promise<void> {
    while (this.#flushing.size > 0 || this.#queue.length > 0) {
      if (this.#flushing.size === 0) {
        this.#startFlush();
      }
      await Promise.all([...this.#flushing]);
    }
  }

  /** Starts flushes while the queue holds settles and the rules allow one. */
  #pump(): void {
    const { maxBatch, maxFlushesInFlight = 1 } = this.#options;
    while (
      this.#queue.length > 0 &&
      shouldFlushNow(this.#queue.length, maxBatch, this.#flushing.size, maxFlushesInFlight)
    ) {
      this.#startFlush();
    }
  }

  #startFlush(): void {
    const batch = this.#queue.splice(0, this.#options.maxBatch);
    if (batch.length === 0) {
      return;
    }
    // A Cluster pipeline must stay in one slot: one per source. A single node takes every
    // source's settles in one pipeline: one write and one round trip per flush.
    const groups = groupBySlot(batch);
    const sends = this.#redis.isCluster ? groups.map((g) => [g]) : [groups];
    const flush = Promise.all(sends.map((send) => this.#send(send)))
      // #send answers each settle itself; anything it throws fails the settles still open.
      .catch((err: unknown) => batch.forEach((q) => q.reject(err)))
      .then(() => {
        this.#flushing.delete(flush);
        this.#pump(); // what queued while this flush was in the air goes now, as one batch
      });
    this.#flushing.add(flush);
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
