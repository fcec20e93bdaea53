import { Redis } from 'ioredis';
import { cpuSeconds, mb, peakRssMb, waitUntil, type Progress } from '../lib/child-io.js';
import { startDriver } from '../lib/driver.js';
import { benchConfig, sourceIds, startWorker } from '../lib/framepipe-env.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { commandStats, commandsPerFrame } from '../lib/command-stats.js';
import { redisCpuSeconds, countRedisFaults, sampleRedisMemory } from '../lib/redis-info.js';
import { cpuPerFrame, round } from '../lib/stats.js';
import { warmUpFrames } from '../lib/warm-up.js';
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

  const faultsPerFrame = await countRedisFaults(admin);
  const cmd0 = await commandStats(admin);
  const cpu0 = await redisCpuSeconds(admin);
  const memory = sampleRedisMemory(admin);
  const workerCpu0 = cpuSeconds();
  const started = performance.now();
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
  const seconds = (performance.now() - started) / 1000;
  const workerCpuS = cpuSeconds() - workerCpu0;
  const cpu1 = await redisCpuSeconds(admin);
  const cmd1 = await commandStats(admin);
  const faults = await faultsPerFrame(total);
  const peakMemory = await memory.stop();
  const stats = worker.stats();
  const { peakRssMb: producerRssMb, cpuS: producerCpuS } = await producing;
  await producers.stop();
  await running.stop();
  admin.disconnect();
  const fps = total / seconds;
  return {
    scenario: `framepipe ${task.processor} ${task.size}`,
    system: 'framepipe',
    kind: 'framepipe',
    size: task.size,
    processor: task.processor,
    frames: total,
    seconds: round(seconds),
    frames_per_s: round(fps, 1),
    mb_per_s: round(mb(fps * set.meanBytes), 2),
    jpeg_bytes_mean: Math.round(set.meanBytes),
    peak_rss_mb: peakRssMb(),
    producer_peak_rss_mb: producerRssMb,
    redis_used_memory_peak_mb: mb(peakMemory),
    redis_cpu_s: round(cpu1 - cpu0),
    redis_cpu_us_per_frame: round(((cpu1 - cpu0) / total) * 1e6, 1),
    cpu_us_per_frame: cpuPerFrame(
      { worker: workerCpuS, producer: producerCpuS, redis: cpu1 - cpu0 },
      total,
    ),
    redis_minor_faults_per_frame: faults,
    redis_commands_per_frame: commandsPerFrame(cmd0, cmd1, total),
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
