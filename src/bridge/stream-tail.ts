import { StreamReader } from '../shared/redis/read-streams.js';
import { sleep } from '../shared/shutdown.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import type { StreamKind } from './entry-envelopes.js';

/**
 * Plain XREAD (never a consumer group, so the bridge never takes work from workers) over a
 * changing set of streams, on its own blocking connection. Positions are kept per stream in a
 * hash, so a restarted bridge resumes where the last one stopped.
 * Dead-letter entries carry the whole frame (up to producer.maxFrameBytes each): they are not
 * in the blocking read, whose COUNT (256) would let one read bring hundreds of frames into
 * memory, but polled without blocking, DLQ_READ_COUNT at a time, every blockMs, and at once
 * again while a poll comes back full.
 */
export interface TailedStream {
  readonly key: string;
  readonly kind: StreamKind;
  readonly source: string;
}

export interface StreamBatch {
  readonly stream: TailedStream;
  readonly entries: readonly (readonly [id: string, fields: Buffer[]])[];
}

export interface StreamTailOptions {
  /** Dedicated connection: XREAD BLOCK holds it. */
  readonly blockingRedis: RedisClient;
  /** Normal connection for HGETALL/HSET of the positions hash. */
  readonly redis: RedisClient;
  readonly positionsKey: string;
  /** Hash field prefix, so bridges with different channel prefixes keep separate positions. */
  readonly positionsField: string;
  readonly resume: boolean;
  readonly blockMs: number;
  readonly readCount: number;
}

/** Dead letters per DLQ stream and poll: the frames they carry bound what one poll holds. */
export const DLQ_READ_COUNT = 4;

export function positionsKey(prefix: string): string {
  return `${prefix}:bridge:positions`;
}

/**
 * Start of a stream with no stored position: the bridge's start time on the Redis clock (not
 * ours, which may be skewed), one millisecond early so an entry of this very millisecond is
 * not skipped (XREAD returns ids greater than the one given).
 */
export async function startIdNow(redis: RedisClient): Promise<string> {
  const [seconds, micros] = await redis.time();
  return `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - 1}-0`;
}

export class StreamTail {
  readonly #o: StreamTailOptions;
  readonly #reader: StreamReader;
  readonly #dlqReader: StreamReader;
  readonly #streams = new Map<string, TailedStream>();
  #dlqPolledAt = Number.NEGATIVE_INFINITY;
  #dlqBehind = false;
  readonly #ids = new Map<string, string>();
  #startId: string | undefined;
  #stored: Record<string, string> | undefined;

  constructor(options: StreamTailOptions) {
    this.#reader = new StreamReader(options.blockingRedis);
    this.#dlqReader = new StreamReader(options.redis);
    this.#o = options;
  }

  /**
   * Fixes the start: streams found later (new sources) start at this moment too, so what a
   * new source wrote between the bridge's start and its discovery is not missed.
   */
  async init(): Promise<void> {
    this.#startId ??= await startIdNow(this.#o.redis);
    this.#stored ??= this.#o.resume ? await this.#o.redis.hgetall(this.#o.positionsKey) : {};
  }

  /** Adds streams not tailed yet, at their stored position or at the bridge's start time. */
  async add(streams: readonly TailedStream[]): Promise<TailedStream[]> {
    const fresh = streams.filter((s) => !this.#streams.has(s.key));
    if (fresh.length === 0) {
      return [];
    }
    await this.init();
    for (const s of fresh) {
      this.#streams.set(s.key, s);
      this.#ids.set(s.key, this.#stored?.[this.#field(s.key)] ?? this.#startId!);
    }
    return fresh;
  }

  get size(): number {
    return this.#streams.size;
  }

  position(key: string): string | undefined {
    return this.#ids.get(key);
  }

  /**
   * One XREAD BLOCK over the results and metrics streams, and the dead-letter streams when
   * their poll is due; [] when nothing came within blockMs.
   */
  async read(): Promise<StreamBatch[]> {
    const tailed = [...this.#streams.values()];
    const dlq = tailed.filter((s) => s.kind === 'dlq');
    const rest = tailed.filter((s) => s.kind !== 'dlq');
    const batches: StreamBatch[] = [];
    if (dlq.length > 0 && (this.#dlqBehind || this.#dlqPollDue())) {
      this.#dlqPolledAt = performance.now();
      const polled = await this.#readStreams(this.#dlqReader, dlq, DLQ_READ_COUNT, undefined);
      this.#dlqBehind = polled.some((b) => b.entries.length >= DLQ_READ_COUNT);
      batches.push(...polled);
    }
    if (rest.length > 0) {
      // Dead letters still waiting: a short look at the rest, then back to them.
      const blockMs = this.#dlqBehind ? 1 : this.#o.blockMs;
      batches.push(...(await this.#readStreams(this.#reader, rest, this.#o.readCount, blockMs)));
    } else if (!this.#dlqBehind) {
      await sleep(this.#o.blockMs); // nothing to block on: wait for the next poll
    }
    return batches;
  }

  #dlqPollDue(): boolean {
    return performance.now() - this.#dlqPolledAt >= this.#o.blockMs;
  }

  async #readStreams(
    reader: StreamReader,
    streams: readonly TailedStream[],
    count: number,
    blockMs: number | undefined,
  ): Promise<StreamBatch[]> {
    const reply = (await reader.read({
      count,
      blockMs,
      streams: streams.map((s) => ({ key: s.key, id: this.#ids.get(s.key)! })),
    })) as [Buffer, [Buffer, Buffer[] | null][]][];
    const batches: StreamBatch[] = [];
    for (const [keyBuf, rows] of reply) {
      const stream = this.#streams.get(keyBuf.toString());
      if (stream === undefined) {
        continue;
      }
      const entries = rows.map(([id, fields]) => [id.toString(), fields ?? []] as const);
      batches.push({ stream, entries });
    }
    return batches;
  }

  /** Marks entries up to lastId as sent and stores the position. */
  async commit(key: string, lastId: string): Promise<void> {
    this.#ids.set(key, lastId);
    await this.#o.redis.hset(this.#o.positionsKey, this.#field(key), lastId);
  }

  #field(key: string): string {
    return `${this.#o.positionsField}|${key}`;
  }
}
