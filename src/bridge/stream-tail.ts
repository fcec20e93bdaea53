import { StreamReader } from '../shared/redis/read-streams.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import type { StreamKind } from './entry-envelopes.js';

/**
 * Plain XREAD (never a consumer group, so the bridge never takes work from workers) over a
 * changing set of streams, on its own blocking connection. Positions are kept per stream in a
 * hash, so a restarted bridge resumes where the last one stopped.
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
  readonly #streams = new Map<string, TailedStream>();
  readonly #ids = new Map<string, string>();
  #startId: string | undefined;
  #stored: Record<string, string> | undefined;

  constructor(options: StreamTailOptions) {
    this.#reader = new StreamReader(options.blockingRedis);
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

  /** One XREAD BLOCK over every tailed stream; [] when nothing came within blockMs. */
  async read(): Promise<StreamBatch[]> {
    const keys = [...this.#streams.keys()];
    if (keys.length === 0) {
      return [];
    }
    const ids = keys.map((k) => this.#ids.get(k)!);
    const reply = (await this.#reader.read({
      count: this.#o.readCount,
      blockMs: this.#o.blockMs,
      streams: keys.map((key, i) => ({ key, id: ids[i]! })),
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
