import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sleep } from '../shared/shutdown.js';
import type { FrameHandler } from './frame-handler.js';
import type { InFlight } from './in-flight.js';
import type { SourceRegistry, SourceStream } from './source-registry.js';
import { claimIdle, heartbeatEntries } from '../shared/redis/scripts.js';
import { parseAutoclaimReply, parsePendingDeliveries } from '../shared/redis/stream-replies.js';
import type { WorkerStats } from './worker-stats.js';

export interface ReclaimerOptions {
  readonly redis: RedisClient;
  readonly group: string;
  readonly consumer: string;
  readonly claimIdleMs: number;
  readonly claimIntervalMs: number;
  /** XAUTOCLAIM COUNT per page (also bounded by free slots). */
  readonly pageSize: number;
  readonly maxInFlight: number;
  readonly sources: SourceRegistry;
  readonly handler: FrameHandler;
  readonly inFlight: InFlight;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly stats: WorkerStats;
}

/**
 * Recovery: XAUTOCLAIMs entries idle longer than claimIdleMs (from dead consumers, or our own
 * failed ones) and processes them again; trimmed ones are counted as dropped. A heartbeat
 * re-claims what is in flight here, so a slow but alive worker's frames are not stolen.
 * Consumers are never deleted here: XGROUP DELCONSUMER would drop their pending entries.
 */
export class Reclaimer {
  readonly #o: ReclaimerOptions;
  readonly #log: Logger;

  constructor(options: ReclaimerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'reclaimer', consumer: options.consumer });
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#o.claimIntervalMs, signal);
      for (const s of this.#o.sources.list()) {
        if (signal.aborted) {
          break;
        }
        try {
          await this.claimAll(s, signal);
        } catch (err) {
          this.#log.error({ err, source: s.source, stream: s.keys.frames }, 'reclaim failed');
        }
      }
    }
  }

  /** One full XAUTOCLAIM scan: follows the cursor until Redis returns '0-0'. */
  async claimAll(s: SourceStream, signal?: AbortSignal): Promise<number> {
    const { redis, group, consumer, inFlight, maxInFlight } = this.#o;
    let cursor = '0-0';
    let claimed = 0;
    do {
      await inFlight.waitBelow(maxInFlight, signal);
      if (signal?.aborted === true) {
        break;
      }
      const count = Math.max(1, Math.min(this.#o.pageSize, maxInFlight - inFlight.size));
      const page = parseAutoclaimReply(
        await claimIdle(redis, {
          framesKey: s.keys.frames,
          statsKey: s.keys.stats,
          errorsKey: s.keys.errors,
          group,
          consumer,
          minIdleMs: this.#o.claimIdleMs,
          cursor,
          count,
        }),
      );
      // Trimmed while pending: the script already counted them as dropped.
      this.#o.handler.reportGone(s.source, s.keys, page.deletedIds);
      // Our own in-flight entries can show up if a heartbeat was late: they are already ours.
      const fresh = page.entries.filter((e) => !inFlight.has(s.keys.frames, e.id));
      if (fresh.length > 0) {
        const deliveries = parsePendingDeliveries(
          await redis.xpending(
            s.keys.frames,
            group,
            fresh[0]!.id,
            fresh.at(-1)!.id,
            fresh.length + inFlight.size,
            consumer,
          ),
        );
        for (const e of fresh) {
          const n = deliveries.get(e.id) ?? 1;
          const d = { source: s.source, keys: s.keys, id: e.id, fields: e.fields, deliveries: n };
          if (this.#o.handler.dispatch(d)) {
            claimed++;
            this.#o.stats.reclaimed++;
            this.#o.metrics.framesReclaimed.inc({ source: s.source });
          }
        }
        this.#log.info(
          { source: s.source, stream: s.keys.frames, entries: fresh.length },
          'reclaimed idle entries',
        );
      }
      cursor = page.cursor;
    } while (cursor !== '0-0');
    return claimed;
  }

  /** Every claimIdleMs/3, until the signal aborts (after the drain). */
  async runHeartbeat(signal: AbortSignal): Promise<void> {
    const everyMs = Math.max(10, Math.floor(this.#o.claimIdleMs / 3));
    while (!signal.aborted) {
      await sleep(everyMs, signal);
      if (signal.aborted) {
        break;
      }
      try {
        await this.heartbeat();
      } catch (err) {
        this.#log.warn({ err }, 'heartbeat failed');
      }
    }
  }

  /** XCLAIM ... JUSTID (no delivery counted) of in-flight entries; trimmed ones are dropped. */
  async heartbeat(): Promise<void> {
    const { redis, group, consumer, inFlight } = this.#o;
    for (const [stream, ids] of inFlight.streams()) {
      const s = this.#o.sources.byStream(stream);
      if (s === undefined || ids.length === 0) {
        continue;
      }
      const dropped = await heartbeatEntries(redis, {
        framesKey: s.keys.frames,
        statsKey: s.keys.stats,
        errorsKey: s.keys.errors,
        group,
        consumer,
        ids,
      });
      this.#o.handler.reportGone(s.source, s.keys, dropped);
    }
  }
}
