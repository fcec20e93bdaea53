import { Redis } from 'ioredis';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { mb, peakRssMb, waitUntil, type Progress } from '../lib/child-io.js';
import {
  benchProcessor,
  frameInput,
  PROCESS_OPTIONS,
  runWithInFlight,
} from '../lib/bench-processor.js';
import { startDriver } from '../lib/driver.js';
import { benchConfig, sourceIds, startWorker } from '../lib/framepipe-env.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { bullmqLatency } from './latency-bullmq.js';
import { drained, SKIP_FIRST_MS, type LatencyTask, type Measured } from './latency-common.js';
import { redisCpuSeconds, sampleRedisMemory } from '../lib/redis-info.js';
import { round, summariseLatency } from '../lib/stats.js';
import type { ScenarioResult } from '../lib/tasks.js';

/** framepipe: capture time (set by the producer) to the result XADD, whose id is Redis's clock. */
async function framepipeLatency(
  task: LatencyTask,
  admin: Redis,
  progress: Progress,
): Promise<Measured> {
  const ids = sourceIds(task.sources);
  const perSource = Math.round(task.fps * task.seconds);
  const config = benchConfig(task.redisPort, task.prefix, {
    producer: { fps: task.fps, frames: perSource },
    worker: { processor: task.processor, sources: ids },
  });
  const running = await startWorker(config);
  await waitUntil(() => running.worker.ready(), 10_000, 5, 'worker ready');
  // The cameras run in a process of their own, as in production.
  const producers = await startDriver('framepipe-producers', {
    port: task.redisPort,
    prefix: task.prefix,
    size: task.size,
    distinct: task.distinct,
  });
  const total = perSource * task.sources;
  const processed = () => running.worker.stats().processed;
  await producers.run({
    sources: ids,
    perSource,
    offsetStep: 7,
    fps: task.fps,
    staggerMs: 1000 / task.fps / task.sources,
  });
  await drained(
    task,
    () => processed() >= total,
    () => progress(processed() / total),
  );
  await producers.stop();
  await running.stop();
  const samples: { captureMs: number; ackMs: number; doneMs: number; processMs: number }[] = [];
  for (const id of ids) {
    const entries = await admin.xrange(sourceKeys(task.prefix, id).results, '-', '+');
    for (const [entryId, fields] of entries) {
      const field = (name: string) => Number(fields[fields.indexOf(name) + 1]);
      samples.push({
        captureMs: field('ts') / 1000,
        ackMs: Number(entryId.split('-')[0]),
        doneMs: field('done') / 1000,
        processMs: field('ms'),
      });
    }
  }
  const first = Math.min(...samples.map((s) => s.captureMs));
  const kept = samples.filter((s) => s.captureMs >= first + SKIP_FIRST_MS);
  const latenciesMs = kept.map((s) => s.ackMs - s.captureMs);
  // Where the time goes, from the result's own fields: waiting to start, processing, settling.
  const stages = {
    wait_ms: summariseLatency(kept.map((s) => s.doneMs - s.processMs - s.captureMs)),
    process_ms: summariseLatency(kept.map((s) => s.processMs)),
    settle_ms: summariseLatency(kept.map((s) => s.ackMs - s.doneMs)),
  };
  return {
    latenciesMs,
    frames: total,
    acked: samples.length,
    settings: {
      stages,
      worker: { ...config.worker, sources: undefined },
      producer: {
        fps: task.fps,
        batchSize: config.producer.batchSize,
        policy: config.producer.policy,
      },
    },
  };
}

/** Produce-to-ack latency at a fixed rate: `sources` cameras at `fps` each. */
export async function runLatency(task: LatencyTask, progress: Progress): Promise<ScenarioResult> {
  const set = await loadFrameSet(parseSize(task.size), task.distinct);
  const { processor } = await benchProcessor(task.processor);
  // Warm sharp in this process so the first second is not all first-call cost.
  await runWithInFlight(16, 8, (i) => processor.process(frameInput(set, i), PROCESS_OPTIONS));
  const admin = new Redis({ host: '127.0.0.1', port: task.redisPort });
  const cpu0 = await redisCpuSeconds(admin);
  const memory = sampleRedisMemory(admin);
  const started = performance.now();
  const m =
    task.system === 'framepipe'
      ? await framepipeLatency(task, admin, progress)
      : await bullmqLatency(task, progress);
  const seconds = (performance.now() - started) / 1000;
  const cpu1 = await redisCpuSeconds(admin);
  const peakMemory = await memory.stop();
  admin.disconnect();
  const fps = m.acked / seconds;
  // Unacked frames were produced in the measured window too: count them as infinitely late.
  const unacked = m.frames - m.acked;
  const latencies = [
    ...m.latenciesMs,
    ...Array.from({ length: unacked }, () => Number.POSITIVE_INFINITY),
  ];
  return {
    scenario: `latency ${task.system} ${task.processor} ${task.size} ${task.load}`,
    system: task.system,
    kind: 'latency',
    size: task.size,
    processor: task.processor,
    frames: m.frames,
    seconds: round(seconds),
    frames_per_s: round(fps, 1),
    mb_per_s: round(mb(fps * set.meanBytes), 2),
    jpeg_bytes_mean: Math.round(set.meanBytes),
    peak_rss_mb: peakRssMb(),
    redis_used_memory_peak_mb: mb(peakMemory),
    redis_cpu_s: round(cpu1 - cpu0),
    redis_cpu_us_per_frame: round(((cpu1 - cpu0) / m.frames) * 1e6, 1),
    latency: summariseLatency(latencies),
    settings: {
      sources: task.sources,
      fps: task.fps,
      seconds: task.seconds,
      skipFirstMs: SKIP_FIRST_MS,
      drainCapS: task.drainCapS,
      load: task.load,
      acked: m.acked,
      unacked,
      ...m.settings,
    },
    ...(unacked > 0
      ? {
          notes: [
            `${unacked} of ${m.frames} frames not acked ${task.drainCapS} s after the last was produced: the load exceeds the processor's capacity; percentiles that fall on them are null (unbounded)`,
          ],
        }
      : {}),
  };
}
