import type { ProducerConfig } from '../shared/config/schema.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { readBacklog, reconcileLag } from '../shared/redis/stream-info.js';
import { beforeAbort, sleep } from '../shared/shutdown.js';

export type Policy = ProducerConfig['policy'];

/**
 * Backpressure as pure decisions (piscina's maxQueue idea), with a thin waiter around them.
 * - block: before a batch, the group's unread + pending backlog must be below maxBacklog;
 *   the batch is cut to the remaining room, so the backlog never passes maxBacklog. A full
 *   in-memory buffer stops pulling from the source.
 * - drop-oldest: never waits; Redis trims (the Lua script counts unread trims) and a full
 *   buffer drops its oldest frame.
 */

/** Frames that may still be added before the backlog reaches maxBacklog. */
export function backlogCredit(backlog: number, maxBacklog: number): number {
  return Math.max(0, maxBacklog - backlog);
}

/** How many frames the next batch may hold. */
export function batchAllowance(
  policy: Policy,
  credit: number,
  batchSize: number,
  available: number,
): number {
  const limit = policy === 'block' ? Math.min(batchSize, credit) : batchSize;
  return Math.max(0, Math.min(limit, available));
}

export type BufferFullAction = 'wait' | 'drop-oldest' | 'drop-incoming';

/**
 * What to do with a new frame when `buffered` frames wait for Redis, `inFlight` of them in
 * the batch being written (those can no longer be dropped: they may already be stored).
 */
export function onBufferFull(
  policy: Policy,
  buffered: number,
  inFlight: number,
  maxBufferedFrames: number,
): BufferFullAction | 'accept' {
  if (buffered < maxBufferedFrames) {
    return 'accept';
  }
  if (policy === 'block') {
    return 'wait';
  }
  return buffered > inFlight ? 'drop-oldest' : 'drop-incoming';
}

const MIN_POLL_MS = 10;
const MAX_POLL_MS = 200;

/** Poll interval while waiting for the backlog: doubles from 10 ms up to 200 ms. */
export function pollDelayMs(attempt: number): number {
  return Math.min(MAX_POLL_MS, MIN_POLL_MS * 2 ** Math.min(attempt, 10));
}

export interface BacklogWaiterOptions {
  readonly redis: RedisClient;
  readonly stream: string;
  readonly group: string;
  readonly maxBacklog: number;
  readonly now: () => number;
  /**
   * Called with milliseconds spent waiting, after each poll while a wait lasts (a producer
   * blocked for minutes shows it in its metrics and progress line at once), summing to the wait.
   */
  readonly onWait: (waitedMs: number) => void;
  /**
   * The source's stats hash: a wait that lasts reconcileEveryMs has the group's lag checked
   * (reconcileLag), since a lag counting entries trimmed by hand would hold it for good.
   */
  readonly statsKey?: string;
  readonly reconcileEveryMs?: number;
}

/** How long a producer waits on the backlog before it has the group's lag checked, and between. */
export const RECONCILE_EVERY_MS = 10_000;

/**
 * Tracks a lower bound of the room left under maxBacklog: only this producer adds entries
 * (lease), and readers only shrink the backlog, so Redis is asked only when the room runs out.
 */
export class BacklogWaiter {
  #credit = 0;
  #backlog = 0;
  readonly #o: BacklogWaiterOptions;

  constructor(options: BacklogWaiterOptions) {
    this.#o = options;
  }

  get #reconcileEveryMs(): number {
    return this.#o.reconcileEveryMs ?? RECONCILE_EVERY_MS;
  }

  /** Room known to be left without asking Redis (0: the next wait asks). */
  get credit(): number {
    return this.#credit;
  }

  /** Last backlog read from Redis (unread + pending). */
  get backlog(): number {
    return this.#backlog;
  }

  /** Resolves with the room (> 0), or 0 when the signal aborted while waiting. */
  async waitForCredit(signal: AbortSignal): Promise<number> {
    if (this.#credit > 0) {
      return this.#credit;
    }
    let counted = this.#o.now();
    const countWait = (): void => {
      const now = this.#o.now();
      this.#o.onWait(Math.max(0, now - counted));
      counted = now;
    };
    let waited = false;
    let checkedAt = this.#o.now();
    for (let attempt = 0; !signal.aborted; attempt++) {
      const statsKey = this.#o.statsKey;
      if (statsKey !== undefined && this.#o.now() - checkedAt >= this.#reconcileEveryMs) {
        checkedAt = this.#o.now();
        const check = reconcileLag(this.#o.redis, this.#o.stream, statsKey, this.#o.group);
        if (!(await beforeAbort(check, signal)).settled) {
          break;
        }
      }
      // A stop must not wait for a Redis that does not answer (up to redis.commandTimeoutMs).
      if (!(await beforeAbort(this.refresh(), signal)).settled) {
        break;
      }
      if (this.#credit > 0) {
        break;
      }
      if (waited) {
        countWait();
      }
      waited = true;
      await sleep(pollDelayMs(attempt), signal);
    }
    if (waited) {
      countWait();
    }
    return signal.aborted ? 0 : this.#credit;
  }

  async refresh(): Promise<number> {
    const b = await readBacklog(this.#o.redis, this.#o.stream, this.#o.group);
    this.#backlog = b.unread + b.pending;
    this.#credit = backlogCredit(this.#backlog, this.#o.maxBacklog);
    return this.#backlog;
  }

  /** Frames were added: they use up room. */
  consume(frames: number): void {
    this.#credit = Math.max(0, this.#credit - frames);
    this.#backlog += frames;
  }
}
