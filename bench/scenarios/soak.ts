import { Redis } from 'ioredis';
import { mb, peakRssMb, send, type Progress } from '../lib/child-io.js';
import {
  benchConfig,
  jpegSource,
  sourceIds,
  startProducers,
  startWorker,
} from '../lib/framepipe-env.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { redisUsedMemory } from '../lib/redis-info.js';
import { round } from '../lib/stats.js';
import type { ScenarioResult, Task } from '../lib/tasks.js';

type SoakTask = Extract<Task, { kind: 'soak' }>;

export interface SoakSample {
  readonly at_s: number;
  readonly rss_mb: number;
  readonly heap_mb: number;
  readonly redis_used_memory_mb: number;
  readonly processed: number;
}

/** Sample every ~1/20 of the run, at least every 10 s and at most every 2 s. */
function sampleEveryMs(seconds: number): number {
  return Math.min(10_000, Math.max(2000, (seconds * 1000) / 20));
}

/**
 * Frames kept per source stream (producer.maxLen). Redis keeps acked frames up to maxLen (the
 * API serves them); the default 10000 takes ~55 min to fill at 3 fps, so a 10-minute soak would
 * only show the ramp. At 300 the streams are full after ~100 s and the rest shows the plateau.
 */
const SOAK_MAX_LEN = 300;

/**
 * framepipe under a steady load for a long time: `sources` x `fps` with the chosen processor.
 * RSS and Redis used_memory are sampled over time; flat lines mean nothing accumulates.
 */
export async function runSoak(task: SoakTask, progress: Progress): Promise<ScenarioResult> {
  const set = await loadFrameSet(parseSize(task.size), task.distinct);
  const ids = sourceIds(task.sources);
  const config = benchConfig(task.redisPort, task.prefix, {
    producer: { fps: task.fps, maxLen: SOAK_MAX_LEN },
    worker: { processor: task.processor, sources: ids },
  });
  const admin = new Redis({ host: '127.0.0.1', port: task.redisPort });
  const running = await startWorker(config);
  const producers = startProducers(
    config,
    ids,
    (i) => jpegSource(set, Number.MAX_SAFE_INTEGER, i * 7),
    {},
    1000 / task.fps / task.sources,
  );
  const samples: SoakSample[] = [];
  const started = performance.now();
  const every = sampleEveryMs(task.seconds);
  for (;;) {
    const atS = (performance.now() - started) / 1000;
    const sample: SoakSample = {
      at_s: round(atS, 1),
      rss_mb: mb(process.memoryUsage.rss()),
      heap_mb: mb(process.memoryUsage().heapUsed),
      redis_used_memory_mb: mb(await redisUsedMemory(admin)),
      processed: running.worker.stats().processed,
    };
    samples.push(sample);
    send({
      type: 'sample',
      atS: sample.at_s,
      rssMb: sample.rss_mb,
      detail: `heap ${sample.heap_mb} MB  redis used_memory ${sample.redis_used_memory_mb} MB  processed ${sample.processed}`,
    });
    progress(atS / task.seconds);
    if (atS >= task.seconds) {
      break;
    }
    await new Promise((r) => setTimeout(r, Math.min(every, (task.seconds - atS) * 1000 + 1)));
  }
  await producers.stop();
  await running.stop();
  admin.disconnect();
  const seconds = (performance.now() - started) / 1000;
  const processed = samples.at(-1)?.processed ?? 0;
  const fps = processed / seconds;
  return {
    scenario: `soak framepipe ${task.processor} ${task.size} ${task.sources}x${task.fps}fps`,
    system: 'framepipe',
    kind: 'soak',
    size: task.size,
    processor: task.processor,
    frames: processed,
    seconds: round(seconds),
    frames_per_s: round(fps, 1),
    mb_per_s: round(mb(fps * set.meanBytes), 2),
    jpeg_bytes_mean: Math.round(set.meanBytes),
    peak_rss_mb: peakRssMb(),
    settings: {
      sources: task.sources,
      fps: task.fps,
      maxLen: config.producer.maxLen,
      resultsMaxLen: config.worker.resultsMaxLen,
      samples,
    },
  };
}
