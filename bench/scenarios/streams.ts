import { Redis } from 'ioredis';
import { waitUntil, type Progress } from '../lib/child-io.js';
import { benchProcessor, PROCESS_OPTIONS } from '../lib/bench-processor.js';
import { startDriver } from '../lib/driver.js';
import { sourceIds } from '../lib/framepipe-env.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { HAND_GROUP, handKeys, HandStreamsLoop } from '../lib/hand-streams.js';
import { warmUpFrames } from '../lib/warm-up.js';
import { openWindow, windowResult } from '../lib/e2e-window.js';
import type { ScenarioResult, Task } from '../lib/tasks.js';

type StreamsTask = Extract<Task, { kind: 'streams' }>;

/** Results kept per source, as framepipe's default `maxLen`. */
const RESULTS_MAX_LEN = 10_000;

/**
 * A hand-written Redis Streams pipeline doing the same work (bench/lib/hand-streams.ts):
 * plain pipelined XADDs from a process of their own into `sources` streams while one
 * XREADGROUP loop processes the frames in-line and writes results and XACKs. What framepipe
 * costs over it is the price of its guarantees; what it reaches itself is a reference for a
 * streams pipeline without them on this machine. Clock: first add to last ack.
 */
export async function runStreams(task: StreamsTask, progress: Progress): Promise<ScenarioResult> {
  const set = await loadFrameSet(parseSize(task.size), task.distinct);
  const { processor } = await benchProcessor(task.processor);
  const ids = sourceIds(task.sources);
  const sources = ids.map((id) => handKeys(task.prefix, id));
  const perSource = Math.ceil(task.frames / task.sources);
  const total = perSource * task.sources;
  const admin = new Redis({ host: '127.0.0.1', port: task.redisPort });
  const reader = new Redis({ host: '127.0.0.1', port: task.redisPort });
  for (const s of sources) {
    await admin.xgroup('CREATE', s.frames, HAND_GROUP, '$', 'MKSTREAM');
  }
  const loop = new HandStreamsLoop({
    reader,
    writer: admin,
    sources,
    processor,
    options: PROCESS_OPTIONS,
    inFlight: task.inFlight,
    resultsMaxLen: RESULTS_MAX_LEN,
  });
  const looping = loop.run();
  const adder = await startDriver('streams-adder', {
    port: task.redisPort,
    prefix: task.prefix,
    size: task.size,
    distinct: task.distinct,
  });
  const request = (first: number, n: number) => ({
    sources: ids,
    perSource: n,
    first,
    batch: task.batch,
  });
  const done = (want: number, from: number, span: number, label: string) =>
    waitUntil(
      () => {
        if (loop.failed > 0) {
          throw new Error(`${loop.failed} frames failed in the hand-written loop`);
        }
        progress(from + (span * loop.processed) / want);
        return loop.processed >= want;
      },
      600_000,
      5,
      label,
    );
  // Warm-up on the same path, not timed.
  const warmPerSource = Math.ceil(warmUpFrames(total) / task.sources);
  await adder.run(request(0, warmPerSource));
  await done(warmPerSource * task.sources, 0, 0.5, 'warm-up');
  loop.processed = 0;

  const window = await openWindow(admin);
  const adding = adder.run<{ peakRssMb: number; cpuS: number }>(
    request(warmPerSource * task.sources, perSource),
  );
  await done(total, 0.5, 0.5, 'all frames processed');
  const figures = await window.close(total);
  const load = await adding;
  await adder.stop();
  await loop.stop();
  await looping;
  reader.disconnect();
  admin.disconnect();
  return {
    scenario: `streams ${task.processor} ${task.size}`,
    system: 'streams',
    kind: 'streams',
    size: task.size,
    processor: task.processor,
    ...windowResult(figures, total, set.meanBytes, load),
    settings: {
      path: 'hand-written: pipelined XADD *, XREADGROUP, in-line processing, result XADD + XACK pipelined',
      sources: task.sources,
      addBatch: task.batch,
      inFlight: task.inFlight,
      producers: 'pipelined XADD in a process apart from the worker',
    },
  };
}
