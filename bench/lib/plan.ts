import type { Mode } from './args.js';
import type { ProcessorName, Task } from './tasks.js';

/** Sizes of a run, frame counts and settings per mode: the numbers the results quote. */
export interface PlanSettings {
  readonly sizes: readonly string[];
  readonly processors: readonly ProcessorName[];
  readonly distinct: number;
  /** Frames per throughput run, by processor and size. */
  readonly frames: Readonly<Record<ProcessorName, Readonly<Record<string, number>>>>;
  readonly bullmqConcurrency: readonly number[];
  readonly bullmqAddBulk: number;
  readonly bareInFlight: number;
  readonly poolThreads: number;
  readonly framepipeSources: number;
  readonly enqueueFrames: number;
  readonly framepipePublishBatch: number;
  /** Writes in flight for every system's enqueue: framepipe's default `producer.batchesInFlight`. */
  readonly enqueueInFlight: number;
  /**
   * Redis's XADD ceiling (redis-benchmark): connections, each pipelining
   * `framepipePublishBatch`; 4 was its fastest of 1/2/4 here.
   */
  readonly ceilingConnections: number;
  readonly latency: {
    readonly size: string;
    readonly processor: ProcessorName;
    readonly sources: number;
    readonly fps: number;
    readonly seconds: number;
    readonly drainCapS: number;
    /** A second, sustainable load: this fraction of the measured bare limit. */
    readonly sustainableFraction: number;
  };
  readonly recovery: { readonly size: string; readonly frames: number; readonly capS: number };
  /** Throughput groups run this many times, interleaved; the fastest run is reported. */
  readonly repeats: number;
}

export const QUICK: PlanSettings = {
  sizes: ['640x480', '1280x720'],
  processors: ['noop', 'stats'],
  distinct: 32,
  frames: {
    noop: { '640x480': 1500, '1280x720': 800 },
    // stats costs 2.5-7 ms of CPU a frame (quiet to busy machine): 3-9 s of steady state,
    // so the start (producers' burst, first reads) and the drain weigh little.
    stats: { '640x480': 1920, '1280x720': 960 },
  },
  bullmqConcurrency: [8, 32],
  bullmqAddBulk: 50,
  bareInFlight: 32,
  poolThreads: 2,
  framepipeSources: 8,
  enqueueFrames: 4000,
  framepipePublishBatch: 16,
  enqueueInFlight: 1,
  ceilingConnections: 4,
  latency: {
    size: '640x480',
    processor: 'stats',
    sources: 8,
    fps: 30,
    seconds: 5,
    drainCapS: 3,
    sustainableFraction: 0.5,
  },
  recovery: { size: '640x480', frames: 64, capS: 35 },
  repeats: 1,
};

export const FULL: PlanSettings = {
  ...QUICK,
  distinct: 64,
  frames: {
    noop: { '640x480': 4000, '1280x720': 2000 },
    stats: { '640x480': 2400, '1280x720': 1200 },
  },
  bullmqConcurrency: [8, 16, 32, 64],
  enqueueFrames: 10000,
  latency: { ...QUICK.latency, seconds: 20, drainCapS: 10 },
  recovery: { ...QUICK.recovery, capS: 75 },
  repeats: 3,
};

export function planSettings(mode: Mode): PlanSettings {
  return mode === 'full' ? FULL : QUICK;
}

export interface Step {
  readonly task: Task;
  /** Rough seconds, for the progress bar. */
  readonly weight: number;
}

const R = { redisPort: 0, prefix: '' };

/**
 * Throughput groups (bare, framepipe, a hand-written streams loop, BullMQ per size and
 * processor) and the enqueue runs;
 * Redis's own XADD ceiling when `redis-benchmark` is installed.
 */
export function throughputSteps(s: PlanSettings, withRedisBenchmark: boolean): Step[] {
  const steps: Step[] = [];
  for (let r = 0; r < s.repeats; r++) {
    for (const processor of s.processors) {
      for (const size of s.sizes) {
        const frames = s.frames[processor][size] ?? 500;
        const common = { size, distinct: s.distinct, processor, frames };
        const w = processor === 'stats' ? 8 : 4;
        steps.push({
          task: {
            kind: 'bare',
            ...common,
            mode: 'inline',
            inFlight: s.bareInFlight,
            threads: s.poolThreads,
          },
          weight: w,
        });
        steps.push({
          task: {
            kind: 'bare',
            ...common,
            mode: 'pool',
            inFlight: s.bareInFlight,
            threads: s.poolThreads,
          },
          weight: w,
        });
        steps.push({
          task: { kind: 'framepipe', ...common, ...R, sources: s.framepipeSources },
          weight: w,
        });
        steps.push({
          task: {
            kind: 'streams',
            ...common,
            ...R,
            sources: s.framepipeSources,
            batch: s.framepipePublishBatch,
            inFlight: s.bareInFlight,
          },
          weight: w,
        });
        for (const concurrency of s.bullmqConcurrency) {
          steps.push({
            task: { kind: 'bullmq', ...common, ...R, concurrency, addBulk: s.bullmqAddBulk },
            weight: w,
          });
        }
      }
    }
  }
  for (const size of s.sizes) {
    const common = {
      size,
      distinct: s.distinct,
      frames: s.enqueueFrames,
      inFlight: s.enqueueInFlight,
      ...R,
    };
    steps.push({
      task: { kind: 'enqueue', system: 'framepipe', ...common, batch: s.framepipePublishBatch },
      weight: 3,
    });
    steps.push({
      task: { kind: 'enqueue', system: 'bullmq', ...common, batch: s.bullmqAddBulk },
      weight: 3,
    });
    steps.push({
      task: { kind: 'enqueue', system: 'raw-xadd', ...common, batch: s.bullmqAddBulk },
      weight: 3,
    });
    if (withRedisBenchmark) {
      steps.push({
        task: {
          kind: 'enqueue',
          system: 'redis-benchmark',
          ...common,
          inFlight: s.ceilingConnections,
          batch: s.framepipePublishBatch,
        },
        weight: 2,
      });
    }
  }
  return steps;
}

/**
 * Latency at the fixed rate (sources x fps), the same with noop, and at a load the
 * processor can sustain here (a fraction of the bare limit); then recovery after SIGKILL.
 */
export function fixedRateSteps(
  s: PlanSettings,
  bullmqConcurrency: number,
  bareFps: number | undefined,
): Step[] {
  const l = s.latency;
  const base = {
    kind: 'latency' as const,
    size: l.size,
    distinct: s.distinct,
    sources: l.sources,
    seconds: l.seconds,
    drainCapS: l.drainCapS,
    ...R,
  };
  const loads = [
    {
      processor: l.processor,
      fps: l.fps,
      load: `${l.sources}x${l.fps}fps`,
      weight: l.seconds + l.drainCapS + 6,
    },
    {
      processor: 'noop' as const,
      fps: l.fps,
      load: `${l.sources}x${l.fps}fps`,
      weight: l.seconds + 4,
    },
  ];
  if (bareFps !== undefined) {
    const fps = Math.max(1, Math.floor((bareFps * l.sustainableFraction) / l.sources));
    loads.push({
      processor: l.processor,
      fps,
      load: `${l.sources}x${fps}fps (${Math.round(l.sustainableFraction * 100)}% of bare)`,
      weight: l.seconds + 5,
    });
  }
  const steps: Step[] = [];
  for (const { weight, ...load } of loads) {
    steps.push({ task: { ...base, ...load, system: 'framepipe', concurrency: 0 }, weight });
    steps.push({
      task: { ...base, ...load, system: 'bullmq', concurrency: bullmqConcurrency },
      weight,
    });
  }
  const rec = {
    kind: 'recovery' as const,
    size: s.recovery.size,
    distinct: s.distinct,
    frames: s.recovery.frames,
    capS: s.recovery.capS,
    ...R,
  };
  steps.push({ task: { ...rec, system: 'framepipe' }, weight: 8 });
  steps.push({ task: { ...rec, system: 'bullmq' }, weight: s.recovery.capS });
  return steps;
}

/**
 * A load this machine sustains (stats at 8 x 3 fps is well under its bare limit), so flat
 * memory lines mean nothing accumulates, not that backpressure is holding a backlog.
 */
export const SOAK_FPS = 3;

export function soakStep(s: PlanSettings, seconds: number): Step {
  const l = s.latency;
  return {
    task: {
      kind: 'soak',
      size: l.size,
      distinct: s.distinct,
      processor: l.processor,
      sources: l.sources,
      fps: SOAK_FPS,
      seconds,
      ...R,
    },
    weight: seconds,
  };
}
