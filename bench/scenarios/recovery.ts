import { Redis } from 'ioredis';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { peakRssMb, waitUntil, type Progress } from '../lib/child-io.js';
import { benchProcessor } from '../lib/bench-processor.js';
import { addFrames, createFrameWorker, createQueue } from '../lib/bullmq-env.js';
import { benchConfig, jpegSource, startProducers, startWorker } from '../lib/framepipe-env.js';
import { loadFrameSet, parseSize, type FrameSet } from '../lib/frames.js';
import { killHard, spawnFixture } from '../lib/spawn-fixture.js';
import { round } from '../lib/stats.js';
import type { ScenarioResult, Task } from '../lib/tasks.js';

type RecoveryTask = Extract<Task, { kind: 'recovery' }>;

interface Recovery {
  readonly held: number;
  readonly seconds: number;
  readonly capped: boolean;
  readonly settings: Record<string, unknown>;
}

const PROCESSOR = 'stats';
const SOURCE = 'cam0';

/** Ids pending for one consumer (XPENDING extended form). */
async function pendingIds(
  redis: Redis,
  stream: string,
  group: string,
  consumer?: string,
): Promise<string[]> {
  const args: (string | number)[] = [stream, group, '-', '+', 10_000];
  if (consumer !== undefined) {
    args.push(consumer);
  }
  const reply = (await redis.call('XPENDING', ...args)) as [string, string, number, number][];
  return reply.map((r) => r[0]);
}

/**
 * framepipe with default settings: a worker process reads the frames and is SIGKILLed while it
 * holds some; a peer started right after reclaims them (XAUTOCLAIM after claimIdleMs).
 */
async function framepipeRecovery(
  task: RecoveryTask,
  set: FrameSet,
  redis: Redis,
  progress: Progress,
): Promise<Recovery> {
  const config = benchConfig(task.redisPort, task.prefix, {
    worker: { processor: PROCESSOR, sources: [SOURCE] },
  });
  const { frames } = sourceKeys(task.prefix, SOURCE);
  const group = config.worker.group;
  // Frames first, then the victim: its first XREADGROUP takes a whole batch at once.
  const producers = startProducers(config, [SOURCE], () => jpegSource(set, task.frames), {
    producer: { fps: 1000, frames: task.frames },
  });
  await producers.done;
  const victim = await spawnFixture('framepipe-worker', {
    port: task.redisPort,
    prefix: task.prefix,
    source: SOURCE,
    consumer: 'victim',
    processor: PROCESSOR,
  });
  let held: string[] = [];
  await waitUntil(
    async () => (await pendingIds(redis, frames, group, 'victim')).length > 0,
    30_000,
    2,
    'victim holding frames',
  );
  await killHard(victim);
  const started = performance.now();
  held = await pendingIds(redis, frames, group, 'victim');
  const peer = await startWorker(
    benchConfig(task.redisPort, task.prefix, {
      worker: { consumer: 'peer', processor: PROCESSOR, sources: [SOURCE] },
    }),
    'peer',
  );
  let capped = false;
  try {
    await waitUntil(
      async () => {
        const left = new Set(await pendingIds(redis, frames, group));
        const remaining = held.filter((id) => left.has(id)).length;
        progress(Math.min(0.99, (performance.now() - started) / 1000 / task.capS));
        return remaining === 0;
      },
      task.capS * 1000,
      20,
      'held frames processed',
    );
  } catch {
    capped = true;
  }
  const seconds = capped ? task.capS : (performance.now() - started) / 1000;
  await producers.stop();
  await peer.stop();
  return {
    held: held.length,
    seconds,
    capped,
    settings: {
      claimIdleMs: config.worker.claimIdleMs,
      claimIntervalMs: config.worker.claimIntervalMs,
      readCount: config.worker.readCount,
      maxInFlight: config.worker.maxInFlight,
    },
  };
}

/** BullMQ with default lockDuration and stalledInterval (30 s each): the same kill, a peer Worker. */
async function bullmqRecovery(
  task: RecoveryTask,
  set: FrameSet,
  progress: Progress,
): Promise<Recovery> {
  const { processor } = await benchProcessor(PROCESSOR);
  const concurrency = 32;
  const queue = createQueue(task.redisPort, task.prefix);
  await addFrames(queue, set, task.frames, 100);
  const victim = await spawnFixture('bullmq-worker', {
    port: task.redisPort,
    prefix: task.prefix,
    processor: PROCESSOR,
    concurrency,
  });
  await waitUntil(async () => (await queue.getActiveCount()) > 0, 30_000, 2, 'victim holding jobs');
  // BullMQ fetches one job per free slot: let the victim fill its slots, as framepipe's does.
  const want = Math.min(concurrency, task.frames);
  await waitUntil(
    async () => (await queue.getActiveCount()) >= want,
    3000,
    2,
    'victim slots full',
  ).catch(() => undefined);
  await killHard(victim);
  const started = performance.now();
  const held = (await queue.getActive()).map((j) => j.id ?? '');
  const done = new Set<string>();
  const peer = createFrameWorker(task.redisPort, task.prefix, processor, { concurrency });
  peer.on('completed', (job) => done.add(job.id ?? ''));
  let capped = false;
  try {
    await waitUntil(
      () => {
        progress(Math.min(0.99, (performance.now() - started) / 1000 / task.capS));
        return held.every((id) => done.has(id));
      },
      task.capS * 1000,
      20,
      'held jobs processed',
    );
  } catch {
    capped = true;
  }
  const seconds = capped ? task.capS : (performance.now() - started) / 1000;
  await peer.close(true);
  await queue.close();
  return {
    held: held.length,
    seconds,
    capped,
    settings: { concurrency, lockDuration: 30_000, stalledInterval: 30_000, capS: task.capS },
  };
}

/** Time from SIGKILL of a worker holding frames until a peer has processed all of them. */
export async function runRecovery(task: RecoveryTask, progress: Progress): Promise<ScenarioResult> {
  const set = await loadFrameSet(parseSize(task.size), task.distinct);
  const redis = new Redis({ host: '127.0.0.1', port: task.redisPort });
  const r =
    task.system === 'framepipe'
      ? await framepipeRecovery(task, set, redis, progress)
      : await bullmqRecovery(task, set, progress);
  redis.disconnect();
  return {
    scenario: `recovery ${task.system}`,
    system: task.system,
    kind: 'recovery',
    size: task.size,
    processor: PROCESSOR,
    frames: task.frames,
    seconds: round(r.seconds),
    frames_per_s: 0,
    mb_per_s: 0,
    jpeg_bytes_mean: Math.round(set.meanBytes),
    peak_rss_mb: peakRssMb(),
    recovery_s: round(r.seconds, 2),
    recovery_capped: r.capped,
    frames_held: r.held,
    settings: r.settings,
    ...(r.capped
      ? {
          notes: [
            `not recovered within the ${task.capS} s cap: recovery_s is the cap, a lower bound`,
          ],
        }
      : {}),
  };
}
