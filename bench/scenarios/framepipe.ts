import { Redis } from 'ioredis';
import { waitUntil, type Progress } from '../lib/child-io.js';
import { startDriver } from '../lib/driver.js';
import { benchConfig, sourceIds, startWorker } from '../lib/framepipe-env.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { warmUpFrames } from '../lib/warm-up.js';
import { openWindow, windowResult } from '../lib/e2e-window.js';
import type { ScenarioResult, Task } from '../lib/tasks.js';

type FramepipeTask = Extract<Task, { kind: 'framepipe' }>;

/**
 * Producers without a frame rate cap (`producer.fps` 0, as for a file): they write as fast as
 * backpressure allows, as BullMQ's adds and the hand-written loop's do, and the worker is the
 * bottleneck being measured. Until 2026-11-26 they ran at the cap's top, 1000 fps per source:
 * paced frames leave one at a time, each its own write for the producers and for Redis.
 */
const PRODUCER_FPS = 0;

/**
 * framepipe end to end with its default settings: `sources` producers publish pre-encoded
 * JPEGs (block policy) while one worker reads, processes and settles them (result + XACK).
 * The producers run in a process of their own, as cameras do; the worker process is measured.
 * The clock runs from the first publish to the last ack.
 */
export async function runFramepipe(
  task: FramepipeTask,
  progress: Progress,
): Promise<ScenarioResult> {
  const set = await loadFrameSet(parseSize(task.size), task.distinct);
  const ids = sourceIds(task.sources);
  const perSource = Math.ceil(task.frames / task.sources);
  const total = perSource * task.sources;
  const config = benchConfig(task.redisPort, task.prefix, {
    producer: { fps: PRODUCER_FPS },
    worker: { ...task.worker, processor: task.processor, sources: ids },
  });
  const admin = new Redis({ host: '127.0.0.1', port: task.redisPort });
  const running = await startWorker(config);
  const { worker } = running;
  await waitUntil(() => worker.ready(), 10_000, 5, 'worker ready');

  const producers = await startDriver('framepipe-producers', {
    port: task.redisPort,
    prefix: task.prefix,
    size: task.size,
    distinct: task.distinct,
  });
  // Warm-up on the same path (every source, JIT, sharp, Lua script cache), not timed.
  const warmPerSource = Math.ceil(warmUpFrames(total) / task.sources);
  await producers.run({
    sources: ids,
    perSource: warmPerSource,
    offsetStep: warmPerSource,
    fps: PRODUCER_FPS,
  });
  await waitUntil(
    () => {
      const done = worker.stats().processed;
      progress((0.5 * done) / (warmPerSource * task.sources));
      return done >= warmPerSource * task.sources;
    },
    600_000,
    5,
    'warm-up',
  );
  const base = worker.stats().processed;

  const window = await openWindow(admin);
  const producing = producers.run<{ peakRssMb: number; cpuS: number }>({
    sources: ids,
    perSource,
    offsetStep: perSource,
    fps: PRODUCER_FPS,
  });
  await waitUntil(
    () => {
      const done = worker.stats().processed - base;
      progress(0.5 + (0.5 * done) / total);
      return done >= total;
    },
    600_000,
    5,
    'all frames processed',
  );
  const figures = await window.close(total);
  const stats = worker.stats();
  const load = await producing;
  await producers.stop();
  await running.stop();
  admin.disconnect();
  return {
    scenario: `framepipe ${task.processor} ${task.size}`,
    system: 'framepipe',
    kind: 'framepipe',
    size: task.size,
    processor: task.processor,
    ...windowResult(figures, total, set.meanBytes, load),
    settings: {
      sources: task.sources,
      producerFps: PRODUCER_FPS,
      producers: 'one process for all sources, apart from the worker',
      worker: { ...config.worker, sources: undefined },
      producer: {
        policy: config.producer.policy,
        batchSize: config.producer.batchSize,
        maxBacklog: config.producer.maxBacklog,
      },
      failed: stats.failed,
      deadLettered: stats.deadLettered,
    },
  };
}
