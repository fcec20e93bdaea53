import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { LeaseHeldError } from '../shared/errors.js';
import { reconnectDelayMs, type RedisClient } from '../shared/redis/create-redis.js';
import { beforeAbort, sleep } from '../shared/shutdown.js';

/**
 * One producer per source: SET NX PX at start, renewed every ttl/3 with a compare-and-set
 * script (a key lost in a Redis restart is taken again), released on close only if still ours.
 */

// KEYS: lease. ARGV: holder, ttlMs. 1: ours (renewed), 2: ours again (the key was gone),
// 0: held by someone else.
const RENEW_LEASE = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if v == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
`;

// KEYS: lease. ARGV: holder. Deletes only our own lease.
const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export function leaseHolderId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface ProducerLeaseOptions {
  readonly redis: RedisClient;
  readonly key: string;
  readonly source: string;
  readonly ttlMs: number;
  readonly holder?: string;
  /** Called once when a renewal finds another holder. */
  readonly onLost: (err: LeaseHeldError) => void;
  /** Called when a renewal fails for a Redis reason (it is retried at the next tick). */
  readonly onRenewError?: (err: unknown) => void;
  /**
   * Called when a renewal found the lease key gone and took it again: the key expired (a
   * process stalled past the TTL) or Redis lost its data (a restart without persistence), so
   * what else the producer set up in Redis may be gone too.
   */
  readonly onRetaken?: () => void;
  /** Milliseconds, monotonic (performance.now by default). */
  readonly now?: () => number;
}

const NEVER_ABORTED = new AbortController().signal;

/** A renewal: still ours, gone to another producer, or not known (Redis failed). */
type RenewOutcome = 'ours' | 'lost' | 'error';

export class ProducerLease {
  readonly holder: string;
  readonly #o: ProducerLeaseOptions;
  #timer: NodeJS.Timeout | undefined;
  #renewal: Promise<RenewOutcome> | undefined;
  #lost = false;
  #acquired = false;
  #confirmedAt = Number.NEGATIVE_INFINITY;
  readonly #now: () => number;

  constructor(options: ProducerLeaseOptions) {
    this.#o = options;
    this.holder = options.holder ?? leaseHolderId();
    this.#now = options.now ?? (() => performance.now());
  }

  /** Takes the lease or throws LeaseHeldError; then renews it every ttl/3. */
  async acquire(): Promise<void> {
    const { redis, key, ttlMs } = this.#o;
    const ok = await redis.set(key, this.holder, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') {
      const [current, leftMs] = await Promise.all([redis.get(key), redis.pttl(key)]);
      if (current !== this.holder) {
        throw new LeaseHeldError(this.#o.source, current ?? 'unknown', leftMs);
      }
    }
    this.#acquired = true;
    this.#confirmedAt = this.#now();
    this.#timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(ttlMs / 3)));
    this.#timer.unref();
  }

  /** One renewal; false when another producer holds the lease now (a Redis error: true, retried). */
  async renew(): Promise<boolean> {
    return (await this.#renewOnce()) !== 'lost';
  }

  /** A renewal already in flight (the timer's) is joined, not raced. */
  #renewOnce(): Promise<RenewOutcome> {
    if (this.#lost) {
      return Promise.resolve('lost');
    }
    this.#renewal ??= this.#renewNow().finally(() => {
      this.#renewal = undefined;
    });
    return this.#renewal;
  }

  async #renewNow(): Promise<RenewOutcome> {
    try {
      const r = await this.#o.redis.eval(RENEW_LEASE, 1, this.#o.key, this.holder, this.#o.ttlMs);
      if (r === 2) {
        this.#o.onRetaken?.();
      }
      if (r === 1 || r === 2) {
        this.#confirmedAt = this.#now();
        return 'ours';
      }
      this.#lost = true;
      this.#stop();
      const holder = (await this.#o.redis.get(this.#o.key).catch(() => null)) ?? 'unknown';
      this.#o.onLost(new LeaseHeldError(this.#o.source, holder));
      return 'lost';
    } catch (err) {
      this.#o.onRenewError?.(err);
      return 'error';
    }
  }

  /**
   * Before a write; resolves when this producer may write, false when it never may again
   * (the lease went to another producer: onLost runs too) or the signal aborted. While the
   * lease was confirmed within 2/3 of its TTL (renewals come every third) nobody else can
   * hold it. Older (this process stalled: SIGSTOP, a frozen VM, Redis out of reach) another
   * producer may have taken over and written frames of its own, so it is renewed first, and
   * while Redis cannot say, the write waits.
   */
  async confirm(signal: AbortSignal = NEVER_ABORTED): Promise<boolean> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      if (this.#lost) {
        return false;
      }
      if (this.#now() - this.#confirmedAt < (this.#o.ttlMs * 2) / 3) {
        return true;
      }
      // A frozen Redis must not hold a stop past its deadline (up to redis.commandTimeoutMs).
      const renewal = await beforeAbort(this.#renewOnce(), signal);
      if (!renewal.settled) {
        return false;
      }
      if (renewal.value !== 'error') {
        return renewal.value === 'ours';
      }
      await sleep(reconnectDelayMs(attempt), signal);
    }
    return false;
  }

  /** Another producer holds it: known as soon as a renewal saw it, before onLost runs. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Stops renewing and deletes the lease if it is still ours. */
  async release(): Promise<void> {
    this.#stop();
    if (this.#lost || !this.#acquired) {
      return;
    }
    this.#acquired = false;
    await this.#o.redis.eval(RELEASE_LEASE, 1, this.#o.key, this.holder);
  }

  #stop(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
