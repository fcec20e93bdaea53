import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { FramePublisher } from '../../src/producer/frame-publisher.js';
import { BacklogWaiter } from '../../src/producer/backpressure.js';
import { FrameBuffer } from '../../src/producer/frame-buffer.js';
import { publishBuffered } from '../../src/producer/publish-loop.js';
import { nextEntryId, ZERO_ID } from '../../src/shared/entry-id.js';
import { prepareStream } from '../../src/producer/stream-setup.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { defineScripts } from '../../src/shared/redis/scripts.js';
import { encodeFrameFields } from '../../src/shared/stream-entries.js';
import { childrenCpuSeconds, cpuSeconds, mb, peakRssMb, type Progress } from '../lib/child-io.js';
import { addFrames, createQueue } from '../lib/bullmq-env.js';
import { runWithInFlight } from '../lib/bench-processor.js';
import { benchConfig } from '../lib/framepipe-env.js';
import { loadFrameSet, parseSize, type FrameSet } from '../lib/frames.js';
import { commandStats, commandsPerFrame } from '../lib/command-stats.js';
import { redisCpuSeconds, redisUsedMemory } from '../lib/redis-info.js';
import {
  meanSizedFrame,
  nulFreeCopy,
  parseRequestsPerSecond,
  redisBenchmarkArgs,
} from '../lib/redis-benchmark-cmd.js';
import { cpuPerFrame, round } from '../lib/stats.js';
import type { ScenarioResult, Task } from '../lib/tasks.js';

type EnqueueTask = Extract<Task, { kind: 'enqueue' }>;
interface EnqueueRun {
  readonly settings: Record<string, unknown>;
  /** The writer's own timing, when it is a separate program whose start-up should not count. */
  readonly seconds?: number;
  /** Entries written, when the writer may round the count it was given. */
  readonly frames?: number;
  /** CPU seconds of the writer when it is not this process. */
  readonly clientCpuS?: number;
}
type Enqueue = (onAdded: (n: number) => void) => Promise<EnqueueRun>;

/**
 * framepipe's write path as the producer runs it: the frames in its FrameBuffer, drained by
 * its publish loop (batches of `batchSize`, `batchesInFlight` written at once, each a pipeline
 * of plain XADDs with explicit ids). No consumer runs, so maxBacklog is set above the frames.
 */
async function framepipeEnqueue(task: EnqueueTask, set: FrameSet, redis: Redis): Promise<Enqueue> {
  const config = benchConfig(task.redisPort, task.prefix, {
    producer: {
      batchSize: task.batch,
      batchesInFlight: task.inFlight,
      maxBacklog: task.frames + 1,
    },
  });
  const pc = config.producer;
  const keys = sourceKeys(task.prefix, pc.source);
  defineScripts(redis);
  await prepareStream(redis, task.prefix, pc.source, keys, config.worker.group);
  const logger = silentLogger();
  const publisher = new FramePublisher({
    redis,
    keys,
    source: pc.source,
    group: config.worker.group,
    policy: pc.policy,
    maxLen: pc.maxLen,
    logger,
  });
  const waiter = new BacklogWaiter({
    redis,
    stream: keys.frames,
    group: config.worker.group,
    maxBacklog: pc.maxBacklog,
    now: Date.now,
    onWait: () => undefined,
  });
  return async (onAdded) => {
    const buffer = new FrameBuffer(pc.policy, task.frames);
    const never = new AbortController().signal;
    let id = ZERO_ID;
    for (let k = 0; k < task.frames; k++) {
      id = nextEntryId(id, Date.now());
      const data = set.jpegs[k % set.jpegs.length]!;
      await buffer.push(
        { id, seq: k, captureUs: Date.now() * 1000, width: set.width, height: set.height, data },
        never,
      );
    }
    buffer.end();
    let added = 0;
    let givenUp = 0;
    await publishBuffered({
      buffer,
      publisher,
      waiter,
      policy: pc.policy,
      batchSize: pc.batchSize,
      batchesInFlight: pc.batchesInFlight,
      logger,
      stop: never,
      hard: never,
      onBatch: (batch, report) => {
        added += batch.length - report.unconfirmed.length;
        onAdded(added);
      },
      onGivenUp: (n) => {
        givenUp += n;
      },
    });
    if (added !== task.frames || givenUp > 0) {
      throw new Error(`publish loop stored ${added} of ${task.frames} frames`);
    }
    return {
      settings: {
        path: 'FrameBuffer + publishBuffered (the producer write loop)',
        batchSize: pc.batchSize,
        batchesInFlight: pc.batchesInFlight,
        policy: pc.policy,
        maxLen: pc.maxLen,
      },
    };
  };
}

/**
 * Plain pipelined XADD of the same fields, no script, no explicit id, `inFlight` pipelines
 * written at once: Redis's own limit for this write.
 */
function rawXadd(task: EnqueueTask, set: FrameSet, redis: Redis): Enqueue {
  return async (onAdded) => {
    let added = 0;
    const chunks = Math.ceil(task.frames / task.batch);
    await runWithInFlight(chunks, Math.max(1, task.inFlight), async (c) => {
      const from = c * task.batch;
      const to = Math.min(task.frames, from + task.batch);
      const pipeline = redis.pipeline();
      for (let k = from; k < to; k++) {
        const fields = encodeFrameFields({
          source: 'cam0',
          seq: k,
          captureUs: Date.now() * 1000,
          width: set.width,
          height: set.height,
          format: 'jpeg',
          data: set.jpegs[k % set.jpegs.length]!,
        });
        pipeline.xadd(`${task.prefix}:raw`, '*', ...fields);
      }
      await pipeline.exec();
      added += to - from;
      onAdded(added);
    });
    return {
      settings: { path: 'pipelined XADD *', batch: task.batch, pipelinesInFlight: task.inFlight },
    };
  };
}

/**
 * Redis's own ceiling: its C client sends XADD of a frame-sized value over `inFlight`
 * connections, `batch` commands pipelined on each. The rate is the one redis-benchmark
 * measures (its start-up is not the server's time). It sends whole pipelines, so it can
 * pass the count it was given: the stream's length is the count.
 */
function redisBenchmarkXadd(task: EnqueueTask, set: FrameSet, redis: Redis): Enqueue {
  const payload = nulFreeCopy(meanSizedFrame(set.jpegs, set.meanBytes));
  const plan = {
    port: task.redisPort,
    key: `${task.prefix}:redis-benchmark`,
    requests: task.frames,
    clients: task.inFlight,
    pipeline: task.batch,
  };
  return async (onAdded) => {
    const cpu0 = childrenCpuSeconds();
    // Synchronous: this scenario process has nothing else to do meanwhile. Throws with
    // redis-benchmark's stderr when it fails.
    const output = execFileSync('redis-benchmark', redisBenchmarkArgs(plan), {
      input: payload,
      encoding: 'utf8',
    });
    const cpu1 = childrenCpuSeconds();
    const rate = parseRequestsPerSecond(output);
    const frames = await redis.xlen(plan.key);
    onAdded(task.frames);
    return {
      frames,
      ...(cpu0 === null || cpu1 === null ? {} : { clientCpuS: cpu1 - cpu0 }),
      settings: {
        path: 'redis-benchmark (C client): XADD * data <frame-sized value>',
        payloadBytes: payload.length,
        connections: plan.clients,
        pipeline: plan.pipeline,
      },
      seconds: frames / rate,
    };
  };
}

async function bullmqEnqueue(
  task: EnqueueTask,
  set: FrameSet,
): Promise<Enqueue & { close: () => Promise<void> }> {
  const queue = createQueue(task.redisPort, task.prefix);
  await queue.waitUntilReady();
  const run: Enqueue = async (onAdded) => {
    await addFrames(queue, set, task.frames, task.batch, 0, (n) => onAdded(n), task.inFlight);
    return {
      settings: {
        path: 'Queue.addBulk, base64 job data',
        addBulk: task.batch,
        callsInFlight: task.inFlight,
      },
    };
  };
  return Object.assign(run, { close: () => queue.close() });
}

/** The writer of a task, ready to run, and what closes it. */
async function prepare(
  task: EnqueueTask,
  set: FrameSet,
  redis: Redis,
): Promise<{ enqueue: Enqueue; close: () => Promise<void> }> {
  const none = (): Promise<void> => Promise.resolve();
  if (task.system === 'framepipe') {
    return { enqueue: await framepipeEnqueue(task, set, redis), close: none };
  }
  if (task.system === 'raw-xadd') {
    return { enqueue: rawXadd(task, set, redis), close: none };
  }
  if (task.system === 'redis-benchmark') {
    return { enqueue: redisBenchmarkXadd(task, set, redis), close: none };
  }
  const b = await bullmqEnqueue(task, set);
  return { enqueue: b, close: b.close };
}

/**
 * Enqueue rate with no consumer, and what the queued frames cost in Redis: used_memory
 * before and after, per frame, against the mean JPEG size; redis-server CPU per frame.
 */
export async function runEnqueue(task: EnqueueTask, progress: Progress): Promise<ScenarioResult> {
  const set = await loadFrameSet(parseSize(task.size), task.distinct);
  const redis = new Redis({ host: '127.0.0.1', port: task.redisPort });
  if (task.system !== 'redis-benchmark') {
    // One untimed pass first, under keys of its own: JIT compilation and the heap's first
    // growth are in no Node.js writer's figures (redis-benchmark is C).
    const warm = await prepare({ ...task, prefix: `${task.prefix}-warm-up` }, set, redis);
    await warm.enqueue((n) => progress((0.5 * n) / task.frames));
    await warm.close();
  }
  const { enqueue, close } = await prepare(task, set, redis);
  const mem0 = await redisUsedMemory(redis);
  const cmd0 = await commandStats(redis);
  const cpu0 = await redisCpuSeconds(redis);
  const ownCpu0 = cpuSeconds();
  const started = performance.now();
  const run = await enqueue((n) => progress(0.5 + (0.5 * n) / task.frames));
  const seconds = run.seconds ?? (performance.now() - started) / 1000;
  const clientCpuS = run.clientCpuS ?? cpuSeconds() - ownCpu0;
  const settings = run.settings;
  const frames = run.frames ?? task.frames;
  const cpu1 = await redisCpuSeconds(redis);
  const cmd1 = await commandStats(redis);
  const mem1 = await redisUsedMemory(redis);
  await close();
  redis.disconnect();
  const fps = frames / seconds;
  const perFrame = (mem1 - mem0) / frames;
  return {
    scenario: `enqueue ${task.system} ${task.size}`,
    system: task.system,
    kind: 'enqueue',
    size: task.size,
    frames,
    seconds: round(seconds),
    frames_per_s: round(fps, 1),
    mb_per_s: round(mb(fps * set.meanBytes), 2),
    jpeg_bytes_mean: Math.round(set.meanBytes),
    peak_rss_mb: peakRssMb(),
    redis_used_memory_peak_mb: mb(mem1),
    redis_cpu_s: round(cpu1 - cpu0),
    redis_cpu_us_per_frame: round(((cpu1 - cpu0) / frames) * 1e6, 1),
    // The writer (this process, or redis-benchmark) and redis-server.
    cpu_us_per_frame: cpuPerFrame({ worker: clientCpuS, redis: cpu1 - cpu0 }, frames),
    redis_commands_per_frame: commandsPerFrame(cmd0, cmd1, frames),
    redis_bytes_per_frame: Math.round(perFrame),
    redis_bytes_per_frame_vs_jpeg: round(perFrame / set.meanBytes, 3),
    settings,
  };
}
