import { Redis } from 'ioredis';
import { waitUntil, type Progress } from '../lib/child-io.js';
import { benchProcessor } from '../lib/bench-processor.js';
import { createFrameWorker, JOB_OPTIONS } from '../lib/bullmq-env.js';
import { startDriver } from '../lib/driver.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { warmUpFrames } from '../lib/warm-up.js';
import { openWindow, windowResult } from '../lib/e2e-window.js';
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

  const window = await openWindow(admin);
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
  const figures = await window.close(task.frames);
  const load = await adding;
  await adder.stop();
  await worker.close();
  admin.disconnect();
  return {
    scenario: `bullmq ${task.processor} ${task.size} c${task.concurrency}`,
    system: 'bullmq',
    kind: 'bullmq',
    size: task.size,
    processor: task.processor,
    ...windowResult(figures, task.frames, set.meanBytes, load),
    settings: {
      concurrency: task.concurrency,
      addBulk: task.addBulk,
      jobOptions: JOB_OPTIONS,
      producers: 'addBulk in a process apart from the worker',
    },
  };
}
