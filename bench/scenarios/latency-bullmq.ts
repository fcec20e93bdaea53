import { benchProcessor } from '../lib/bench-processor.js';
import { createFrameWorker } from '../lib/bullmq-env.js';
import { startDriver } from '../lib/driver.js';
import type { Progress } from '../lib/child-io.js';
import { sourceIds } from '../lib/framepipe-env.js';
import { drained, SKIP_FIRST_MS, type LatencyTask, type Measured } from './latency-common.js';

/**
 * BullMQ: `add` due time to the worker's `completed` event (after the job is moved to
 * completed). The adds run in a process of their own, as framepipe's producers do.
 */
export async function bullmqLatency(task: LatencyTask, progress: Progress): Promise<Measured> {
  const { processor } = await benchProcessor(task.processor);
  const worker = createFrameWorker(task.redisPort, task.prefix, processor, {
    concurrency: task.concurrency,
  });
  const samples: { captureMs: number; latencyMs: number }[] = [];
  worker.on('completed', (job) =>
    samples.push({ captureMs: job.data.ts, latencyMs: Date.now() - job.data.ts }),
  );
  await worker.waitUntilReady();
  const adder = await startDriver('bullmq-adder', {
    port: task.redisPort,
    prefix: task.prefix,
    size: task.size,
    distinct: task.distinct,
  });
  const perSource = Math.round(task.fps * task.seconds);
  await adder.run({ kind: 'paced', sources: sourceIds(task.sources), perSource, fps: task.fps });
  await adder.stop();
  const total = perSource * task.sources;
  await drained(
    task,
    () => samples.length >= total,
    () => progress(samples.length / total),
  );
  await worker.close(true);
  const first = Math.min(...samples.map((s) => s.captureMs));
  const latenciesMs = samples
    .filter((s) => s.captureMs >= first + SKIP_FIRST_MS)
    .map((s) => s.latencyMs);
  return {
    latenciesMs,
    frames: total,
    acked: samples.length,
    settings: {
      concurrency: task.concurrency,
      add: 'Queue.add per frame, in a process apart from the worker',
    },
  };
}
