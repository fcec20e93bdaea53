import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { StreamReader } from '../shared/redis/read-streams.js';
import { sleep } from '../shared/shutdown.js';
import { readCountFor } from './delivery-policy.js';
import type { FrameHandler } from './frame-handler.js';
import type { InFlight } from './in-flight.js';
import type { SourceRegistry, SourceStream } from './source-registry.js';
import {
  parsePendingDeliveries,
  parseReadReply,
  type RawEntry,
} from '../shared/redis/stream-replies.js';

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
  readonly #reader: StreamReader;

  constructor(options: StreamConsumerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'stream-consumer', consumer: options.consumer });
    this.#reader = new StreamReader(options.blockingRedis);
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

  /** New entries of every stream: one blocking read, or per-source polls on Cluster. */
  async #readNew(streams: readonly SourceStream[], count: number, signal: AbortSignal) {
    const { group, consumer, blockMs } = this.#o;
    return parseReadReply(
      await this.#reader.read({
        group: { name: group, consumer },
        count,
        blockMs,
        signal,
        streams: streams.map((s) => ({ key: s.keys.frames, id: '>' })),
      }),
    );
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
