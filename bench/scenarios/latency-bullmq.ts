import { benchProcessor } from '../lib/bench-processor.js';
import { createFrameWorker, createQueue, frameJob } from '../lib/bullmq-env.js';
import type { Progress } from '../lib/child-io.js';
import { sourceIds } from '../lib/framepipe-env.js';
import type { FrameSet } from '../lib/frames.js';
import { drained, SKIP_FIRST_MS, type LatencyTask, type Measured } from './latency-common.js';

/** BullMQ: `add` time to the worker's `completed` event (after the job is moved to completed). */
export async function bullmqLatency(
  task: LatencyTask,
  set: FrameSet,
  progress: Progress,
): Promise<Measured> {
  const { processor } = await benchProcessor(task.processor);
  const queue = createQueue(task.redisPort, task.prefix);
  const worker = createFrameWorker(task.redisPort, task.prefix, processor, {
    concurrency: task.concurrency,
  });
  const samples: { captureMs: number; latencyMs: number }[] = [];
  worker.on('completed', (job) =>
    samples.push({ captureMs: job.data.ts, latencyMs: Date.now() - job.data.ts }),
  );
  await worker.waitUntilReady();
  await queue.waitUntilReady();
  const perSource = Math.round(task.fps * task.seconds);
  const intervalMs = 1000 / task.fps;
  const started = Date.now();
  // Each add is stamped with its due time and not awaited before the next one is due, so a
  // slow add cannot quietly lower the offered load (coordinated omission).
  const adds: Promise<unknown>[] = [];
  await Promise.all(
    sourceIds(task.sources).map(async (source, s) => {
      for (let n = 0; n < perSource; n++) {
        const due = started + s * (intervalMs / task.sources) + n * intervalMs;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        const job = frameJob(set, source, n + s * 7);
        adds.push(queue.add(job.name, { ...job.data, ts: due }));
      }
    }),
  );
  await Promise.all(adds);
  const total = perSource * task.sources;
  await drained(
    task,
    () => samples.length >= total,
    () => progress(samples.length / total),
  );
  await worker.close(true);
  await queue.close();
  const latenciesMs = samples
    .filter((s) => s.captureMs >= started + SKIP_FIRST_MS)
    .map((s) => s.latencyMs);
  return {
    latenciesMs,
    frames: total,
    acked: samples.length,
    settings: { concurrency: task.concurrency, add: 'Queue.add per frame' },
  };
}
