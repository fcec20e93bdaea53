import type { LatencySummary } from './stats.js';

/** What the orchestrator asks a scenario process to do; plain JSON so it crosses argv. */
export type ProcessorName = 'noop' | 'stats';
export type System = 'bare' | 'framepipe' | 'streams' | 'bullmq' | 'raw-xadd' | 'redis-benchmark';

interface Common {
  /** `640x480` */
  readonly size: string;
  /** Distinct pre-encoded JPEGs cycled through. */
  readonly distinct: number;
}

interface WithRedis extends Common {
  readonly redisPort: number;
  /** Key prefix (framepipe) or queue prefix (BullMQ) of this run. */
  readonly prefix: string;
}

export type Task =
  | (Common & {
      readonly kind: 'bare';
      readonly processor: ProcessorName;
      readonly frames: number;
      readonly mode: 'inline' | 'pool';
      readonly inFlight: number;
      readonly threads: number;
    })
  | (WithRedis & {
      readonly kind: 'framepipe';
      readonly processor: ProcessorName;
      readonly frames: number;
      readonly sources: number;
      /** Worker options over framepipe's defaults, for experiments (recorded in settings). */
      readonly worker?: Record<string, unknown>;
    })
  | (WithRedis & {
      /** A hand-written Redis Streams loop doing the same work (bench/lib/hand-streams.ts). */
      readonly kind: 'streams';
      readonly processor: ProcessorName;
      readonly frames: number;
      readonly sources: number;
      /** XADDs per pipeline of its producer. */
      readonly batch: number;
      /** Frames processed at once, in-line (as the bare limit). */
      readonly inFlight: number;
    })
  | (WithRedis & {
      readonly kind: 'bullmq';
      readonly processor: ProcessorName;
      readonly frames: number;
      readonly concurrency: number;
      readonly addBulk: number;
    })
  | (WithRedis & {
      readonly kind: 'enqueue';
      readonly system: 'framepipe' | 'bullmq' | 'raw-xadd' | 'redis-benchmark';
      readonly frames: number;
      readonly batch: number;
      /**
       * Batches (framepipe), addBulk calls or pipelines written before the first is answered;
       * connections for redis-benchmark.
       */
      readonly inFlight: number;
    })
  | (WithRedis & {
      readonly kind: 'latency';
      readonly system: 'framepipe' | 'bullmq';
      readonly processor: ProcessorName;
      readonly sources: number;
      readonly fps: number;
      readonly seconds: number;
      readonly concurrency: number;
      /** Longest wait for acks after the last frame is produced. */
      readonly drainCapS: number;
      /** Names the load in the scenario label, e.g. `8x30fps` or `50% of bare`. */
      readonly load: string;
    })
  | (WithRedis & {
      readonly kind: 'recovery';
      readonly system: 'framepipe' | 'bullmq';
      readonly frames: number;
      readonly capS: number;
    })
  | (WithRedis & {
      readonly kind: 'soak';
      readonly processor: ProcessorName;
      readonly sources: number;
      readonly fps: number;
      readonly seconds: number;
    });

export type TaskKind = Task['kind'];

/** One row of the results: every scenario reports what applies to it. */
export interface ScenarioResult {
  scenario: string;
  system: System;
  kind: TaskKind;
  size: string;
  processor?: ProcessorName;
  frames: number;
  seconds: number;
  frames_per_s: number;
  mb_per_s: number;
  jpeg_bytes_mean: number;
  peak_rss_mb?: number;
  /** The load process (producers, BullMQ adds) when it runs apart from the measured one. */
  producer_peak_rss_mb?: number;
  redis_used_memory_peak_mb?: number;
  redis_cpu_s?: number;
  /**
   * CPU per frame by process over the measured run (getrusage, every thread): the measured
   * process (worker, or the bare loop), the load process (producers, BullMQ adds), redis-server.
   * Enqueue runs: the writer (the scenario process, or redis-benchmark) as `worker`, and Redis.
   */
  cpu_us_per_frame?: CpuPerFrame;
  redis_cpu_us_per_frame?: number;
  /** redis-server minor page faults per frame over the timed window (first-touch memory). */
  redis_minor_faults_per_frame?: number | undefined;
  redis_commands_per_frame?: Record<string, { calls_per_frame: number; usec_per_frame: number }>;
  redis_bytes_per_frame?: number;
  redis_bytes_per_frame_vs_jpeg?: number;
  latency?: LatencySummary;
  recovery_s?: number;
  recovery_capped?: boolean;
  frames_held?: number;
  settings: Record<string, unknown>;
  notes?: string[];
}

export interface CpuPerFrame {
  readonly worker: number;
  readonly producer?: number;
  readonly redis?: number;
  readonly total: number;
}

export type ChildMessage =
  | { readonly type: 'progress'; readonly fraction: number; readonly detail?: string }
  | { readonly type: 'result'; readonly result: ScenarioResult }
  | {
      readonly type: 'sample';
      readonly atS: number;
      readonly rssMb: number;
      readonly detail: string;
    }
  | { readonly type: 'error'; readonly message: string; readonly stack?: string };
