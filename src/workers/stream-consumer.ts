import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sleep } from '../shared/shutdown.js';
import { readCountFor } from './delivery-policy.js';
import type { FrameHandler } from './frame-handler.js';
import type { InFlight } from './in-flight.js';
import type { SourceRegistry, SourceStream } from './source-registry.js';
import { parsePendingDeliveries, parseReadReply, type RawEntry } from './stream-replies.js';

/** Cluster polling: 5 ms after the first empty round, doubling, at most blockMs / 10. */
export function nextIdleSleepMs(previousMs: number, blockMs: number): number {
  const ceiling = Math.max(5, Math.floor(blockMs / 10));
  return Math.min(ceiling, previousMs === 0 ? 5 : previousMs * 2);
}

function isCluster(client: RedisClient): boolean {
  return (client as { isCluster?: boolean }).isCluster === true;
}

export interface StreamConsumerOptions {
  /** Dedicated connection: a blocked XREADGROUP holds it. */
  readonly blockingRedis: RedisClient;
  /** Command connection, for XPENDING. */
  readonly redis: RedisClient;
  readonly group: string;
  readonly consumer: string;
  readonly readCount: number;
  readonly blockMs: number;
  readonly maxInFlight: number;
  readonly sources: SourceRegistry;
  readonly handler: FrameHandler;
  readonly inFlight: InFlight;
  readonly logger: Logger;
}

/**
 * XREADGROUP loop. First this consumer's own pending history (id 0) of each source, so a
 * restart under the same name resumes; then new entries ('>') with a bounded BLOCK, reading
 * only as many as there are free slots. Stops after the read in progress when the signal aborts.
 */
export class StreamConsumer {
  readonly #o: StreamConsumerOptions;
  readonly #log: Logger;
  readonly #resumed = new Set<string>();
  #idleMs = 0;

  constructor(options: StreamConsumerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'stream-consumer', consumer: options.consumer });
  }

  async run(signal: AbortSignal): Promise<void> {
    const { inFlight, maxInFlight } = this.#o;
    while (!signal.aborted) {
      try {
        for (const s of this.#o.sources.list()) {
          if (!this.#resumed.has(s.keys.frames)) {
            await this.#readHistory(s, signal);
            this.#resumed.add(s.keys.frames);
          }
        }
        const streams = this.#o.sources.list();
        if (streams.length === 0) {
          await sleep(this.#o.blockMs, signal);
          continue;
        }
        await inFlight.waitBelow(maxInFlight, signal);
        if (signal.aborted) {
          break;
        }
        const count = readCountFor(maxInFlight - inFlight.size, streams.length, this.#o.readCount);
        const reply = await this.#readNew(streams, count, signal);
        for (const batch of reply) {
          const s = this.#o.sources.byStream(batch.key);
          if (s !== undefined) {
            this.#dispatch(s, batch.entries);
          }
        }
      } catch (err) {
        this.#log.error({ err }, 'read failed; retrying');
        if (err instanceof Error && err.message.includes('NOGROUP')) {
          await this.#o.sources.ensureAll().catch(() => undefined);
        }
        await sleep(Math.min(this.#o.blockMs, 1000), signal);
      }
    }
  }

  /**
   * New entries for every stream. Standalone and Sentinel: one XREADGROUP BLOCK over all
   * streams. Cluster: a multi-key XREADGROUP must stay in one hash slot and each source has its
   * own, so every stream is read on its own, without BLOCK (blocked reads would queue behind
   * each other on a node's connection), all in parallel, with an adaptive idle sleep.
   */
  async #readNew(streams: readonly SourceStream[], count: number, signal: AbortSignal) {
    const { blockingRedis, group, consumer, blockMs } = this.#o;
    if (!isCluster(blockingRedis)) {
      return parseReadReply(
        await blockingRedis.callBuffer('XREADGROUP', [
          'GROUP',
          group,
          consumer,
          'COUNT',
          count,
          'BLOCK',
          blockMs,
          'STREAMS',
          ...streams.map((s) => s.keys.frames),
          ...streams.map(() => '>'),
        ]),
      );
    }
    const replies = await Promise.all(
      streams.map(async (s) =>
        parseReadReply(
          await blockingRedis.callBuffer('XREADGROUP', [
            'GROUP',
            group,
            consumer,
            'COUNT',
            count,
            'STREAMS',
            s.keys.frames,
            '>',
          ]),
        ),
      ),
    );
    const batches = replies.flat();
    if (batches.some((b) => b.entries.length > 0)) {
      this.#idleMs = 0;
    } else {
      this.#idleMs = nextIdleSleepMs(this.#idleMs, blockMs);
      await sleep(this.#idleMs, signal);
    }
    return batches;
  }

  /** Pages through entries delivered to this consumer name before and never acked. */
  async #readHistory(s: SourceStream, signal: AbortSignal): Promise<void> {
    let after = '0';
    while (!signal.aborted) {
      await this.#o.inFlight.waitBelow(this.#o.maxInFlight, signal);
      const count = Math.max(
        1,
        Math.min(this.#o.readCount, this.#o.maxInFlight - this.#o.inFlight.size),
      );
      const reply = await this.#o.redis.callBuffer('XREADGROUP', [
        'GROUP',
        this.#o.group,
        this.#o.consumer,
        'COUNT',
        count,
        'STREAMS',
        s.keys.frames,
        after,
      ]);
      const entries = parseReadReply(reply)[0]?.entries ?? [];
      const last = entries.at(-1);
      if (last === undefined) {
        return;
      }
      // A history read counts as a delivery too: read the counts so retries stay bounded.
      const pending = parsePendingDeliveries(
        await this.#o.redis.xpending(
          s.keys.frames,
          this.#o.group,
          entries[0]!.id,
          last.id,
          entries.length,
          this.#o.consumer,
        ),
      );
      this.#log.info(
        { source: s.source, stream: s.keys.frames, entries: entries.length },
        'resuming own pending entries',
      );
      this.#dispatch(s, entries, pending);
      after = last.id;
    }
  }

  #dispatch(s: SourceStream, entries: readonly RawEntry[], deliveries?: Map<string, number>): void {
    for (const e of entries) {
      const n = deliveries?.get(e.id);
      this.#o.handler.dispatch({
        source: s.source,
        keys: s.keys,
        id: e.id,
        fields: e.fields,
        ...(n === undefined ? {} : { deliveries: n }),
      });
    }
  }
}
