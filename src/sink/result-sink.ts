import { StreamReader } from '../shared/redis/read-streams.js';
import type { PgPool } from '../db/create-pg.js';
import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sleep } from '../shared/shutdown.js';
import { parseAutoclaimReply, parseReadReply } from '../shared/redis/stream-replies.js';
import type { ResultSource, ResultSources } from './result-sources.js';
import { settleResults, type SettleDeps, type SettleReport } from './settle-results.js';
import type { SinkMetrics } from './sink-metrics.js';

export interface ResultSinkOptions {
  readonly redis: RedisClient;
  /** Dedicated connection: a blocked XREADGROUP holds it. */
  readonly blockingRedis: RedisClient;
  readonly pg: PgPool;
  readonly prefix: string;
  readonly group: string;
  readonly consumer: string;
  readonly batchSize: number;
  readonly blockMs: number;
  readonly claimIdleMs: number;
  readonly claimIntervalMs: number;
  readonly refreshMs: number;
  readonly sources: ResultSources;
  readonly metrics: SinkMetrics;
  readonly logger: Logger;
}

export interface SinkStats {
  batches: number;
  rows: number;
  inserted: number;
  duplicates: number;
  dropped: number;
  reclaimed: number;
  errors: number;
}

/** Backoff after a failed batch: 200 ms doubling to 5 s, with jitter. */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  return Math.round(Math.min(5000, 200 * 2 ** Math.min(failures, 5)) * (0.5 + random() / 2));
}

/**
 * Results streams → PostgreSQL. Reads its own pending history first (a restart under the same
 * consumer name resumes), then new entries; a second loop XAUTOCLAIMs from dead sinks.
 * After a failed batch it re-reads its pending history, so nothing waits for a reclaim.
 */
export class ResultSink {
  readonly #o: ResultSinkOptions;
  readonly #log: Logger;
  readonly #reader: StreamReader;
  readonly #settle: SettleDeps;
  readonly #resumed = new Set<string>();
  #refreshedAt = Number.NEGATIVE_INFINITY;
  #ready = false;
  readonly stats: SinkStats = {
    batches: 0,
    rows: 0,
    inserted: 0,
    duplicates: 0,
    dropped: 0,
    reclaimed: 0,
    errors: 0,
  };

  constructor(options: ResultSinkOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'result-sink', consumer: options.consumer });
    this.#reader = new StreamReader(options.blockingRedis);
    this.#settle = { ...options, logger: this.#log };
  }

  ready(): boolean {
    return this.#ready;
  }

  async run(signal: AbortSignal): Promise<SinkStats> {
    await Promise.all([this.#readLoop(signal), this.#claimLoop(signal)]);
    return { ...this.stats };
  }

  async #readLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.#refresh();
        for (const s of this.#o.sources.list()) {
          if (!this.#resumed.has(s.keys.results)) {
            await this.#readHistory(s, signal);
            this.#resumed.add(s.keys.results);
          }
        }
        this.#ready = true;
        await this.#readNew(signal);
        failures = 0;
      } catch (err) {
        this.#failed(err, 'sink batch failed; entries stay pending and are read again');
        this.#resumed.clear();
        if (err instanceof Error && err.message.includes('NOGROUP')) {
          await this.#o.sources.ensureAll().catch(() => undefined);
        }
        await sleep(retryDelayMs(failures++), signal);
      }
    }
  }

  async #refresh(): Promise<void> {
    if (performance.now() - this.#refreshedAt >= this.#o.refreshMs) {
      await this.#o.sources.refresh();
      this.#refreshedAt = performance.now();
    }
  }

  async #readNew(signal: AbortSignal): Promise<void> {
    const streams = this.#o.sources.list();
    if (streams.length === 0) {
      await sleep(this.#o.blockMs, signal);
      return;
    }
    const reply = await this.#reader.read({
      group: { name: this.#o.group, consumer: this.#o.consumer },
      count: this.#o.batchSize,
      blockMs: this.#o.blockMs,
      signal,
      streams: streams.map((s) => ({ key: s.keys.results, id: '>' })),
    });
    const batches = parseReadReply(reply).flatMap((b) => {
      const source = this.#o.sources.byStream(b.key);
      return source === undefined ? [] : [{ source, entries: b.entries }];
    });
    this.#count(await settleResults(this.#settle, batches));
  }

  /** Entries delivered to this consumer name before and never acked (id 0, paged). */
  async #readHistory(s: ResultSource, signal: AbortSignal): Promise<void> {
    let after = '0';
    while (!signal.aborted) {
      const reply = await this.#o.redis.callBuffer('XREADGROUP', [
        ...['GROUP', this.#o.group, this.#o.consumer, 'COUNT', this.#o.batchSize],
        ...['STREAMS', s.keys.results, after],
      ]);
      const entries = parseReadReply(reply)[0]?.entries ?? [];
      const last = entries.at(-1);
      if (last === undefined) {
        return;
      }
      this.#log.info({ source: s.source, entries: entries.length }, 'resuming own pending results');
      this.#count(await settleResults(this.#settle, [{ source: s, entries }]));
      after = last.id;
    }
  }

  async #claimLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#o.claimIntervalMs, signal);
      for (const s of this.#o.sources.list()) {
        if (signal.aborted) {
          break;
        }
        try {
          await this.claimAll(s, signal);
        } catch (err) {
          this.#failed(err, 'sink reclaim failed');
        }
      }
    }
  }

  /** One XAUTOCLAIM scan, following the cursor until '0-0'; trimmed ids are acked and counted. */
  async claimAll(s: ResultSource, signal?: AbortSignal): Promise<number> {
    let cursor = '0-0';
    let claimed = 0;
    do {
      const page = parseAutoclaimReply(
        await this.#o.redis.callBuffer('XAUTOCLAIM', [
          ...[s.keys.results, this.#o.group, this.#o.consumer, this.#o.claimIdleMs, cursor],
          ...['COUNT', this.#o.batchSize],
        ]),
      );
      const gone = page.deletedIds.map((id) => ({ id, fields: null }));
      const entries = [...page.entries, ...gone];
      if (entries.length > 0) {
        this.#log.info(
          { source: s.source, entries: page.entries.length, trimmed: gone.length },
          'reclaimed results',
        );
        // Counted once claimed, before the settle acks them: whoever sees them acked (a
        // scrape, a test) also sees them counted.
        claimed += page.entries.length;
        this.stats.reclaimed += page.entries.length;
        this.#o.metrics.reclaimed.inc({ source: s.source }, page.entries.length);
        this.#count(await settleResults(this.#settle, [{ source: s, entries }]));
      }
      cursor = page.cursor;
    } while (cursor !== '0-0' && signal?.aborted !== true);
    return claimed;
  }

  #count(r: SettleReport): void {
    if (r.rows + r.trimmed + r.invalid === 0) {
      return;
    }
    this.stats.batches++;
    this.stats.rows += r.rows;
    this.stats.inserted += r.inserted;
    this.stats.duplicates += r.duplicates;
    this.stats.dropped += r.trimmed + r.invalid;
  }

  #failed(err: unknown, msg: string): void {
    this.stats.errors++;
    this.#o.metrics.errors.inc();
    this.#log.error({ err }, msg);
  }
}
