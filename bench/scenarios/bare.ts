import { createFramePool } from '../../src/workers/frame-pool.js';
import { cpuSeconds, mb, peakRssMb, type Progress } from '../lib/child-io.js';
import {
  benchProcessor,
  frameInput,
  PROCESS_OPTIONS,
  runWithInFlight,
} from '../lib/bench-processor.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { cpuPerFrame, round } from '../lib/stats.js';
import { warmUpFrames } from '../lib/warm-up.js';
import type { ScenarioResult, Task } from '../lib/tasks.js';

type BareTask = Extract<Task, { kind: 'bare' }>;

/**
 * The bare limit: the same processor module fed frames from memory, no Redis. `inline` keeps
 * `inFlight` frames on the main thread (sharp works on libuv's pool); `pool` runs them on
 * framepipe's Piscina pool with a copy per frame, as the worker does for ioredis slices.
 */
export async function runBare(task: BareTask, progress: Progress): Promise<ScenarioResult> {
  const set = await loadFrameSet(parseSize(task.size), task.distinct);
  const { processor, url } = await benchProcessor(task.processor);
  let run: (i: number) => Promise<unknown>;
  let close = (): Promise<void> => Promise.resolve();
  if (task.mode === 'pool') {
    const pool = createFramePool({
      threads: task.threads,
      maxQueue: task.inFlight * 2 + 64,
      processorUrl: url,
      closeTimeoutMs: 5000,
    });
    // A fresh copy per frame: a transferred buffer is detached, and we reuse ours.
    run = (i) =>
      pool.run(
        frameInput(set, i, new Uint8Array(set.jpegs[i % set.jpegs.length]!)),
        PROCESS_OPTIONS,
      );
    close = () => pool.close();
  } else {
    run = (i) => processor.process(frameInput(set, i), PROCESS_OPTIONS);
  }
  const warmUp = warmUpFrames(task.frames);
  await runWithInFlight(warmUp, task.inFlight, run, (done) => progress((0.5 * done) / warmUp));
  const cpu0 = cpuSeconds();
  const started = performance.now();
  await runWithInFlight(task.frames, task.inFlight, run, (done) =>
    progress(0.5 + (0.5 * done) / task.frames),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuS = cpuSeconds() - cpu0;
  await close();
  const fps = task.frames / seconds;
  return {
    scenario: `bare ${task.processor} ${task.size} ${task.mode}`,
    system: 'bare',
    kind: 'bare',
    size: task.size,
    processor: task.processor,
    frames: task.frames,
    seconds: round(seconds),
    frames_per_s: round(fps, 1),
    mb_per_s: round(mb(fps * set.meanBytes), 2),
    jpeg_bytes_mean: Math.round(set.meanBytes),
    peak_rss_mb: peakRssMb(),
    cpu_us_per_frame: cpuPerFrame({ worker: cpuS }, task.frames),
    settings: { mode: task.mode, inFlight: task.inFlight, threads: task.threads },
  };
}
