import { Redis } from 'ioredis';
import { cpuSeconds, mb, peakRssMb, waitUntil, type Progress } from '../lib/child-io.js';
import { benchProcessor } from '../lib/bench-processor.js';
import { createFrameWorker, JOB_OPTIONS } from '../lib/bullmq-env.js';
import { startDriver } from '../lib/driver.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { commandStats, commandsPerFrame } from '../lib/command-stats.js';
import { redisCpuSeconds, countRedisFaults, sampleRedisMemory } from '../lib/redis-info.js';
import { cpuPerFrame, round } from '../lib/stats.js';
import { warmUpFrames } from '../lib/warm-up.js';
import type { ScenarioResult, Task } from '../lib/tasks.js';

type BullmqTask = Extract<Task, { kind: 'bullmq' }>;

/**
 * BullMQ doing the same work: addBulk of base64 job data while a Worker with `concurrency`
 * runs the same processor module. The adds run in a process of their own, as framepipe's
 * producers do. The clock runs from the first add to the last completion.
 */
export async function runBullmq(task: BullmqTask, progress: Progress): Promise<ScenarioResult> {
  const set = await loadFrameSet(parseSize(task.size), task.distinct);
  const { processor } = await benchProcessor(task.processor);
  const admin = new Redis({ host: '127.0.0.1', port: task.redisPort });
  const worker = createFrameWorker(task.redisPort, task.prefix, processor, {
    concurrency: task.concurrency,
  });
  let completed = 0;
  let failed = 0;
  worker.on('completed', () => completed++);
  worker.on('failed', () => failed++);
  await worker.waitUntilReady();
  const adder = await startDriver('bullmq-adder', {
    port: task.redisPort,
    prefix: task.prefix,
    size: task.size,
    distinct: task.distinct,
  });
  // Warm-up on the same path, not timed.
  const warmUp = warmUpFrames(task.frames);
  await adder.run({ kind: 'bulk', count: warmUp, chunk: task.addBulk, first: 0 });
  await waitUntil(
    () => {
      progress((0.5 * completed) / warmUp);
      return completed >= warmUp;
    },
    600_000,
    5,
    'warm-up',
  );
  const base = completed;

  const faultsPerFrame = await countRedisFaults(admin);
  const cmd0 = await commandStats(admin);
  const cpu0 = await redisCpuSeconds(admin);
  const memory = sampleRedisMemory(admin);
  const workerCpu0 = cpuSeconds();
  const started = performance.now();
  const adding = adder.run<{ peakRssMb: number; cpuS: number }>({
    kind: 'bulk',
    count: task.frames,
    chunk: task.addBulk,
    first: warmUp,
  });
  await waitUntil(
    () => {
      progress(0.5 + (0.5 * (completed - base)) / task.frames);
      if (failed > 0) {
        throw new Error(`${failed} BullMQ jobs failed`);
      }
      return completed - base >= task.frames;
    },
    600_000,
    5,
    'all jobs completed',
  );
  const seconds = (performance.now() - started) / 1000;
  const workerCpuS = cpuSeconds() - workerCpu0;
  const cpu1 = await redisCpuSeconds(admin);
  const cmd1 = await commandStats(admin);
  const faults = await faultsPerFrame(task.frames);
  const peakMemory = await memory.stop();
  const { peakRssMb: adderRssMb, cpuS: adderCpuS } = await adding;
  await adder.stop();
  await worker.close();
  admin.disconnect();
  const fps = task.frames / seconds;
  return {
    scenario: `bullmq ${task.processor} ${task.size} c${task.concurrency}`,
    system: 'bullmq',
    kind: 'bullmq',
    size: task.size,
    processor: task.processor,
    frames: task.frames,
    seconds: round(seconds),
    frames_per_s: round(fps, 1),
    mb_per_s: round(mb(fps * set.meanBytes), 2),
    jpeg_bytes_mean: Math.round(set.meanBytes),
    peak_rss_mb: peakRssMb(),
    producer_peak_rss_mb: adderRssMb,
    redis_used_memory_peak_mb: mb(peakMemory),
    redis_cpu_s: round(cpu1 - cpu0),
    redis_cpu_us_per_frame: round(((cpu1 - cpu0) / task.frames) * 1e6, 1),
    cpu_us_per_frame: cpuPerFrame(
      { worker: workerCpuS, producer: adderCpuS, redis: cpu1 - cpu0 },
      task.frames,
    ),
    redis_minor_faults_per_frame: faults,
    redis_commands_per_frame: commandsPerFrame(cmd0, cmd1, task.frames),
    settings: {
      concurrency: task.concurrency,
      addBulk: task.addBulk,
      jobOptions: JOB_OPTIONS,
      producers: 'addBulk in a process apart from the worker',
    },
  };
}
