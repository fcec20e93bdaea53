import type { Config } from '../shared/config/schema.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { sourceKeys, type SourceKeys } from '../shared/redis/keys.js';
import { defineScripts } from '../shared/redis/scripts.js';
import { once, runClosers } from '../shared/shutdown.js';
import { BacklogWaiter } from './backpressure.js';
import { formatEntryId } from '../shared/entry-id.js';
import { FrameBuffer } from './frame-buffer.js';
import { ingestFrames, type IngestCounters } from './frame-ingest.js';
import { FramePublisher } from './frame-publisher.js';
import { publishBuffered } from './publish-loop.js';
import { EdgeMetricsTicker } from './edge-metrics.js';
import { retryRedis } from '../shared/redis/retry-redis.js';
import { ProducerLease } from './producer-lease.js';
import { createFrameSource } from './sources/create-frame-source.js';
import type { FrameSource, SourceItem } from './sources/frame-source.js';
import { prepareStream, registerSource } from './stream-setup.js';

/** Sees every frame once Redis has stored it, e.g. the recorder (`framepipe record start`). */
export interface FrameTap {
  onFrame(source: string, seq: number, jpeg: Buffer): void;
}

export interface ProducerDeps {
  redis: RedisClient;
  logger: Logger;
  metrics: Metrics;
  source?: FrameSource<SourceItem>;
  now?: () => number;
  tap?: FrameTap;
}

export interface ProducerStats {
  /** Frames confirmed stored in Redis (added, or refused as a replay of a stored id). */
  produced: number;
  duplicates: number;
  refused: number;
  /** Frames the producer dropped: buffer full (drop-oldest) or unsent at shutdown. */
  dropped: number;
  /**
   * Of those, frames given up when the flush after a stop ran out of time (FLUSH_TIMEOUT_MS)
   * or the lease was lost: still buffered, or written but never confirmed (maybe stored).
   */
  givenUp: number;
  buffered: number;
  backpressureWaitMs: number;
  lastSeq: number;
}

export interface Producer {
  run(signal: AbortSignal): Promise<ProducerStats>;
  stats(): ProducerStats;
  close(): Promise<void>;
}

/** After run's signal aborts, buffered frames get this long to reach Redis. */
export const FLUSH_TIMEOUT_MS = 5000;
/** For the lease release and the last metrics entry after the flush: one command each. */
const CLOSE_TIMEOUT_MS = 2000;

class FrameProducer implements Producer {
  readonly #config: Readonly<Config>;
  readonly #deps: ProducerDeps;
  readonly #log: Logger;
  readonly #keys: SourceKeys;
  readonly #source: FrameSource<SourceItem>;
  readonly #buffer: FrameBuffer;
  readonly #lease: ProducerLease;
  readonly #closing = new AbortController();
  /** Aborted when buffered frames may no longer be written (flush deadline, lease lost). */
  readonly #hardStop = new AbortController();
  readonly #now: () => number;
  readonly #labels: { source: string };
  readonly #counters: IngestCounters & {
    produced: number;
    duplicates: number;
    waitMs: number;
    givenUp: number;
  };
  #lastSeq = -1;
  #leaseLost: Error | undefined;
  #running: Promise<ProducerStats> | undefined;

  constructor(config: Readonly<Config>, deps: ProducerDeps) {
    const pc = config.producer;
    this.#config = config;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.logger.child({ module: 'producer', source: pc.source });
    this.#keys = sourceKeys(config.redis.prefix, pc.source);
    this.#labels = { source: pc.source };
    this.#source = deps.source ?? createFrameSource(pc, deps.logger);
    this.#buffer = new FrameBuffer(pc.policy, pc.maxBufferedFrames);
    const counters = {
      produced: 0,
      duplicates: 0,
      waitMs: 0,
      refused: 0,
      dropped: 0,
      givenUp: 0,
    };
    this.#counters = { ...counters, encodeMsTotal: 0, encoded: 0 };
    this.#lease = new ProducerLease({
      redis: deps.redis,
      key: this.#keys.producerLease,
      source: pc.source,
      ttlMs: pc.leaseTtlMs,
      onLost: (err) => {
        this.#log.error({ err }, 'producer lease lost to another producer; stopping');
        this.#leaseLost = err;
        this.#hardStop.abort();
      },
      onRenewError: (err) => this.#log.warn({ err }, 'producer lease renewal failed'),
      onRetaken: () => this.#registerAgain(),
    });
  }

  stats(): ProducerStats {
    const c = this.#counters;
    return {
      produced: c.produced,
      duplicates: c.duplicates,
      refused: c.refused,
      dropped: c.dropped,
      givenUp: c.givenUp,
      buffered: this.#buffer.size,
      backpressureWaitMs: c.waitMs,
      lastSeq: this.#lastSeq,
    };
  }

  /** The lease key was gone: the sources set and the group may be gone with it. */
  #registerAgain(): void {
    this.#log.warn(
      'the lease key was gone (Redis restarted without its data, or this process stalled past producer.leaseTtlMs): registering the source again',
    );
    const { redis } = this.#deps;
    const { prefix } = this.#config.redis;
    const source = this.#config.producer.source;
    // Retried until it lands (LOADING right after a restart, OOM...): no later renewal asks.
    retryRedis(() => registerSource(redis, prefix, source, this.#keys, this.#config.worker.group), {
      what: 'register the source again',
      signal: this.#closing.signal,
      logger: this.#log,
    }).catch((err: unknown) => {
      if (!this.#closing.signal.aborted) {
        this.#log.warn({ err }, 'registering the source again failed');
      }
    });
  }

  run(signal: AbortSignal): Promise<ProducerStats> {
    if (this.#running !== undefined) {
      return Promise.reject(new Error('Producer.run() may be called once'));
    }
    this.#running = this.#run(AbortSignal.any([signal, this.#closing.signal]));
    return this.#running;
  }

  async #run(stop: AbortSignal): Promise<ProducerStats> {
    const { redis, metrics } = this.#deps;
    const pc = this.#config.producer;
    // Before the lease and the sources set: a bad path or a missing ffmpeg leaves no ghost source.
    await this.#source.check?.();
    defineScripts(redis);
    await retryRedis(() => this.#lease.acquire(), {
      what: 'lease',
      signal: stop,
      logger: this.#log,
    });
    const onStop = (): void => {
      setTimeout(() => this.#hardStop.abort(), FLUSH_TIMEOUT_MS).unref();
    };
    if (stop.aborted) {
      onStop();
    }
    stop.addEventListener('abort', onStop, { once: true });
    const ticker = new EdgeMetricsTicker({
      redis,
      stream: this.#keys.metrics,
      source: pc.source,
      logger: this.#log,
      counters: () => this.#counters,
      buffered: () => this.#buffer.size,
    });
    try {
      const pos = await retryRedis(
        () =>
          prepareStream(
            redis,
            this.#config.redis.prefix,
            pc.source,
            this.#keys,
            this.#config.worker.group,
          ),
        { what: 'prepare stream', signal: stop, logger: this.#log },
      );
      this.#lastSeq = pos.lastSeq;
      this.#log.info(
        { lastId: formatEntryId(pos.lastId), nextSeq: pos.lastSeq + 1, policy: pc.policy },
        'producer started',
      );
      const waiter = new BacklogWaiter({
        redis,
        stream: this.#keys.frames,
        statsKey: this.#keys.stats,
        group: this.#config.worker.group,
        maxBacklog: pc.maxBacklog,
        now: this.#now,
        onWait: (ms) => {
          this.#counters.waitMs += ms;
          metrics.backpressureWait.inc(this.#labels, ms / 1000);
        },
      });
      ticker.start(waiter);
      const [ingested, published] = await Promise.allSettled([
        ingestFrames({
          config: pc,
          source: this.#source,
          buffer: this.#buffer,
          position: pos,
          now: this.#now,
          logger: this.#log,
          metrics,
          counters: this.#counters,
          signal: AbortSignal.any([stop, this.#hardStop.signal]),
        }),
        this.#publishLoop(stop, waiter),
      ]);
      for (const r of [published, ingested]) {
        if (r.status === 'rejected') {
          throw r.reason;
        }
      }
      if (this.#leaseLost !== undefined) {
        throw this.#leaseLost;
      }
      this.#log.info(this.stats(), 'producer stopped');
      return this.stats();
    } finally {
      stop.removeEventListener('abort', onStop);
      // Bounded: with Redis frozen each would wait out redis.commandTimeoutMs, past a pod's
      // grace period. A lease left behind expires by itself (producer.leaseTtlMs).
      const closed = await runClosers(
        [
          { name: 'producer lease', close: () => this.#lease.release() },
          { name: 'metrics ticker', close: () => ticker.stop() },
        ],
        CLOSE_TIMEOUT_MS,
        this.#log,
      );
      if (!closed) {
        this.#log.warn(
          'Redis did not answer while the producer stopped; its lease expires by itself',
        );
      }
    }
  }

  #publishLoop(stop: AbortSignal, waiter: BacklogWaiter): Promise<void> {
    const { redis, metrics } = this.#deps;
    const pc = this.#config.producer;
    const labels = this.#labels;
    const publisher = new FramePublisher({
      redis,
      keys: this.#keys,
      source: pc.source,
      group: this.#config.worker.group,
      policy: pc.policy,
      maxLen: pc.maxLen,
      logger: this.#log,
      onOom: () => metrics.redisOomRefusals.inc({ role: 'producer' }),
      mayWrite: (signal) => this.#lease.confirm(signal),
    });
    return publishBuffered({
      buffer: this.#buffer,
      publisher,
      waiter,
      policy: pc.policy,
      batchSize: pc.batchSize,
      batchesInFlight: pc.batchesInFlight,
      logger: this.#log,
      stop,
      hard: this.#hardStop.signal,
      mayWrite: () => this.#lease.confirm(this.#hardStop.signal),
      onBatch: (batch, report) => {
        const unsent = new Set(report.unconfirmed);
        const confirmed = batch.filter((f) => !unsent.has(f));
        this.#counters.produced += confirmed.length;
        this.#counters.duplicates += report.duplicates;
        metrics.framesProduced.inc(labels, confirmed.length);
        metrics.duplicatesSuppressed.inc(labels, report.duplicates);
        let bytes = 0;
        for (const f of confirmed) {
          bytes += f.data.length;
          this.#lastSeq = Math.max(this.#lastSeq, f.seq);
          this.#deps.tap?.onFrame(pc.source, f.seq, f.data);
        }
        metrics.frameBytes.inc(labels, bytes); // once per batch: labelled updates hash the labels
        metrics.bufferedFrames.set(labels, this.#buffer.size - batch.length);
      },
      onGivenUp: (n, stage) => {
        this.#counters.givenUp += n;
        this.#countDropped(
          n,
          // The lease itself, not only #leaseLost: onLost comes a Redis round trip later.
          this.#lease.lost ? 'lease_lost' : stage === 'unconfirmed' ? 'unconfirmed' : 'shutdown',
        );
      },
    });
  }

  #countDropped(n: number, reason: string): void {
    if (n === 0) {
      return;
    }
    this.#counters.dropped += n;
    this.#deps.metrics.framesDropped.inc({ ...this.#labels, reason }, n);
    this.#log.warn(
      { frames: n, reason },
      reason === 'unconfirmed'
        ? 'frames given up on: Redis did not confirm them before the flush deadline (they may be stored)'
        : 'frames dropped before reaching Redis',
    );
  }

  readonly close = once(async () => {
    this.#closing.abort();
    await this.#source.close().catch((err: unknown) => {
      this.#log.warn({ err }, 'error closing the frame source');
    });
    await this.#running?.catch(() => undefined);
    await this.#lease.release().catch(() => undefined);
  });
}

export function createProducer(config: Readonly<Config>, deps: ProducerDeps): Producer {
  return new FrameProducer(config, deps);
}
