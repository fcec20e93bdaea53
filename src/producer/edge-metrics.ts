import type { RedisClient } from '../shared/redis/create-redis.js';
import type { Logger } from '../shared/logger.js';
import { encodeMetricFields, nowUs } from '../shared/stream-entries.js';

/** Counters the producer keeps for its once-a-second metrics entry. */
export interface EdgeCounters {
  readonly produced: number;
  readonly dropped: number;
  readonly refused: number;
  readonly encodeMsTotal: number;
  readonly encoded: number;
}

export interface EdgeMetricsPayload {
  readonly fps: number;
  readonly produced: number;
  readonly dropped: number;
  readonly refused: number;
  readonly encodeMs: number;
  readonly backlog: number | null;
  readonly buffered: number;
}

export const METRICS_STREAM_MAX_LEN = 1000;

/** Pure: the payload for the interval between two snapshots. */
export function edgeMetricsPayload(
  previous: EdgeCounters,
  current: EdgeCounters,
  elapsedMs: number,
  backlog: number | null,
  buffered: number,
): EdgeMetricsPayload {
  const frames = current.produced - previous.produced;
  const encoded = current.encoded - previous.encoded;
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    fps: elapsedMs > 0 ? round((frames * 1000) / elapsedMs) : 0,
    produced: current.produced,
    dropped: current.dropped,
    refused: current.refused,
    encodeMs: encoded > 0 ? round((current.encodeMsTotal - previous.encodeMsTotal) / encoded) : 0,
    backlog,
    buffered,
  };
}

export async function writeEdgeMetrics(
  redis: RedisClient,
  stream: string,
  source: string,
  payload: EdgeMetricsPayload,
): Promise<void> {
  const fields = encodeMetricFields({ source, type: 'producer', atUs: nowUs(), payload });
  await redis.xadd(stream, 'MAXLEN', '~', METRICS_STREAM_MAX_LEN, '*', ...fields);
}

export interface EdgeMetricsTickerOptions {
  readonly redis: RedisClient;
  readonly stream: string;
  readonly source: string;
  readonly logger: Logger;
  readonly counters: () => EdgeCounters;
  readonly buffered: () => number;
  readonly intervalMs?: number;
}

/**
 * XADDs a producer metrics entry about once a second, and a last one at stop (so the stream
 * ends with the final counts, the stop's flush included, and a run under a second has one);
 * failures are logged, never thrown.
 */
export class EdgeMetricsTicker {
  readonly #o: EdgeMetricsTickerOptions;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #write: (() => Promise<void>) | undefined;

  constructor(options: EdgeMetricsTickerOptions) {
    this.#o = options;
  }

  start(backlog: { refresh(): Promise<number> }): void {
    let previous = { ...this.#o.counters() };
    let at = performance.now();
    this.#write = async () => {
      const current = { ...this.#o.counters() };
      const now = performance.now();
      const depth = await backlog.refresh().catch(() => null);
      const payload = edgeMetricsPayload(previous, current, now - at, depth, this.#o.buffered());
      previous = current;
      at = now;
      await writeEdgeMetrics(this.#o.redis, this.#o.stream, this.#o.source, payload);
    };
    this.#timer = setInterval(() => {
      if (this.#tick === undefined) {
        this.#tick = this.#logged(this.#write!()).finally(() => {
          this.#tick = undefined;
        });
      }
    }, this.#o.intervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Stops the ticks and writes the last entry (the caller bounds how long it may take). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#tick;
    const write = this.#write;
    this.#write = undefined;
    if (write !== undefined) {
      await this.#logged(write());
    }
  }

  #logged(writing: Promise<void>): Promise<void> {
    return writing.catch((err: unknown) =>
      this.#o.logger.debug({ err }, 'could not write edge metrics'),
    );
  }
}
